"""The filters of /events and /analytics (spec §7.2): comma-separated values, and a leading `-`
that turns the list into an exclusion."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, false, or_, select, true
from sqlalchemy.sql.expression import FromClause

from clicktrail.models import Lead, Link


@dataclass(frozen=True, slots=True)
class Condition:
    values: tuple[str, ...]
    negated: bool = False

    @classmethod
    def parse(cls, raw: str) -> Condition:
        negated = raw.startswith("-")
        values = tuple(v.strip() for v in raw.removeprefix("-").split(",") if v.strip())
        return cls(values, negated)

    def on(self, column: Any) -> ColumnElement[bool]:
        matched: ColumnElement[bool] = column.in_(self.values)
        # A link with no tenant (folder, partner, external id) is none of the excluded ones;
        # SQL's NOT IN alone would leave it out.
        return or_(~matched, column.is_(None)) if self.negated else matched


# Query parameter -> click column, for the filters that are a click's own attribute.
CLICK_FILTERS = {
    "country": "country",
    "city": "city",
    "continent": "continent",
    "device": "device",
    "browser": "browser",
    "os": "os",
    "trigger": "trigger",
    "referer": "referer",
    "refererUrl": "referer_url",
    "url": "url",
}
# Query parameter -> link column, for the filters on the link an event belongs to.
LINK_FILTERS = {
    "domain": "domain",
    "tenantId": "tenant_id",
    "externalId": "external_id",
    "folderId": "folder_id",
    "partnerId": "partner_id",
}
# Filters on what clicktrail does not have (tags, partner groups): nothing matches them.
ABSENT = ("tagId", "tagIds", "groupId", "partnerTagId")
NAMES = (*CLICK_FILTERS, *LINK_FILTERS, "key", "linkId", "customerId", "region", "root", "qr",
         *ABSENT)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Filters:
    workspace_id: str
    given: Mapping[str, Condition] = field(default_factory=dict)

    @classmethod
    def parse(cls, workspace_id: str, params: Mapping[str, str]) -> Filters:
        return cls(workspace_id, {n: Condition.parse(params[n]) for n in NAMES if params.get(n)})

    def single_link(self) -> str | None:
        """The link id when a single link is all the filters ask for."""
        link = self.given.get("linkId")
        if set(self.given) != {"linkId"} or link is None or link.negated:
            return None
        return link.values[0] if len(link.values) == 1 else None

    def where(self, own: FromClause, click: FromClause, kind: str) -> list[ColumnElement[bool]]:
        """Conditions on events of `kind` in table `own`, whose click is `click`."""
        found = [own.c.workspace_id == self.workspace_id]
        for name, condition in self.given.items():
            found.append(self._condition(name, condition, own, click, kind))
        return found

    def _condition(
        self, name: str, condition: Condition, own: FromClause, click: FromClause, kind: str
    ) -> ColumnElement[bool]:
        if name in CLICK_FILTERS:
            return condition.on(click.c[CLICK_FILTERS[name]])
        if name == "region":
            return _region(condition, click)
        if name == "linkId":
            return condition.on(own.c.link_id)
        if name == "customerId":
            return _customer(condition, own, click, kind)
        if name == "qr":
            wanted = condition.values[:1] == ("true",)
            return (click.c.trigger == "qr") if wanted else (click.c.trigger != "qr")
        if name in ABSENT:
            return true() if condition.negated else false()
        return own.c.link_id.in_(self._links(name, condition))

    def _links(self, name: str, condition: Condition) -> Any:
        links = select(Link.id).where(Link.workspace_id == self.workspace_id)
        if name == "root":
            is_root = Link.key == "_root"
            return links.where(is_root if condition.values[:1] == ("true",) else ~is_root)
        if name == "key":
            domain = self.given.get("domain")
            key = Condition(tuple(k.lower() for k in condition.values), condition.negated)
            links = links.where(key.on(Link.key_folded))
            return links if domain is None else links.where(domain.on(Link.domain))
        values = condition
        if name == "externalId":
            values = Condition(tuple(v.removeprefix("ext_") for v in condition.values),
                               condition.negated)  # fmt: skip
        return links.where(values.on(getattr(Link, LINK_FILTERS[name])))


def _region(condition: Condition, click: FromClause) -> ColumnElement[bool]:
    """`US-CA` (as events show regions) or a bare `CA`."""
    qualified = click.c.country.concat("-").concat(click.c.region)
    column = qualified if all("-" in v for v in condition.values) else click.c.region
    return condition.on(column)


def _customer(
    condition: Condition, own: FromClause, click: FromClause, kind: str
) -> ColumnElement[bool]:
    """Leads and sales by their customer; clicks by the customer whose lead they brought."""
    if kind != "clicks":
        return condition.on(own.c.customer_id)
    brought = select(Lead.click_id).where(Lead.customer_id.in_(condition.values))
    return click.c.id.not_in(brought) if condition.negated else click.c.id.in_(brought)
