"""Who may do what in a household: every service of this blueprint asks here, and here asks
the one tenancy helper (``services.tenancy``)."""

from __future__ import annotations

from ...errors import NotFound
from ...models import Household, User
from ...services import locks, tenancy


def require(user: User, household_id: int, role: str = "viewer") -> tuple[Household, str]:
    """The household and the caller's role in it; 404 for a non-member, 403 below ``role``."""
    household = tenancy.require_role(user, household_id, role)
    found = tenancy.role_in(user, household_id)
    assert found is not None  # require_role answered 404 otherwise
    return household, found


def known_id(value: int, what: str) -> int:
    """A path id that a database integer can hold; any other names nothing (404, not a 500)."""
    if not 1 <= value <= tenancy.MAX_ID:
        raise NotFound(what)
    return value


def lock(household_id: int) -> None:
    """Make the writers of one household take turns (held until commit). Taken before the role
    is read, so a role changed by a writer just before is the one checked."""
    locks.lock_household(household_id)
