"""The tables. Every model is imported here so that Alembic and the tests see the whole schema."""

from clicktrail.models.account import Membership, Role, SignInFailure, User, UserSession
from clicktrail.models.api_key import APIKey
from clicktrail.models.base import Base
from clicktrail.models.click import Click, ClickVisitor
from clicktrail.models.conversion import Lead, LeadMark, Sale, SaleInvoice
from clicktrail.models.customer import Customer
from clicktrail.models.domain import Domain
from clicktrail.models.folder import Folder
from clicktrail.models.folding import Lease, LinkDeletion
from clicktrail.models.fx import FxSnapshot
from clicktrail.models.instance import InstanceSetting
from clicktrail.models.link import Link
from clicktrail.models.rollup import Rollup
from clicktrail.models.tag import LinkTag, Tag
from clicktrail.models.webhook import Webhook, WebhookAttempt, WebhookDelivery, WebhookEvent
from clicktrail.models.workspace import Plan, Workspace

__all__ = [
    "APIKey",
    "Base",
    "Click",
    "ClickVisitor",
    "Customer",
    "Domain",
    "Folder",
    "FxSnapshot",
    "InstanceSetting",
    "Lead",
    "LeadMark",
    "Lease",
    "Link",
    "LinkDeletion",
    "LinkTag",
    "Membership",
    "Plan",
    "Role",
    "Rollup",
    "Sale",
    "SaleInvoice",
    "SignInFailure",
    "Tag",
    "User",
    "UserSession",
    "Webhook",
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookEvent",
    "Workspace",
]
