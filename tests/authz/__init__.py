"""The authorization matrix: one table of URL x role -> expected status.

Each module in this package defines ROWS; test_matrix.py runs them all and
checks that every named URL of the project appears in some row. Later
features add a module here (or rows to one)."""

from collections.abc import Callable
from dataclasses import dataclass, field

ROLES = (
    "anonymous",
    "business_user_a",
    # Also users of business_a, with roles association A granted: an editor,
    # and an owner whom only A granted (rows of business_a in B, where A's
    # grant does not reach, are in shared.py).
    "editor_a",
    "shared_owner_a",
    "business_user_b",
    "auditor",
    # Audits for A too, and is assigned to nothing: reaches no application.
    "unassigned_auditor_a",
    "staff_admin_a",
    "staff_viewer_a",
    "staff_b",
    "superuser",
)

LOGIN = 302  # anonymous visitors are sent to the login page


@dataclass(frozen=True)
class Row:
    name: str  # the URL name, "namespace:name"
    url: Callable  # two_associations -> the URL to request
    expect: dict  # role -> status; every role in ROLES
    method: str = "get"
    data: dict = field(default_factory=dict)
    setup: Callable | None = None  # two_associations -> extra context passed to url()

    def __post_init__(self):
        missing = set(ROLES) - set(self.expect)
        assert not missing, f"{self.name}: no expectation for {sorted(missing)}"


def statuses(default: int, **overrides: int) -> dict:
    return {role: overrides.get(role, default) for role in ROLES}


# The users of business_a whose roles association A granted.
USERS_OF_A = ("business_user_a", "editor_a", "shared_owner_a")


def users_of_a(status: int, **overrides: int) -> dict:
    """`status` for every user of business_a granted by A (for statuses(**...))."""
    return {role: overrides.get(role, status) for role in USERS_OF_A}
