"""The `clicktrail` command."""

from __future__ import annotations

import asyncio
import functools
import multiprocessing
import os
import signal
import sys
from collections.abc import Callable, Coroutine
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, TypeVar

import httpx
import typer
from pydantic import ValidationError
from sqlalchemy.engine import make_url

from clicktrail import admin, serving
from clicktrail.config import Settings
from clicktrail.errors import AppError
from clicktrail.fx.service import fetch_rates
from clicktrail.kit import jsontext
from clicktrail.kit.clock import as_utc
from clicktrail.kit.currency import RatesError, parse_rates
from clicktrail.links.schemas import LinkCreate
from clicktrail.models import Role

T = TypeVar("T")

app = typer.Typer(help="Self-hosted link attribution, wire-compatible with Dub's API.")
workspace_app = typer.Typer(help="Manage workspaces.")
key_app = typer.Typer(help="Manage API keys.")
link_app = typer.Typer(help="Manage short links.")
fx_app = typer.Typer(help="Exchange rates used to convert sales to USD.")
analytics_app = typer.Typer(help="The counts behind /analytics.")
webhook_app = typer.Typer(help="Manage webhooks.")
user_app = typer.Typer(help="Manage the people who sign in to the dashboard.")
app.add_typer(workspace_app, name="workspace")
app.add_typer(key_app, name="key")
app.add_typer(link_app, name="link")
app.add_typer(fx_app, name="fx")
app.add_typer(analytics_app, name="analytics")
app.add_typer(webhook_app, name="webhook")
app.add_typer(user_app, name="user")

JsonFlag = Annotated[
    bool, typer.Option("--json", help="Print the created object as one JSON line.")
]


def _emit(obj: dict[str, Any], as_json: bool, summary: str) -> None:
    typer.echo(jsontext.dumps(obj) if as_json else summary)


def _run(settings: Settings, action: Any) -> Any:
    return _reported(admin.run(settings, action))


def _reported(work: Coroutine[Any, Any, T]) -> T:
    """Run `work`; an AppError is printed and exits with status 1."""
    try:
        return asyncio.run(work)
    except AppError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(1) from exc


@app.command()
def migrate() -> None:
    """Apply database migrations."""
    from clicktrail.storage.migrate import upgrade  # noqa: PLC0415 (alembic only where needed)

    settings = Settings()
    asyncio.run(upgrade(settings.database_url))
    shown = make_url(settings.database_url).render_as_string(hide_password=True)
    typer.echo(f"migrated {shown}")


@app.command()
def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    workers: Annotated[int, typer.Option(min=1)] = 1,
) -> None:
    """Migrate, create a demo workspace and key on an empty database, and serve."""
    if "CLICKTRAIL_SHORT_DOMAIN" not in os.environ:
        shown = "localhost" if host in {"127.0.0.1", "0.0.0.0", "::", "::1"} else host  # noqa: S104
        os.environ["CLICKTRAIL_SHORT_DOMAIN"] = f"{shown}:{port}"
    settings = Settings()
    shown_host = "127.0.0.1" if host in {"0.0.0.0", "::"} else host  # noqa: S104
    _in_child(functools.partial(_prepare, f"{shown_host}:{port}"))
    typer.echo(f"clicktrail on http://{host}:{port} (short links: {settings.short_domain})")
    sys.stdout.flush()
    serving.run(host, port, workers=workers)


def _prepare(address: str) -> None:
    """Migrate, and make the first workspace, key and dashboard owner of an empty database."""
    from clicktrail.storage.migrate import upgrade  # noqa: PLC0415 (see _in_child)

    settings = Settings()
    asyncio.run(upgrade(settings.database_url))
    created = _run(settings, admin.bootstrap)
    if created is not None:
        typer.echo(
            f"Created workspace {created['workspace']['slug']!r} "
            f"(plan {created['workspace']['plan']}) and API key:\n  {created['key']['key']}\n"
            "It is shown only this once."
        )
        user = created["user"]
        typer.echo(
            f"Dashboard: http://{address}/dashboard/ - sign in as {user['email']} with the "
            f"password\n  {user['password']}\nIt is shown only this once."
        )


def _in_child(work: Callable[[], None]) -> None:
    """Run `work` in a process of its own, so that what it loads (alembic and the migrations:
    about 15 MB) does not stay in the server's memory for its lifetime."""
    child = multiprocessing.get_context("spawn").Process(target=work)
    child.start()
    child.join()
    if child.exitcode != 0:
        raise typer.Exit(child.exitcode or 1)


@workspace_app.command("create")
def workspace_create(
    name: str,
    slug: Annotated[str | None, typer.Option(help="URL-safe id; default from the name.")] = None,
    plan: Annotated[
        str, typer.Option(help="free, pro, business, advanced or enterprise.")
    ] = "free",
    as_json: JsonFlag = False,
) -> None:
    """Create a workspace."""
    ws = _run(Settings(), lambda ctx: admin.create_workspace(ctx, name, slug, plan))
    _emit(ws, as_json, f"Created workspace {ws['slug']} ({ws['id']}, plan {ws['plan']})")


