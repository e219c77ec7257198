"""Delivers the outbox: claims due deliveries under a lease, POSTs them signed, logs each
attempt, and schedules retries with exponential backoff and jitter. A process that dies
mid-delivery loses nothing: the lease runs out and the delivery is due again (at least once)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
from sqlalchemy import Select, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from clicktrail.config import Settings
from clicktrail.kit import tasks
from clicktrail.kit.clock import as_utc, utcnow
from clicktrail.models import Webhook, WebhookAttempt, WebhookDelivery, WebhookEvent
from clicktrail.storage.db import Database
from clicktrail.webhooks.safety import UnsafeDestination, check_destination
from clicktrail.webhooks.signing import signed_headers

log = logging.getLogger(__name__)

BATCH = 20
IDLE_POLL = 0.2  # seconds between looks at an empty outbox
MAX_RESPONSE = 64 * 1024  # bytes read of an answer; the rest is not waited for
SNIPPET = 1024
MAX_BACKOFF = 3600.0
DISABLE_AFTER = 20  # consecutive failed attempts


@dataclass(frozen=True, slots=True)
class Job:
    delivery_id: str
    attempts: int
    created_at: datetime
    webhook_id: str
    url: str
    secret: str
    event_id: str
    body: str


@dataclass(frozen=True, slots=True)
class Outcome:
    http_status: int | None
    duration_ms: int
    response: str | None
    error: str | None

    @property
    def ok(self) -> bool:
        return self.http_status is not None and 200 <= self.http_status < 300


class Dispatcher:
    def __init__(self, db: Database, settings: Settings) -> None:
        self._db = db
        self._settings = settings
        self._client = httpx.AsyncClient(follow_redirects=False)
        self._task: asyncio.Task[None] | None = None
        self._stopping = asyncio.Event()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="webhook-dispatcher")

    async def close(self) -> None:
        """Stops between rounds. Cancelling a round mid-query would leave the SQLite driver's
        thread answering a loop that may be closed by then; a round stuck on a slow receiver
        is cancelled after a grace (kit/tasks.py), and its lease makes the delivery due again."""
        if self._task is not None:
            self._stopping.set()
            await tasks.finish(self._task)
        await self._client.aclose()

    async def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                busy = await self.run_once()
            except Exception:  # the database may be away for a while; keep trying
                log.exception("webhook dispatch failed")
                busy = 0
            if not busy:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stopping.wait(), IDLE_POLL)

    async def run_once(self) -> int:
        """Deliver what is due now; returns how many deliveries were attempted."""
        jobs = await self._claim()
        await asyncio.gather(*(self._attempt(job) for job in jobs))
        return len(jobs)

    async def _claim(self) -> list[Job]:
        now = utcnow()
        if not await self._anything_due(now):
            return []
        lease = now + timedelta(seconds=self._settings.webhook_timeout + 30)
        async with self._db.write_session() as session, session.begin():
            due = _due(now).limit(BATCH).with_for_update(of=WebhookDelivery, skip_locked=True)
            ids = list(await session.scalars(due))
            if not ids:
                return []
            await session.execute(
                update(WebhookDelivery)
                .where(WebhookDelivery.id.in_(ids))
                .values(next_attempt_at=lease)
            )
            return await _jobs(session, ids)

    async def _anything_due(self, now: datetime) -> bool:
        """A read first: polling an idle outbox must not take the write lock several times a
        second (on SQLite, that makes other connections fail to open: "database is locked")."""
        async with self._db.read_session() as session:
            return await session.scalar(_due(now).limit(1)) is not None

    async def _attempt(self, job: Job) -> None:
        outcome = await self._post(job)
        try:
            await self._record(job, outcome)
        except Exception:  # the lease runs out and the delivery is tried again
            log.exception("could not record the attempt of delivery %s", job.delivery_id)

    async def _post(self, job: Job) -> Outcome:
        started = time.monotonic()
        headers = signed_headers(job.secret, job.event_id, int(time.time()), job.body)
        headers["User-Agent"] = "clicktrail-webhooks"
        status = response = error = None
        try:
            async with asyncio.timeout(self._settings.webhook_timeout):
                await check_destination(job.url, allow_private=self._settings.webhook_allow_private)
                async with self._client.stream(
                    "POST", job.url, content=job.body.encode(), headers=headers
                ) as answer:
                    status, response = answer.status_code, await _snippet(answer)
        except TimeoutError:
            error = f"no answer within {self._settings.webhook_timeout:g} s"
        except UnsafeDestination as refused:
            error = str(refused)
        except (httpx.HTTPError, httpx.InvalidURL, ValueError) as failed:
            # ValueError: a host that IDNA refuses. Unrecorded, an attempt would be repeated
            # after every lease forever, never counted as a failure.
            error = f"{type(failed).__name__}: {failed}"[:255]
        return Outcome(status, int((time.monotonic() - started) * 1000), response, error)

    async def _record(self, job: Job, outcome: Outcome) -> None:
        now = utcnow()
        async with self._db.write_session() as session, session.begin():
            session.add(
                WebhookAttempt(
                    delivery_id=job.delivery_id, attempted_at=now,
                    http_status=outcome.http_status, duration_ms=outcome.duration_ms,
                    response=outcome.response, error=outcome.error,
                )
            )  # fmt: skip
            await session.execute(
                update(WebhookDelivery)
                .where(WebhookDelivery.id == job.delivery_id)
                .values(attempts=WebhookDelivery.attempts + 1, **self._next(job, outcome, now))
            )
            await _count_result(session, job.webhook_id, ok=outcome.ok, now=now)

    def _next(self, job: Job, outcome: Outcome, now: datetime) -> dict[str, object]:
        if outcome.ok:
            return {"status": "delivered"}
        window = timedelta(seconds=self._settings.webhook_retry_window)
        if now - job.created_at >= window:
            return {"status": "failed"}
        return {"next_attempt_at": now + timedelta(seconds=self.backoff(job.attempts + 1))}

    def backoff(self, attempt: int) -> float:
        """Seconds before retry `attempt`: doubling from the base, capped at an hour, of which
        a random half is waited (jitter, so that failed receivers are not hit in step)."""
        ceiling = min(self._settings.webhook_retry_base * 2.0 ** (attempt - 1), MAX_BACKOFF)
        jitter: float = random.uniform(0, ceiling / 2)  # noqa: S311 - not a secret
        return ceiling / 2 + jitter


def _due(now: datetime) -> Select[str]:
    return (
        select(WebhookDelivery.id)
        .join(Webhook, Webhook.id == WebhookDelivery.webhook_id)
        .where(
            WebhookDelivery.status == "pending",
            WebhookDelivery.next_attempt_at <= now,
            Webhook.disabled_at.is_(None),
        )
        .order_by(WebhookDelivery.next_attempt_at)
    )


async def _jobs(session: AsyncSession, ids: list[str]) -> list[Job]:
    rows = await session.execute(
        select(WebhookDelivery, Webhook.url, Webhook.secret, WebhookEvent.body)
        .join(Webhook, Webhook.id == WebhookDelivery.webhook_id)
        .join(WebhookEvent, WebhookEvent.id == WebhookDelivery.event_id)
        .where(WebhookDelivery.id.in_(ids))
    )
    return [
        Job(delivery.id, delivery.attempts, as_utc(delivery.created_at), delivery.webhook_id,
            url, secret, delivery.event_id, body)
        for delivery, url, secret, body in rows
    ]  # fmt: skip


async def _snippet(answer: httpx.Response) -> str:
    """The start of an answer: at most MAX_RESPONSE bytes are read, SNIPPET kept."""
    read = bytearray()
    async for chunk in answer.aiter_bytes():
        read += chunk
        if len(read) >= MAX_RESPONSE:
            break
    return read[:SNIPPET].decode(errors="replace")


async def _count_result(session: AsyncSession, webhook_id: str, *, ok: bool, now: datetime) -> None:
    """A success resets the webhook's failure count; the 20th failure in a row disables it."""
    if ok:
        values: dict[str, object] = {"consecutive_failures": 0}
    else:
        failures = Webhook.consecutive_failures + 1
        values = {"consecutive_failures": failures, "last_failed_at": now}
    await session.execute(update(Webhook).where(Webhook.id == webhook_id).values(**values))
    if not ok:
        await session.execute(
            update(Webhook)
            .where(
                Webhook.id == webhook_id,
                Webhook.consecutive_failures >= DISABLE_AFTER,
                Webhook.disabled_at.is_(None),
            )
            .values(disabled_at=now)
        )
