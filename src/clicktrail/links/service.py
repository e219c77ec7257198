from __future__ import annotations

from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from clicktrail.config import Settings
from clicktrail.errors import BadRequest, Conflict, Forbidden, NotFound, UnprocessableEntity
from clicktrail.folders.repository import FolderRepository
from clicktrail.kit.clock import utcnow
from clicktrail.kit.hosts import fold_host
from clicktrail.kit.ids import nanoid
from clicktrail.links import rules
from clicktrail.links.repository import LinkFilter, LinkRepository
from clicktrail.links.schemas import LinkCreate, LinkFields, LinkSort, LinkUpdate, SortOrder
from clicktrail.models import Link, Tag, Workspace
from clicktrail.storage.epoch import Epoch
from clicktrail.storage.unit import after_commit
from clicktrail.tags import service as tag_service
from clicktrail.webhooks import outbox, payloads

UTM_LENGTH = 255  # the columns' length, and Dub's limit on utm_* fields
DUPLICATE_KEY = "Duplicate key: This short link already exists."
NOT_FOUND = "Link not found."
INFO_ARGS = "You must provide a domain and a key or a linkId or an externalId to retrieve a link."
# Fields copied as they are from a request body to the row.
_PLAIN = (
    "tenant_id", "program_id", "partner_id", "track_conversion", "archived", "password",
    "proxy", "rewrite", "do_index", "public_stats", "title", "description", "image", "video",
    "comments", "folder_id",
)  # fmt: skip


