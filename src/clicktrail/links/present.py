"""A stored link as the API shows it."""

from __future__ import annotations

from urllib.parse import quote

from clicktrail.config import Settings
from clicktrail.kit.clock import iso
from clicktrail.kit.ids import machine_user_id
from clicktrail.links import rules, schemas
from clicktrail.models import Link
from clicktrail.tags.schemas import LinkTag


def short_link(settings: Settings, domain: str, key: str) -> str:
    base = f"{settings.link_scheme}://{domain}"
    return base if key == rules.ROOT else f"{base}/{key}"


def present(link: Link, settings: Settings) -> schemas.Link:
    short = short_link(settings, link.domain, link.key)
    qr_base = f"{settings.link_scheme}://{settings.short_domain}"
    tags = [LinkTag(id=tag.id, name=tag.name, color=tag.color) for tag in link.tags]
    return schemas.Link(
        id=link.id, domain=link.domain, key=link.key, url=link.url,
        track_conversion=link.track_conversion, external_id=link.external_id,
        tenant_id=link.tenant_id, program_id=link.program_id, partner_id=link.partner_id,
        archived=link.archived, expires_at=iso(link.expires_at), expired_url=link.expired_url,
        disabled_at=iso(link.disabled_at), password=link.password, proxy=link.proxy,
        title=link.title, description=link.description, image=link.image, video=link.video,
        rewrite=link.rewrite, do_index=link.do_index, ios=link.ios, android=link.android,
        geo=link.geo, public_stats=link.public_stats, tags=tags, folder_id=link.folder_id,
        webhook_ids=[], comments=link.comments, short_link=short,
        qr_code=f"{qr_base}/qr?url={quote(short, safe='')}%3Fqr%3D1",
        utm_source=link.utm_source, utm_medium=link.utm_medium, utm_campaign=link.utm_campaign,
        utm_term=link.utm_term, utm_content=link.utm_content, test_variants=None,
        test_started_at=None, test_completed_at=None, user_id=machine_user_id(link.workspace_id),
        workspace_id=link.workspace_id, clicks=link.clicks, leads=link.leads,
        conversions=link.conversions, sales=link.sales, sale_amount=link.sale_amount,
        last_clicked=iso(link.last_clicked), created_at=iso(link.created_at) or "",
        updated_at=iso(link.updated_at) or "", tag_id=None,
        project_id=link.workspace_id.removeprefix("ws_"),
    )  # fmt: skip
