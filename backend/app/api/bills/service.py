"""Bills, checked against the computed figures of the same meter and days. Reads are limited to the
user's households (``tenancy.household_ids``); writes need an editor and take the household's lock."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, func, select

from ...errors import InvalidField, NotFound
from ...extensions import db
from ...models import Attachment, Bill, Household, Meter, User
from ...services import attachments, clock, costs, events, locks, tenancy
from ..common import MAX_ID
from .schemas import BillCreate, BillOut, BillQuery, BillUpdate, period_error

HUNDRED = Decimal(100)


def _scoped(user: User, household_id: int | None = None) -> Select[tuple[Bill]]:
    ids = tenancy.readable_ids(user)
    if household_id is not None:
        ids = [household_id] if household_id in ids else []
    return select(Bill).where(Bill.household_id.in_(ids))


def answer(bill: Bill) -> dict[str, Any]:
    """The bill with the computed figures of its meter and days, and the difference."""
    household = db.session.get(Household, bill.household_id)
    assert household is not None
    today = clock.now().astimezone(ZoneInfo(household.timezone)).date()
    milli, cost = costs.meter_figures(bill.household_id, bill.meter_id, bill.period_from, bill.period_to, today)
    computed_amount = Decimal(milli).scaleb(-3)
    computed_cost = cost.total
    billed_amount = None if bill.amount_milli is None else Decimal(bill.amount_milli).scaleb(-3)
    billed_cost = Decimal(bill.cost_cents).scaleb(-2)
    difference = billed_cost - computed_cost
    pct = None
    if computed_cost != 0:
        pct = costs.round_cents(costs.EXACT.divide(costs.EXACT.multiply(difference, HUNDRED), computed_cost))
    return BillOut.model_validate(
        {
            "id": bill.id,
            "household_id": bill.household_id,
            "meter_id": bill.meter_id,
            "period_from": bill.period_from,
            "period_to": bill.period_to,
            "amount": billed_amount,
            "cost": billed_cost,
            "note": bill.note,
            "attachment_ids": bill.attachment_ids,
            "computed": {"amount": computed_amount, "cost": computed_cost},
            "difference": {
                "amount": None if billed_amount is None else billed_amount - computed_amount,
                "cost": difference,
                "cost_pct": pct,
            },
            "created_at": bill.created_at,
            "updated_at": bill.updated_at,
        }
    ).model_dump(mode="json")


def list_bills(user: User, query: BillQuery) -> tuple[list[dict[str, Any]], int]:
    stmt = _scoped(user, query.household_id)
    if query.meter_id is not None:
        stmt = stmt.where(Bill.meter_id == query.meter_id)
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    page = db.session.scalars(
        stmt.order_by(Bill.period_from.desc(), Bill.id.desc())
        .limit(query.per_page)
        .offset((query.page - 1) * query.per_page)
    )
    return [answer(bill) for bill in page], total


def _bill(user: User, bill_id: int) -> Bill:
    if not 1 <= bill_id <= MAX_ID:
        raise NotFound("Bill")
    bill = db.session.scalar(_scoped(user).where(Bill.id == bill_id))
    if bill is None:
        raise NotFound("Bill")
    return bill


def get_bill(user: User, bill_id: int) -> dict[str, Any]:
    return answer(_bill(user, bill_id))


def _writable(user: User, bill_id: int) -> Bill:
    household_id = _bill(user, bill_id).household_id
    tenancy.require_role(user, household_id, "editor")
    locks.lock_household(household_id)
    bill = db.session.scalar(select(Bill).where(Bill.id == bill_id).execution_options(populate_existing=True))
    if bill is None or bill.household_id != household_id:
        raise NotFound("Bill")
    return bill


def create_bill(user: User, data: BillCreate) -> dict[str, Any]:
    meter = db.session.scalar(tenancy.scoped(Meter, user).where(Meter.id == data.meter_id))
    if meter is None or (data.household_id is not None and meter.household_id != data.household_id):
        raise InvalidField("meter_id", "Meter not found.", "not_found")
    tenancy.require_role(user, meter.household_id, "editor", field="meter_id")
    locks.lock_household(meter.household_id)
    bill = Bill(
        household_id=meter.household_id,
        meter_id=meter.id,
        created_by=user.id,
        period_from=data.period_from,
        period_to=data.period_to,
        amount_milli=None if data.amount is None else int(data.amount.scaleb(3)),
        cost_cents=int(data.cost.scaleb(2)),
        note=data.note,
    )
    db.session.add(bill)
    db.session.flush()
    attachments.attach(bill.household_id, "bill_id", bill.id, data.attachment_ids, replace=False)
    attachments.refresh(bill)
    out = answer(bill)
    events.emit_household(bill.household_id, "bill.created", bill=out)
    db.session.commit()
    return out


def update_bill(user: User, bill_id: int, data: BillUpdate) -> dict[str, Any]:
    bill = _writable(user, bill_id)
    given = data.model_fields_set
    period_from = data.period_from or bill.period_from
    period_to = data.period_to or bill.period_to
    if problem := period_error(period_from, period_to):
        raise InvalidField("period_to" if "period_to" in given else "period_from", problem)
    bill.period_from, bill.period_to = period_from, period_to
    if "amount" in given:
        bill.amount_milli = None if data.amount is None else int(data.amount.scaleb(3))
    if data.cost is not None:
        bill.cost_cents = int(data.cost.scaleb(2))
    if "note" in given:
        bill.note = data.note
    if "attachment_ids" in given:
        attachments.attach(bill.household_id, "bill_id", bill.id, data.attachment_ids, replace=True)
        attachments.refresh(bill)
    db.session.flush()
    out = answer(bill)
    events.emit_household(bill.household_id, "bill.updated", bill=out)
    db.session.commit()
    return out


def delete_bill(user: User, bill_id: int) -> None:
    bill = _writable(user, bill_id)
    events.emit_household(bill.household_id, "bill.deleted", id=bill.id)
    attachments.forget(Attachment.bill_id == bill.id)  # the database deletes the rows with it
    db.session.delete(bill)
    db.session.commit()
