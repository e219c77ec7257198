from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any, TypeVar

from sqlalchemy import Select, delete, false, func, or_, select
from sqlalchemy import insert as insert_rows
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from clicktrail.kit.clock import utcnow
from clicktrail.links.schemas import LinkSort, SortOrder
from clicktrail.models import Domain, Link, LinkDeletion, LinkTag, Tag
from clicktrail.storage.sql import insert

_SORT_COLUMNS: dict[LinkSort, tuple[Any, ...]] = {
    LinkSort.created_at: (Link.created_at,),
    LinkSort.clicks: (Link.clicks,),
    # normalised parts (storage/totals.py) sort as the totals they make
    LinkSort.sale_amount: (Link.sale_amount_high, Link.sale_amount_low),
    LinkSort.last_clicked: (Link.last_clicked,),
}


@dataclass(frozen=True, slots=True)
class LinkFilter:
    workspace_id: str
    domain: str | None = None
    tenant_id: str | None = None
    search: str | None = None
    show_archived: bool = False
    folder_id: str | None = None
    # Links with any of these tags: by id, else by name (case-insensitive).
    tag_ids: tuple[str, ...] = ()
    tag_names: tuple[str, ...] = ()
    other_user: bool = False  # another user's id: no link here is (all are the workspace's)


class LinkRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, workspace_id: str, link_id: str) -> Link | None:
        return await self.session.scalar(
            select(Link).where(Link.workspace_id == workspace_id, Link.id == link_id)
        )

    async def get_by_external_id(self, workspace_id: str, external_id: str) -> Link | None:
        return await self.session.scalar(
            select(Link).where(Link.workspace_id == workspace_id, Link.external_id == external_id)
        )

    async def get_by_short_link(self, domain: str, key: str) -> Link | None:
        """Across workspaces: a short link is globally unique, so callers check ownership."""
        return await self.session.scalar(
            select(Link).where(Link.domain == domain, Link.key_folded == key.lower())
        )

    async def claim_domain(self, domain: str, workspace_id: str) -> str:
        """The id of the workspace that owns `domain`: this one, if nobody did before."""
        dialect = self.session.get_bind().dialect.name
        stmt = insert(Domain.__table__, dialect).values(domain=domain, workspace_id=workspace_id)
        await self.session.execute(stmt.on_conflict_do_nothing(index_elements=["domain"]))
        owner = await self.session.scalar(
            select(Domain.workspace_id).where(Domain.domain == domain)
        )
        return str(owner)

    async def add(self, link: Link) -> Link:
        self.session.add(link)
        await self.session.flush()
        return link

    async def set_tags(self, link: Link, tags: list[Tag]) -> None:
        """Replace the (flushed) link's tags, stamped a millisecond apart in the order given,
        so that the link shows them in that order, as Dub does."""
        await self.session.execute(delete(LinkTag).where(LinkTag.link_id == link.id))
        now = utcnow()
        rows = [
            {"link_id": link.id, "tag_id": tag.id, "created_at": now + timedelta(milliseconds=n)}
            for n, tag in enumerate(tags)
        ]
        if rows:
            await self.session.execute(insert_rows(LinkTag), rows)
        set_committed_value(link, "tags", tags)

    async def remove(self, link: Link) -> None:
        """Delete a link's row (its key is free at once) and leave a note for the folder, which
        takes its events out of the analytics and deletes its clicks (folding/)."""
        await self.session.execute(delete(LinkTag).where(LinkTag.link_id == link.id))
        await self.session.execute(delete(Link).where(Link.id == link.id))
        self.session.add(LinkDeletion(link_id=link.id, workspace_id=link.workspace_id))
        await self.session.flush()

    async def page(
        self, where: LinkFilter, sort: LinkSort, order: SortOrder, page: int, size: int
    ) -> list[Link]:
        columns = _SORT_COLUMNS[sort]
        # Never-clicked links sort as the smallest values on every database, as on Dub's MySQL
        # (PostgreSQL would otherwise put NULLs first when descending, SQLite last).
        if order is SortOrder.asc:
            ordering = [column.asc().nulls_first() for column in columns]
        else:
            ordering = [column.desc().nulls_last() for column in columns]
        stmt = _filtered(select(Link), where).order_by(*ordering, Link.id.desc())
        stmt = stmt.limit(size).offset((page - 1) * size)
        return list((await self.session.scalars(stmt)).all())

    async def count(self, where: LinkFilter) -> int:
        stmt = _filtered(select(func.count()).select_from(Link), where)
        return int(await self.session.scalar(stmt) or 0)

    async def page_after(
        self, where: LinkFilter, cursor: str, *, before: bool, size: int
    ) -> list[Link]:
        """Newest first by id (ids are ULIDs, in creation order), as Dub pages by cursor: the
        `size` links just older than `cursor`, or with `before`, the `size` just newer."""
        stmt = _filtered(select(Link), where)
        if before:
            stmt = stmt.where(Link.id > cursor).order_by(Link.id.asc()).limit(size)
            return sorted((await self.session.scalars(stmt)).all(), key=_id, reverse=True)
        stmt = stmt.where(Link.id < cursor).order_by(Link.id.desc()).limit(size)
        return list((await self.session.scalars(stmt)).all())

    async def first_with_url(self, workspace_id: str, url: str) -> Link | None:
        """The oldest of the workspace's links to `url` (Dub's upsert key)."""
        stmt = select(Link).where(Link.workspace_id == workspace_id, Link.url == url)
        return await self.session.scalar(stmt.order_by(Link.created_at, Link.id).limit(1))

    async def counts_by(self, where: LinkFilter, column: str) -> list[tuple[str | None, int]]:
        """How many links each value of `column` has, the most first."""
        group = getattr(Link, column)
        counted = func.count().label("n")
        stmt = _filtered(select(group, counted), where).group_by(group)
        rows = await self.session.execute(stmt.order_by(counted.desc(), group.asc().nulls_last()))
        return [(row[0], int(row[1])) for row in rows]

    async def counts_by_tag(self, where: LinkFilter) -> list[tuple[str, int]]:
        """How many of the filtered links each tag has, the most first."""
        counted = func.count().label("n")
        tag_id: Any = LinkTag.tag_id  # untyped, as counts_by's column, for _filtered's bound
        stmt = select(tag_id, counted).join(Link, Link.id == LinkTag.link_id)
        stmt = _filtered(stmt, where).group_by(tag_id)
        rows = await self.session.execute(stmt.order_by(counted.desc(), tag_id.asc()))
        return [(row[0], int(row[1])) for row in rows]