@key_app.command("create")
def key_create(
    workspace: Annotated[str, typer.Option(help="The workspace's slug.")],
    name: Annotated[str, typer.Option(help="A label for the key.")] = "Default",
    expires_at: Annotated[
        datetime | None, typer.Option(help="When the key stops working (UTC).")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Create an API key (shown only once)."""
    expiry = as_utc(expires_at) if expires_at else None
    key = _run(Settings(), lambda ctx: admin.create_key(ctx, workspace, name, expiry))
    _emit(key, as_json, f"API key for {workspace} (shown only this once):\n  {key['key']}")


@key_app.command("revoke")
def key_revoke(
    key_id: str,
    workspace: Annotated[str, typer.Option(help="The workspace's slug.")],
    as_json: JsonFlag = False,
) -> None:
    """Delete an API key; every worker refuses it from the next request."""
    done = _run(Settings(), lambda ctx: admin.revoke_key(ctx, workspace, key_id))
    _emit(done, as_json, f"Revoked API key {key_id} of {workspace}")


@workspace_app.command("plan")
def workspace_plan(
    slug: str,
    plan: Annotated[str, typer.Argument(help="free, pro, business, advanced or enterprise.")],
    as_json: JsonFlag = False,
) -> None:
    """Move a workspace to another plan; every worker applies it from the next request."""
    ws = _run(Settings(), lambda ctx: admin.change_plan(ctx, slug, plan))
    _emit(ws, as_json, f"Workspace {ws['slug']} is now on plan {ws['plan']}")


@link_app.command("create")
def link_create(
    url: str,
    workspace: Annotated[str, typer.Option(help="The workspace's slug.")],
    key: Annotated[str | None, typer.Option(help="Path; default: 7 random characters.")] = None,
    domain: Annotated[str | None, typer.Option(help="Short-link host.")] = None,
    track_conversion: Annotated[
        bool, typer.Option("--track-conversion", help="Add dub_id to the destination.")
    ] = False,
    as_json: JsonFlag = False,
) -> None:
    """Create a short link."""
    body = LinkCreate(url=url, key=key, domain=domain, track_conversion=track_conversion)
    link = _run(Settings(), lambda ctx: admin.create_link(ctx, workspace, body))
    _emit(link, as_json, f"{link['shortLink']} -> {link['url']} ({link['id']})")


@fx_app.command("update")
def fx_update(
    file: Annotated[
        Path | None,
        typer.Option(help="Our JSON, fawazahmed0/currency-api's JSON or the ECB's CSV."),
    ] = None,
    url: Annotated[str | None, typer.Option(help="A URL serving any of those formats.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Load newer exchange rates (units per USD); every worker uses them within a minute."""
    if (file is None) == (url is None):
        typer.echo("error: give exactly one of --file and --url", err=True)
        raise typer.Exit(2)
    try:
        table = (
            parse_rates(file.read_text(), file.name)
            if file
            else asyncio.run(fetch_rates(url or ""))
        )
    except (OSError, RatesError, httpx.HTTPError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from exc
    loaded = _run(Settings(), lambda ctx: admin.load_rates(ctx, table))
    _emit(loaded, as_json, f"Loaded {loaded['currencies']} rates of {loaded['date']}")


@fx_app.command("status")
def fx_status(as_json: JsonFlag = False) -> None:
    """Which exchange rates are in force, and how old they are."""
    rates = _run(Settings(), admin.current_rates)
    summary = f"Rates of {rates['date']} ({rates['ageDays']} days old) from {rates['source']}"
    _emit(rates, as_json, summary)


@analytics_app.command("rebuild")
def analytics_rebuild(
    workspace: Annotated[
        str | None, typer.Option(help="Slug of one workspace; default: every workspace.")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Recompute the analytics rollups from the stored clicks, leads and sales."""
    settings = Settings()
    _reported(admin.fold_pending(settings))
    done = _run(settings, lambda ctx: admin.rebuild_rollups(ctx, workspace))
    _emit(done, as_json, f"Rebuilt {done['rows']} rollup rows in {done['seconds']} s")


@webhook_app.command("create")
def webhook_create(
    url: str,
    workspace: Annotated[str, typer.Option(help="Slug of the workspace.")],
    trigger: Annotated[
        list[str],
        typer.Option(
            help="link.created, link.updated, link.deleted, link.clicked, "
            "lead.created or sale.created; repeat for several."
        ),
    ],
    name: Annotated[str | None, typer.Option(help="Default: the URL.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Create a webhook; its secret is printed once."""
    try:
        made = _run(
            Settings(), lambda ctx: admin.create_webhook(ctx, workspace, url, trigger, name)
        )
    except ValidationError as exc:
        typer.echo(f"error: {exc.errors()[0]['msg']}", err=True)
        raise typer.Exit(1) from exc
    _emit(made, as_json, f"Created webhook {made['id']}; secret (shown once): {made['secret']}")


@user_app.command("create")
def user_create(
    email: str,
    workspace: Annotated[str, typer.Option(help="The workspace's slug.")],
    role: Annotated[Role, typer.Option(help="owner, member or viewer.")] = Role.member,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
    as_json: JsonFlag = False,
) -> None:
    """Create a dashboard user in a workspace (or add an existing one to it). Without
    --password-stdin a password is generated and printed only this once."""
    password = sys.stdin.readline().rstrip("\r\n") if password_stdin else None
    made = _run(Settings(), lambda ctx: admin.create_user(ctx, email, workspace, role, password))
    if made["addedToExisting"]:
        summary = f"Added {made['email']} to {workspace} as {made['role']} (password unchanged)"
    elif made["password"]:
        summary = (
            f"Created {made['email']} ({made['role']} of {workspace}); password (shown only this "
            f"once):\n  {made['password']}"
        )
    else:
        summary = f"Created {made['email']} ({made['role']} of {workspace})"
    _emit(made, as_json, summary)


@app.command()
def worker() -> None:
    """Deliver webhooks (for CLICKTRAIL_WEBHOOK_DISPATCHER=external); stops on SIGINT/SIGTERM."""
    settings = Settings()

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        typer.echo("delivering webhooks")
        await admin.run_worker(settings, stop)

    asyncio.run(main())


def main() -> None:
    app()
