"""Groupings of per-link totals by what the link carries: its tags, its folder, its domain
(Dub's v4_group_by_link_metadata), and of per-URL totals by base URL.

The per-link totals are those `top_links` counts, from the rollups or from the events alike,
so every filter applies. A link with several tags counts under each of them; a link without a
tag (or folder) is in no row, as Dub leaves such links out."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from clicktrail.analytics.counting import Counted
from clicktrail.models import Folder, Link, LinkTag, Tag

CHUNK = 5000  # link ids per query, well under SQLite's and asyncpg's bound parameter limits
Named = dict[str, dict[str, Any]]  # group value -> the fields that name its row


@dataclass(frozen=True, slots=True)
class LinkGroups:
    """`query(workspace_id, link_ids)` selects (link id, group value, *fields) rows;
    `name(value, fields)` is what the answer shows of the group."""

    query: Callable[[str, Sequence[str]], Select[*tuple[Any, ...]]]
    name: Callable[[str, Sequence[Any]], dict[str, Any]]


def _tags(workspace_id: str, link_ids: Sequence[str]) -> Select[*tuple[Any, ...]]:
    return (
        select(LinkTag.link_id, Tag.id, Tag.name, Tag.color)
        .join(Tag, Tag.id == LinkTag.tag_id)
        .where(Tag.workspace_id == workspace_id, LinkTag.link_id.in_(link_ids))
    )


def _folders(workspace_id: str, link_ids: Sequence[str]) -> Select[*tuple[Any, ...]]:
    # A folderId written before folders existed names no folder and is in no row.
    return (
        select(Link.id, Folder.id, Folder.name, Folder.access_level)
        .join(Folder, Folder.id == Link.folder_id)
        .where(
            Link.workspace_id == workspace_id,
            Folder.workspace_id == workspace_id,
            Link.id.in_(link_ids),
        )
    )


def _domains(workspace_id: str, link_ids: Sequence[str]) -> Select[*tuple[Any, ...]]:
    return select(Link.id, Link.domain).where(
        Link.workspace_id == workspace_id, Link.id.in_(link_ids)
    )


TAGS = LinkGroups(
    _tags,
    lambda value, f: {"tagId": value, "tag": {"id": value, "name": f[0], "color": f[1]}},
)
FOLDERS = LinkGroups(
    _folders,
    lambda value, f: {
        "folderId": value, "folder": {"id": value, "name": f[0], "accessLevel": f[1]}
    },
)  # fmt: skip
DOMAINS = LinkGroups(_domains, lambda value, _f: {"domain": value})


async def by_link(
    session: AsyncSession, workspace_id: str, per_link: Counted, groups: LinkGroups
) -> tuple[Counted, Named]:
    """The per-link totals added up per group, and each group's fields. Links that are gone
    (deleted, or another workspace's) are in no group."""
    counted: Counted = defaultdict(lambda: [0, 0, 0, 0])
    named: Named = {}
    ids = list(per_link)
    for start in range(0, len(ids), CHUNK):
        query = groups.query(workspace_id, ids[start : start + CHUNK])
        for link_id, value, *fields in await session.execute(query):
            _add(counted[str(value)], per_link[str(link_id)])
            named.setdefault(str(value), groups.name(str(value), fields))
    return counted, named


def base_url(url: str) -> str:
    """A destination URL without its query, as Dub's `splitByString('?', url)[1]` cuts it."""
    return url.split("?", 1)[0]


def by_base_url(per_url: Counted) -> tuple[Counted, Named]:
    counted: Counted = defaultdict(lambda: [0, 0, 0, 0])
    for url, counts in per_url.items():
        _add(counted[base_url(url)], counts)
    return counted, {value: {"url": value} for value in counted}


def _add(row: list[int], counts: Iterable[int]) -> None:
    for i, n in enumerate(counts):
        row[i] += n