class LinkService:
    async def create(
        self, session: AsyncSession, *, workspace: Workspace, body: LinkCreate,
        settings: Settings, epoch: Epoch, announce: bool = True,
    ) -> Link:  # fmt: skip
        repo = LinkRepository(session)
        domain = rules.clean_domain(body.domain) if body.domain else settings.short_domain
        await _check_domain(repo, workspace, domain, settings)
        key = await self._new_key(repo, body, domain, settings)
        link = Link(
            workspace_id=workspace.id, domain=domain, key=key, key_folded=key.lower(), tags=[]
        )
        link.url = rules.clean_url(body.url)
        self._apply(link, body, body.model_fields_set | {"url"})
        await _check_folder(session, link, body.model_fields_set)
        tags = await _named_tags(session, link, body, body.model_fields_set)
        await self._check_external_id(repo, link)
        await _flush(repo, link)
        if tags is not None:
            await repo.set_tags(link, tags)
        if announce:
            await _announce(session, link, "link.created", settings)
        after_commit(session, epoch.bump)
        return link

    async def update(
        self, session: AsyncSession, *, workspace: Workspace, link_id: str, body: LinkUpdate,
        settings: Settings, epoch: Epoch, announce: bool = True,
    ) -> Link:  # fmt: skip
        repo = LinkRepository(session)
        link = await self.get(session, workspace=workspace, link_id=link_id)
        fields = body.model_fields_set
        if "url" in fields and body.url is not None:
            link.url = rules.clean_url(body.url)
        if fields & {"domain", "key"}:
            await self._move(repo, link, body, settings)
        external_before = link.external_id
        self._apply(link, body, fields)
        await _check_folder(session, link, fields)
        tags = await _named_tags(session, link, body, fields)
        if link.external_id != external_before:
            await self._check_external_id(repo, link)
        link.updated_at = utcnow()
        await _flush(repo, link)
        if tags is not None:
            await repo.set_tags(link, tags)
        if announce:
            await _announce(session, link, "link.updated", settings)
        after_commit(session, epoch.bump)
        return link

    async def delete(
        self, session: AsyncSession, *, workspace: Workspace, link_id: str, settings: Settings,
        epoch: Epoch, announce: bool = True,
    ) -> Link:  # fmt: skip
        """`announce=False` for Dub's bulk operations, which send no webhook."""
        link = await self.get(session, workspace=workspace, link_id=link_id)
        if announce:
            await _announce(session, link, "link.deleted", settings)
        await LinkRepository(session).remove(link)
        after_commit(session, epoch.bump)
        return link

    async def get(self, session: AsyncSession, *, workspace: Workspace, link_id: str) -> Link:
        """By `link_…` id, or by external id written `ext_<externalId>`."""
        repo = LinkRepository(session)
        if link_id.startswith("ext_"):
            found = await repo.get_by_external_id(workspace.id, link_id.removeprefix("ext_"))
        else:
            found = await repo.get(workspace.id, link_id)
        if found is None:
            raise NotFound(NOT_FOUND)
        return found

    async def info(
        self, session: AsyncSession, *, workspace: Workspace, domain: str | None,
        key: str | None, link_id: str | None, external_id: str | None,
    ) -> Link:  # fmt: skip
        repo = LinkRepository(session)
        found: Link | None
        if link_id:
            return await self.get(session, workspace=workspace, link_id=link_id)
        if external_id:
            found = await repo.get_by_external_id(workspace.id, external_id.removeprefix("ext_"))
        elif domain and key:
            # A lookup: a domain that is no host name finds nothing (404), as an unknown one does.
            found = await repo.get_by_short_link(fold_host(domain), key.strip("/"))
            if found is not None and found.workspace_id != workspace.id:
                found = None  # another workspace's link does not exist for this key
        else:
            raise BadRequest(INFO_ARGS)
        if found is None:
            raise NotFound(NOT_FOUND)
        return found

    async def list_links(
        self, session: AsyncSession, *, where: LinkFilter, sort: LinkSort, order: SortOrder,
        page: int, page_size: int,
    ) -> list[Link]:  # fmt: skip
        return await LinkRepository(session).page(where, sort, order, page, page_size)

    async def count(self, session: AsyncSession, *, where: LinkFilter) -> int:
        return await LinkRepository(session).count(where)

    async def _new_key(
        self, repo: LinkRepository, body: LinkCreate, domain: str, settings: Settings
    ) -> str:
        prefix = (body.prefix or "").strip("/")
        if body.key:
            raw = f"{prefix}/{body.key}" if prefix else body.key
            key = rules.clean_key(raw, domain=domain, shared_host=settings.short_domain)
            if await repo.get_by_short_link(domain, key) is not None:
                raise Conflict(DUPLICATE_KEY)
            return key
        for _ in range(10):
            random = nanoid(body.key_length or 7)
            key = f"{prefix}/{random}" if prefix else random
            if not prefix and random.lower() in rules.RESERVED:
                continue
            key = rules.clean_key(key, domain=domain, shared_host=settings.short_domain)
            if await repo.get_by_short_link(domain, key) is None:
                return key
        raise Conflict("Could not find a free random key; pass a longer keyLength.")

    async def _move(
        self, repo: LinkRepository, link: Link, body: LinkUpdate, settings: Settings
    ) -> None:
        domain = rules.clean_domain(body.domain) if body.domain else link.domain
        raw_key = body.key if body.key else link.key
        key = rules.clean_key(raw_key, domain=domain, shared_host=settings.short_domain)
        if domain != link.domain:
            await _check_domain(repo, link.workspace_id, domain, settings)
        if (domain, key.lower()) == (link.domain, link.key_folded):
            link.key = key
            return
        if await repo.get_by_short_link(domain, key) is not None:
            raise Conflict(DUPLICATE_KEY)
        link.domain, link.key, link.key_folded = domain, key, key.lower()

    def _apply(self, link: Link, body: LinkFields, fields: set[str]) -> None:
        values: dict[str, Any] = body.model_dump(include=fields)
        rules.refuse_unkept(values)
        for name in _PLAIN:
            if name in fields:
                setattr(link, name, values[name] if values[name] is not None else _default(name))
        if "external_id" in fields:
            ext = values["external_id"]
            link.external_id = ext.removeprefix("ext_") if ext else None
        if "disabled" in fields:
            link.disabled_at = utcnow() if values["disabled"] else None
        if "expires_at" in fields:
            link.expires_at = values["expires_at"]
        self._apply_targets(link, values, fields)
        self._apply_utm(link, values, fields)

    def _apply_targets(self, link: Link, values: dict[str, Any], fields: set[str]) -> None:
        """The URLs besides `url` that a visitor may be sent to, each checked as `url` is; an
        empty one is unset."""
        for name, field in (("expired_url", "expiredUrl"), ("ios", "ios"), ("android", "android")):
            if name in fields:
                setattr(link, name, rules.clean_url(values[name], field) if values[name] else None)
        if "geo" in fields:
            given: dict[str, str] = values["geo"] or {}
            geo = {cc: rules.clean_url(url, f"geo.{cc}") for cc, url in given.items() if url}
            link.geo = geo or None

    def _apply_utm(self, link: Link, values: dict[str, Any], fields: set[str]) -> None:
        given = {name: values[name] for name in rules.UTM_FIELDS if name in fields}
        if values.get("ref"):
            given["ref"] = values["ref"]
        if given:
            link.url = rules.with_utm(link.url, given)
        for name, value in rules.utm_of(link.url).items():
            if value is not None and len(value) > UTM_LENGTH:
                raise UnprocessableEntity(
                    f"too_big: {name}: Too big: expected string to have <={UTM_LENGTH} characters"
                )
            setattr(link, name, value)

    async def _check_external_id(self, repo: LinkRepository, link: Link) -> None:
        if link.external_id is None:
            return
        with repo.session.no_autoflush:  # flushing the change first would fail on the constraint
            other = await repo.get_by_external_id(link.workspace_id, link.external_id)
        if other is not None and other.id != link.id:
            raise Conflict(f"A link with the externalId {link.external_id!r} already exists.")


