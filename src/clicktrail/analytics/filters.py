"""The filters of /events and /analytics (spec §7.2): comma-separated values, and a leading `-`
that turns the list into an exclusion. A filter clicktrail cannot honour is refused with a 422
that names it, never ignored."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, quote_plus

from sqlalchemy import ColumnElement, and_, exists, false, func, literal, or_, select, true
from sqlalchemy.sql.expression import FromClause

from clicktrail.analytics.dimensions import UTM_PARAMETERS
from clicktrail.analytics.metadata import MetadataCondition, parse_query, where_all
from clicktrail.errors import UnprocessableEntity
from clicktrail.models import Lead, Link, LinkTag, Sale


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
# Filters on what clicktrail does not have (partner programs, groups and partner tags): refused
# with 422, as an answer that ignored them would be wrong.
REFUSED = {
    "programId": "clicktrail has no partner programs, so it cannot filter by program.",
    "groupId": "clicktrail has no partner groups, so it cannot filter by group.",
    "partnerTagId": "clicktrail has no partner tags, so it cannot filter by partner tag.",
}
SALE_TYPES = ("new", "recurring")
# request.py reads `tagIds` as `tagId`
NAMES = (*CLICK_FILTERS, *LINK_FILTERS, *UTM_PARAMETERS, "key", "linkId", "customerId", "region",
         "root", "qr", "saleType", "query", "tagId")  # fmt: skip


def _capitalised(word: str) -> str:
    return word[:1].upper() + word[1:]


def _dub_case(name: str, value: str) -> str:
    """Device, browser and OS values as Dub reads them: each word's first letter upper-cased
    (`mobile` is Mobile, `mobile safari` Mobile Safari), except that `iOS` stays iOS."""
    if name == "os" and value == "iOS":
        return value
    return " ".join(_capitalised(word) for word in value.split(" "))


@dataclass(frozen=True, slots=True)
class Filters:
    workspace_id: str
    given: Mapping[str, Condition] = field(default_factory=dict)

    metadata: tuple[MetadataCondition, ...] = ()

    @classmethod
    def parse(cls, workspace_id: str, params: Mapping[str, str]) -> Filters:
        for name, reason in REFUSED.items():
            if params.get(name):
                raise UnprocessableEntity(f"custom: {name}: {reason}")
        given = {n: _parsed(n, params[n]) for n in NAMES if params.get(n)}
        query = params.get("query")
        return cls(workspace_id, given, parse_query(query) if query else ())

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
        if name in UTM_PARAMETERS:
            return _utm(name, condition, click)
        if name == "saleType":
            return _sale_type(condition.values[0], own) if kind == "sales" else true()
        if name == "query":
            return where_all(self.metadata, None if kind == "clicks" else own.c.metadata)
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
        if name == "tagId":  # links with any of the tags; `-` keeps those with none of them
            tagged = Link.id.in_(
                select(LinkTag.link_id).where(LinkTag.tag_id.in_(condition.values))
            )
            return links.where(~tagged if condition.negated else tagged)
        values = condition
        if name == "externalId":
            values = Condition(tuple(v.removeprefix("ext_") for v in condition.values),
                               condition.negated)  # fmt: skip
        return links.where(values.on(getattr(Link, LINK_FILTERS[name])))


def _parsed(name: str, raw: str) -> Condition:
    if name == "query":
        return Condition((raw,))
    if name == "saleType":
        if raw not in SALE_TYPES:
            raise UnprocessableEntity(
                'invalid_value: saleType: Invalid option: expected one of "new"|"recurring"'
            )
        return Condition((raw,))
    condition = Condition.parse(raw)
    if name in ("device", "browser", "os"):
        values = tuple(_dub_case(name, value) for value in condition.values)
        return Condition(values, condition.negated)
    return condition


def _utm(name: str, condition: Condition, click: FromClause) -> ColumnElement[bool]:
    """Clicks whose URL carries `name` with one of the values (Dub looks for `name=value`,
    form-encoded, anywhere in the click's URL; here the whole parameter must match). Leads
    and sales inherit their click's URL."""
    url = click.c.url
    # Every parameter between `&`s, so that a value cannot match the start of a longer one.
    # replace() is case-sensitive on both databases, where LIKE is not on SQLite.
    params = literal("&").concat(func.replace(func.replace(url, "?", "&"), "#", "&")).concat("&")
    found = [
        func.replace(params, f"&{name}={encoded}&", "") != params
        for value in condition.values
        for encoded in _encodings(value)
    ]
    matched = or_(false(), *found)
    return ~matched if condition.negated else matched


# Characters a query string may hold as they are (RFC 3986), but for the separators & and #,
# and the + and ? that the forms and the split above read otherwise.
_AS_IS = "/:@!$'()*,;="


def _encodings(value: str) -> tuple[str, ...]:
    """The ways a URL may write `value`: form-encoded (a space as +), with every space and
    sign escaped, or with the signs a query string allows kept as they are."""
    return tuple(dict.fromkeys((quote_plus(value), quote(value, safe=""), quote(value, _AS_IS))))


def _sale_type(wanted: str, own: FromClause) -> ColumnElement[bool]:
    """A sale is new when its customer has no earlier sale through the same link, recurring
    otherwise (Dub's first_sale_by_link_customer, over all time, not only the window)."""
    earlier = Sale.__table__.alias("earlier")
    before = exists().where(
        and_(
            earlier.c.workspace_id == own.c.workspace_id,
            earlier.c.customer_id == own.c.customer_id,
            earlier.c.link_id == own.c.link_id,
            earlier.c.timestamp < own.c.timestamp,
        )
    )
    return ~before if wanted == "new" else before


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
