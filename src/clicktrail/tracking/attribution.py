"""From a click id to the click, its link and the customer it brought."""

from __future__ import annotations

from dataclasses import dataclass

from clicktrail.errors import BadRequest, NotFound
from clicktrail.kit.names import random_name
from clicktrail.models import Workspace
from clicktrail.tracking.repository import ClickRow, CustomerRow, LinkRow, TrackingRepository

EXTERNAL_ID_REQUIRED = "customerExternalId is required"


@dataclass(frozen=True, slots=True)
class Attribution:
    click: ClickRow
    link: LinkRow


@dataclass(frozen=True, slots=True)
class Person:
    name: str | None
    email: str | None
    avatar: str | None

    def display_name(self) -> str:
        return self.name or self.email or random_name()


def normalise_event(name: str) -> str:
    """Dedup key of an event name: `"Sign Up"` and `"sign-up"` are the same event."""
    return name.lower().replace(" ", "-")


def require_external(external: str | None) -> str:
    if not external:
        raise BadRequest(EXTERNAL_ID_REQUIRED)
    return external


async def attribute(
    repo: TrackingRepository, workspace: Workspace, click_id: str, what: str
) -> Attribution:
    """The click and its link, or the §1.5 error. A click of another workspace does not exist
    for this one (unlike Dub, we do not name the other workspace's link)."""
    click, link = await repo.click_and_link(click_id)
    if click is None or click.workspace_id != workspace.id:
        raise NotFound(f"Click event not found for clickId: {click_id}")
    if link is None or link.workspace_id != workspace.id:
        raise NotFound(f"Link not found for clickId: {click_id}")
    if link.disabled_at is not None:
        raise NotFound(f"Link {link.id} for clickId {click_id} is disabled, {what} not tracked")
    return Attribution(click=click, link=link)


async def customer_for(
    repo: TrackingRepository, workspace: Workspace, external: str, person: Person,
    found: Attribution,
) -> tuple[CustomerRow, bool]:  # fmt: skip
    """Get or create, race-safe; True when this call created it. Tracking never changes an
    existing customer."""
    return await repo.get_or_create_customer(
        {
            "workspace_id": workspace.id,
            "external_id": external,
            "name": person.display_name(),
            "email": person.email,
            "avatar": person.avatar,
            "click_id": found.click.id,
            "link_id": found.link.id,
            "country": found.click.country,
            "clicked_at": found.click.timestamp,
        }
    )