def _default(name: str) -> Any:
    return False if name in {"track_conversion", "archived", "proxy", "rewrite", "do_index",
                             "public_stats"} else None  # fmt: skip


async def _check_domain(
    repo: LinkRepository, workspace: Workspace | str, domain: str, settings: Settings
) -> None:
    """A domain other than the shared one belongs to the first workspace to use it."""
    if domain == settings.short_domain:
        return
    workspace_id = workspace if isinstance(workspace, str) else workspace.id
    if await repo.claim_domain(domain, workspace_id) != workspace_id:
        raise Forbidden(f"The domain {domain} belongs to another workspace.")


async def _check_folder(session: AsyncSession, link: Link, fields: set[str]) -> None:
    """A folderId names one of the workspace's folders (`POST /folders`)."""
    if "folder_id" not in fields or link.folder_id is None:
        return
    with session.no_autoflush:  # the link's other changes are checked before they are flushed
        found = await FolderRepository(session).get(link.workspace_id, link.folder_id)
    if found is None:
        raise UnprocessableEntity(f"Invalid folderId detected: {link.folder_id}")


def _split(value: list[str] | str | None) -> list[str] | None:
    """A list, or `a,b` in one string, as Dub reads tagIds and tagNames."""
    if value is None:
        return None
    return value.split(",") if isinstance(value, str) else value


async def _named_tags(
    session: AsyncSession, link: Link, body: LinkFields, fields: set[str]
) -> list[Tag] | None:
    """The tags the body names, which replace the link's; None when it names none (the link
    keeps its own). Dub's rules: `tagIds` (or the deprecated `tagId`, null for none) win over
    `tagNames`."""
    ids = _split(body.tag_ids) if "tag_ids" in fields else None
    if ids is None and "tag_id" in fields:
        ids = [body.tag_id] if body.tag_id else []
    names = _split(body.tag_names) if "tag_names" in fields else None
    if ids is None and names is None:
        return None
    wanted = list(dict.fromkeys(ids)) if ids is not None else None
    return await tag_service.for_link(session, link.workspace_id, ids=wanted, names=names)


async def _flush(repo: LinkRepository, link: Link) -> None:
    try:
        await repo.add(link)
    except IntegrityError as exc:  # a concurrent request took the key or externalId first
        raise Conflict(DUPLICATE_KEY) from exc


link = LinkService()


async def _announce(session: AsyncSession, link: Link, trigger: str, settings: Settings) -> None:
    """The link's webhook event, in the transaction of the change."""

    async def data() -> dict[str, Any]:
        return payloads.link_data(link, settings)

    await outbox.emit(session, link.workspace_id, trigger, data)
