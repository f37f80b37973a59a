"""The members app's tables, one module per subject: people and their roles
(people.py), what businesses report (metrics.py), the email outbox
(outbound.py). Import them from here: `from members.models import Business`."""

from .metrics import (
    ApiToken,
    ApiTokenQuerySet,
    ImportStatus,
    MetricImportJob,
    MetricImportJobQuerySet,
    MetricReport,
    MetricReportQuerySet,
    MetricValue,
)
from .outbound import OutboundEmail
from .people import (
    Business,
    BusinessQuerySet,
    BusinessRole,
    BusinessTenantQuerySet,
    BusinessUser,
    BusinessUserQuerySet,
    Invitation,
    InvitationKind,
    InvitationQuerySet,
    Membership,
    MembershipQuerySet,
    MembershipStatus,
    User,
    UserManager,
    business_scope_q,
)

__all__ = [
    "ApiToken",
    "ApiTokenQuerySet",
    "Business",
    "BusinessQuerySet",
    "BusinessRole",
    "BusinessTenantQuerySet",
    "BusinessUser",
    "BusinessUserQuerySet",
    "ImportStatus",
    "Invitation",
    "InvitationKind",
    "InvitationQuerySet",
    "Membership",
    "MembershipQuerySet",
    "MembershipStatus",
    "MetricImportJob",
    "MetricImportJobQuerySet",
    "MetricReport",
    "MetricReportQuerySet",
    "MetricValue",
    "OutboundEmail",
    "User",
    "UserManager",
    "business_scope_q",
]
