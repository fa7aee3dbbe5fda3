from __future__ import annotations

from typing import Any

from flask import request

from ...security import current_user
from ...services.idempotency import idempotent
from ..caching import cached_item, cached_page, quarter_hour
from ..common import page_body
from ..decorators import authenticated, body, other_responses, paginated, query, response
from ..meters import service as meters
from . import bp, service
from .schemas import BudgetCreate, BudgetOut, BudgetPage, BudgetQuery, BudgetUpdate

WRITE_REFUSALS = {403: "Your role does not allow writing in this household", 404: "No such budget"}


def _owned() -> dict[str, Any]:
    """Validation context: ids in a body or query must be the caller's meters and households; a
    budget in the path is looked up first (another household's budget answers 404)."""
    user = current_user()
    if budget_id := (request.view_args or {}).get("budget_id"):
        service.get_budget(user, budget_id)
    return meters.id_checks(user)


@bp.get("/budgets")
@authenticated
@query(BudgetQuery, context=_owned)
@paginated(BudgetPage)
def list_budgets(query: BudgetQuery) -> Any:
    """List the budgets of your households (or of one), each with its progress."""
    user = current_user()
    compute = lambda: page_body(service.list_budgets(user, query), query)  # noqa: E731
    return cached_page(user, "budgets", query, BudgetPage, compute, query.household_id, quarter_hour())


@bp.post("/budgets")
@authenticated
@idempotent
@other_responses({403: "Your role does not allow writing in this household"})
@response(BudgetOut, 201)
@body(BudgetCreate, context=_owned)
def create_budget(data: BudgetCreate) -> Any:
    """Add a budget on a meter or a type; it answers its progress in the current period."""
    return service.create_budget(current_user(), data)


@bp.get("/budgets/<int:budget_id>")
@authenticated
@other_responses({404: "No such budget"})
@response(BudgetOut)
def get_budget(budget_id: int) -> Any:
    """One budget with its progress."""
    user = current_user()
    household_id = service.household_of(user, budget_id)  # 404 unless readable
    compute = lambda: service.get_budget(user, budget_id)  # noqa: E731 (read again after the version)
    return cached_item(household_id, "budget", budget_id, BudgetOut, compute, quarter_hour())


@bp.patch("/budgets/<int:budget_id>")
@authenticated
@other_responses(WRITE_REFUSALS)
@response(BudgetOut)
@body(BudgetUpdate, context=_owned)
def update_budget(data: BudgetUpdate, budget_id: int) -> Any:
    """Change some fields of a budget."""
    return service.update_budget(current_user(), budget_id, data)


@bp.delete("/budgets/<int:budget_id>")
@authenticated
@other_responses(WRITE_REFUSALS)
@response(None, 204, "Deleted")
def delete_budget(budget_id: int) -> Any:
    """Delete a budget."""
    service.delete_budget(current_user(), budget_id)
