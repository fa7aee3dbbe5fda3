"""Administration: users (search, activate/deactivate, role, delete) and statistics."""

from __future__ import annotations

import functools
import typing
from collections.abc import Callable
from typing import Any, TypeVar

from ...errors import Forbidden
from ...security import current_user
from ...services import audit
from ..auth.schemas import AuditPage
from ..decorators import annotate, authenticated, body, other_responses, paginated, query, response
from . import bp, service
from .schemas import AdminUserOut, AdminUserUpdate, AuditSearch, Stats, UserPage, UserSearch

F = TypeVar("F", bound=Callable[..., Any])


def admin_required(func: F) -> F:
    """Only administrators; everyone else gets 403 ``forbidden``."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if current_user().role != "admin":
            raise Forbidden("Administrator rights are required.")
        return func(*args, **kwargs)

    annotate(wrapper, responses={403: "Not an administrator"})
    return typing.cast(F, wrapper)


@bp.get("/users")
@authenticated
@admin_required
@query(UserSearch)
@paginated(UserPage)
def list_users(query: UserSearch) -> Any:
    """Accounts, newest first; ``q`` searches the e-mail address and the name."""
    return service.list_users(query)


@bp.patch("/users/<int:user_id>")
@authenticated
@admin_required
@other_responses({404: "No such user", 409: "Administrators cannot demote or deactivate themselves"})
@response(AdminUserOut)
@body(AdminUserUpdate)
def update_user(data: AdminUserUpdate, user_id: int) -> Any:
    """Activate or deactivate an account, or change its role.

    Deactivating revokes every session at once: the user's tokens stop working.
    """
    return service.update_user(current_user(), user_id, data)


@bp.delete("/users/<int:user_id>")
@authenticated
@admin_required
@other_responses({404: "No such user", 409: "Administrators cannot delete themselves"})
@response(None, 204, "The account and all its data were deleted")
def delete_user(user_id: int) -> Any:
    """Delete an account and all its data."""
    service.delete_user(current_user(), user_id)


@bp.get("/stats")
@authenticated
@admin_required
@response(Stats)
def stats() -> Any:
    """Counts of accounts, records, and accounts active in the last 30 days."""
    return service.stats()


@bp.get("/audit")
@authenticated
@admin_required
@query(AuditSearch)
@paginated(AuditPage)
def audit_log(query: AuditSearch) -> Any:
    """The audit log of every account, newest first; filter by account or kind of event."""
    return audit.page(query.page, query.per_page, user_id=query.user_id, event=query.event)