def _tagged(where: LinkFilter) -> Select[Any]:
    """The ids of the links that have one of the filter's tags."""
    stmt: Select[Any] = select(LinkTag.link_id)
    if where.tag_ids:
        return stmt.where(LinkTag.tag_id.in_(where.tag_ids))
    folded = {name.lower() for name in where.tag_names}
    stmt = stmt.join(Tag, Tag.id == LinkTag.tag_id)
    return stmt.where(Tag.workspace_id == where.workspace_id, func.lower(Tag.name).in_(folded))


def _id(link: Link) -> str:
    return link.id


S = TypeVar("S", bound=Select[Any])


def _filtered(stmt: S, where: LinkFilter) -> S:
    stmt = stmt.where(Link.workspace_id == where.workspace_id)
    if where.domain:
        stmt = stmt.where(Link.domain == where.domain)
    if where.tenant_id:
        stmt = stmt.where(Link.tenant_id == where.tenant_id)
    if not where.show_archived:
        stmt = stmt.where(Link.archived.is_(False))
    if where.folder_id:
        stmt = stmt.where(Link.folder_id == where.folder_id)
    if where.other_user:
        stmt = stmt.where(false())
    if where.tag_ids or where.tag_names:
        stmt = stmt.where(Link.id.in_(_tagged(where)))
    if where.search:
        matches = [c.icontains(where.search, autoescape=True) for c in (Link.url, Link.key)]
        stmt = stmt.where(or_(*matches))
    return stmt
