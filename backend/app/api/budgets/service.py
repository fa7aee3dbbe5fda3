"""Budgets and their progress. Reads are limited to the user's households; writes need an editor
and take the household's lock. Used and forecast are the billing figures of §11
(``analytics.billing.group_figures``) over the budget's current month or billing period."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import Select, func, select

from ...errors import InvalidField, NotFound
from ...extensions import db
from ...models import Budget, Meter, User
from ...services import alerts, events, locks, tenancy
from ..analytics.groups import EXACT
from ..common import MAX_ID
from .progress import group_of, progress
from .schemas import BudgetCreate, BudgetOut, BudgetQuery, BudgetUpdate

HUNDRED = Decimal(100)
CENT = Decimal("0.01")

BUDGET_CREATED = "budget.created"
BUDGET_UPDATED = "budget.updated"
BUDGET_DELETED = "budget.deleted"


def answer(budget: Budget) -> dict[str, Any]:
    now = progress(budget)
    group = group_of(budget)
    return BudgetOut.model_validate(
        {
            "id": budget.id,
            "household_id": budget.household_id,
            "name": budget.name,
            "meter_id": budget.meter_id,
            "type": budget.type,
            "period": budget.period,
            "limit_amount": None if budget.limit_milli is None else Decimal(budget.limit_milli).scaleb(-3),
            "limit_cost": None if budget.limit_cents is None else Decimal(budget.limit_cents).scaleb(-2),
            "unit": group.unit or None if budget.limit_milli is not None else None,
            "thresholds": budget.thresholds,
            "progress": {
                "period": {"from": now.start, "to": now.end},
                "used": now.used,
                "limit": now.limit,
                "pct": now.pct.quantize(CENT, context=EXACT),
                "forecast": now.forecast,
                "forecast_pct": now.forecast_pct.quantize(CENT, context=EXACT),
            },
            "created_at": budget.created_at,
            "updated_at": budget.updated_at,
        }
    ).model_dump(mode="json", by_alias=True)


def _scoped(user: User, household_id: int | None = None) -> Select[tuple[Budget]]:
    ids = tenancy.readable_ids(user)
    if household_id is not None:
        ids = [household_id] if household_id in ids else []
    return select(Budget).where(Budget.household_id.in_(ids))


def list_budgets(user: User, query: BudgetQuery) -> tuple[list[dict[str, Any]], int]:
    stmt = _scoped(user, query.household_id)
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    page = db.session.scalars(
        stmt.order_by(Budget.household_id, Budget.name, Budget.id)
        .limit(query.per_page)
        .offset((query.page - 1) * query.per_page)
    )
    return [answer(budget) for budget in page], total


def _budget(user: User, budget_id: int) -> Budget:
    if not 1 <= budget_id <= MAX_ID:
        raise NotFound("Budget")
    budget = db.session.scalar(_scoped(user).where(Budget.id == budget_id))
    if budget is None:
        raise NotFound("Budget")
    return budget


def household_of(user: User, budget_id: int) -> int:
    """The household of a budget the user may read (else 404), the budget itself not loaded (it
    is read after the household's data version)."""
    if not 1 <= budget_id <= MAX_ID:
        raise NotFound("Budget")
    found = db.session.scalar(_scoped(user).with_only_columns(Budget.household_id).where(Budget.id == budget_id))
    if found is None:
        raise NotFound("Budget")
    return int(found)


def get_budget(user: User, budget_id: int) -> dict[str, Any]:
    return answer(_budget(user, budget_id))


def _writable(user: User, budget_id: int) -> Budget:
    household_id = _budget(user, budget_id).household_id
    tenancy.require_role(user, household_id, "editor")
    locks.lock_household(household_id)
    budget = db.session.scalar(select(Budget).where(Budget.id == budget_id).execution_options(populate_existing=True))
    if budget is None or budget.household_id != household_id:
        raise NotFound("Budget")
    return budget


def _meter_of(user: User, meter_id: int, household_id: int | None) -> Meter:
    meter = db.session.scalar(tenancy.scoped(Meter, user).where(Meter.id == meter_id))
    if meter is None or (household_id is not None and meter.household_id != household_id):
        raise InvalidField("meter_id", "Meter not found.", "not_found")
    return meter


def _set_limit(budget: Budget, amount: Decimal | None, cost: Decimal | None) -> None:
    if amount is not None:
        budget.limit_milli, budget.limit_cents = int(amount.scaleb(3)), None
    if cost is not None:
        budget.limit_milli, budget.limit_cents = None, int(cost.scaleb(2))


def _changed(budget: Budget, type_: str) -> dict[str, Any]:
    db.session.flush()
    out = answer(budget)
    events.emit_household(budget.household_id, type_, budget=out)
    alerts.after_write(budget.household_id)
    db.session.commit()
    return out


def create_budget(user: User, data: BudgetCreate) -> dict[str, Any]:
    if data.meter_id is not None:
        meter = _meter_of(user, data.meter_id, data.household_id)
        tenancy.require_role(user, meter.household_id, "editor", field="meter_id")
        household_id = meter.household_id
    else:
        household_id = tenancy.target_household(user, data.household_id, "editor").id
    locks.lock_household(household_id)
    budget = Budget(
        household_id=household_id,
        name=data.name,
        meter_id=data.meter_id,
        type=data.type,
        period=data.period,
        thresholds=data.thresholds,
        created_by=user.id,
    )
    _set_limit(budget, data.limit_amount, data.limit_cost)
    db.session.add(budget)
    return _changed(budget, BUDGET_CREATED)


def update_budget(user: User, budget_id: int, data: BudgetUpdate) -> dict[str, Any]:
    budget = _writable(user, budget_id)
    if data.name is not None:
        budget.name = data.name
    if data.meter_id is not None:
        budget.meter_id, budget.type = _meter_of(user, data.meter_id, budget.household_id).id, None
    if data.type is not None:
        budget.meter_id, budget.type = None, data.type
    if data.period is not None:
        budget.period = data.period
    _set_limit(budget, data.limit_amount, data.limit_cost)
    if data.thresholds is not None:
        budget.thresholds = data.thresholds
    return _changed(budget, BUDGET_UPDATED)


def delete_budget(user: User, budget_id: int) -> None:
    budget = _writable(user, budget_id)
    events.emit_household(budget.household_id, BUDGET_DELETED, id=budget.id)
    db.session.delete(budget)
    db.session.commit()
