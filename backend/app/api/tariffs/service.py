"""Tariff versions of meters. Reads go through ``tenancy.scoped``; writes through
``tenancy.require_role`` (editor) and the household's lock, like every write of meter data.

A write with ``dry_run`` computes what it would change in the meter's costs up to today and
writes nothing.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from ...errors import Conflict, NotFound
from ...extensions import db
from ...models import DailyRollup, Household, Meter, TariffVersion, User
from ...services import alerts, clock, costs, events, locks, tenancy
from ..common import MAX_ID
from .schemas import TariffCreate, TariffOut, TariffUpdate

CHANGED = "tariff.changed"
DUPLICATE = "The meter already has a tariff version from that day."


def _micro(value: Decimal) -> int:
    return int(value.scaleb(6))


def _milli(value: Decimal) -> int:
    return int(value.scaleb(3))


def today_in(household: Household) -> date:
    return clock.now().astimezone(ZoneInfo(household.timezone)).date()


def meter_for(user: User, meter_id: int, needed: str = "viewer") -> Meter:
    """The meter, if the user may read it (else 404); for ``editor``, also the role (else 403),
    read again under the household's lock."""
    if not 1 <= meter_id <= MAX_ID:
        raise NotFound("Meter")
    meter = db.session.scalar(tenancy.scoped(Meter, user).where(Meter.id == meter_id))
    if meter is None:
        raise NotFound("Meter")
    if needed != "viewer":
        household_id = meter.household_id
        tenancy.require_role(user, household_id, needed)
        locks.lock_household(household_id)
        meter = db.session.scalar(select(Meter).where(Meter.id == meter_id).execution_options(populate_existing=True))
        if meter is None or meter.household_id != household_id:
            raise NotFound("Meter")
    return meter


def _versions(meter: Meter) -> list[TariffVersion]:
    return list(
        db.session.scalars(
            select(TariffVersion).where(TariffVersion.meter_id == meter.id).order_by(TariffVersion.valid_from)
        )
    )


def payloads(versions: list[TariffVersion]) -> list[dict[str, Any]]:
    """The versions as answered, each with the day before the next one as ``valid_to``."""
    ordered = sorted(versions, key=lambda v: v.valid_from)
    out = []
    for index, version in enumerate(ordered):
        following = ordered[index + 1].valid_from if index + 1 < len(ordered) else None
        out.append(payload(version, None if following is None else following - timedelta(days=1)))
    return out


def payload(version: TariffVersion, valid_to: date | None) -> dict[str, Any]:
    return TariffOut.model_validate(
        {
            "id": version.id,
            "meter_id": version.meter_id,
            "valid_from": version.valid_from,
            "valid_to": valid_to,
            "unit_price": Decimal(version.unit_price_micro).scaleb(-6),
            "standing_charge": Decimal(version.standing_charge_micro).scaleb(-6),
            "tax_pct": Decimal(version.tax_pct_milli).scaleb(-3),
            "created_at": version.created_at,
        }
    ).model_dump(mode="json")


def list_tariffs(user: User, meter_id: int) -> list[dict[str, Any]]:
    return payloads(_versions(meter_for(user, meter_id)))


def _answer(meter: Meter, version: TariffVersion) -> dict[str, Any]:
    return next(p for p in payloads(_versions(meter)) if p["id"] == version.id)


def _version(meter: Meter, tariff_id: int) -> TariffVersion:
    if not 1 <= tariff_id <= MAX_ID:
        raise NotFound("Tariff")
    version = db.session.scalar(
        select(TariffVersion).where(TariffVersion.id == tariff_id, TariffVersion.meter_id == meter.id)
    )
    if version is None:
        raise NotFound("Tariff")
    return version


def _taken(meter: Meter, valid_from: date, except_id: int | None = None) -> bool:
    stmt = select(TariffVersion.id).where(TariffVersion.meter_id == meter.id, TariffVersion.valid_from == valid_from)
    if except_id is not None:
        stmt = stmt.where(TariffVersion.id != except_id)
    return db.session.scalar(stmt) is not None


def _changed(meter: Meter, version: TariffVersion, deleted: bool = False) -> None:
    tariff = payload(version, None) if deleted else _answer(meter, version)
    extra: dict[str, Any] = {"deleted": True} if deleted else {}
    events.emit_household(meter.household_id, CHANGED, meter_id=meter.id, tariff=tariff, **extra)
    alerts.after_write(meter.household_id)  # costs changed: cost budgets are checked again


# Dry runs --------------------------------------------------------------------------------


def _prices(versions: list[TariffVersion]) -> list[costs.Price]:
    return sorted((costs.Price.of(v) for v in versions), key=lambda p: p.valid_from)


def _changed_days(before: list[costs.Price], after: list[costs.Price], today: date) -> int:
    """Days up to today on which the prices that apply differ."""
    starts = sorted({p.valid_from for p in (*before, *after) if p.valid_from <= today})
    days = 0
    for index, start in enumerate(starts):
        end = starts[index + 1] - timedelta(days=1) if index + 1 < len(starts) else today
        old, new = costs.price_at(before, start), costs.price_at(after, start)
        if (old and old.rates) != (new and new.rates):
            days += (end - start).days + 1
    return days


def preview(meter: Meter, before: list[costs.Price], after: list[costs.Price]) -> dict[str, Any]:
    """The meter's cost up to today with the versions as they are and as they would be."""
    household = db.session.get(Household, meter.household_id)
    assert household is not None
    today = today_in(household)
    r = DailyRollup.__table__.c
    first_data, explicit = db.session.execute(
        select(func.min(r.date), func.coalesce(func.sum(r.cost_cents), 0)).where(
            r.household_id == meter.household_id, r.meter_id == meter.id, r.date <= today
        )
    ).one()
    starts = [p.valid_from for p in (*before, *after)]
    if first_data is not None:
        starts.append(first_data if isinstance(first_data, date) else date.fromisoformat(str(first_data)[:10]))
    totals = []
    for prices in (before, after):
        cost = costs.Cost(explicit_cents=int(explicit))
        if starts and min(starts) <= today:
            found = costs.tariff_costs(
                meter.household_id, [meter.id], min(starts), today, today, prices={meter.id: prices}
            )
            for part in found.values():
                cost.add(part)
        totals.append(cost.total)
    return {
        "days": _changed_days(before, after, today),
        "cost_before": totals[0],
        "cost_after": totals[1],
        "difference": totals[1] - totals[0],
    }


def _with(version: TariffVersion, data: TariffUpdate | TariffCreate) -> costs.Price:
    return costs.Price(
        data.valid_from or version.valid_from,
        version.unit_price_micro if data.unit_price is None else _micro(data.unit_price),
        version.standing_charge_micro if data.standing_charge is None else _micro(data.standing_charge),
        version.tax_pct_milli if data.tax_pct is None else _milli(data.tax_pct),
    )


# Writes ----------------------------------------------------------------------------------


def create_tariff(user: User, meter_id: int, data: TariffCreate, dry_run: bool) -> dict[str, Any]:
    meter = meter_for(user, meter_id, "editor")
    if _taken(meter, data.valid_from):
        raise Conflict(DUPLICATE)
    version = TariffVersion(
        household_id=meter.household_id,
        meter_id=meter.id,
        valid_from=data.valid_from,
        unit_price_micro=_micro(data.unit_price),
        standing_charge_micro=_micro(data.standing_charge),
        tax_pct_milli=_milli(data.tax_pct),
    )
    if dry_run:
        before = _prices(_versions(meter))
        return preview(meter, before, sorted([*before, costs.Price.of(version)], key=lambda p: p.valid_from))
    db.session.add(version)
    db.session.flush()
    _changed(meter, version)
    db.session.commit()
    return _answer(meter, version)


def update_tariff(user: User, meter_id: int, tariff_id: int, data: TariffUpdate, dry_run: bool) -> dict[str, Any]:
    meter = meter_for(user, meter_id, "editor")
    version = _version(meter, tariff_id)
    if data.valid_from is not None and _taken(meter, data.valid_from, except_id=version.id):
        raise Conflict(DUPLICATE)
    if dry_run:
        versions = _versions(meter)
        before = _prices(versions)
        after = sorted(
            [_with(v, data) if v.id == version.id else costs.Price.of(v) for v in versions], key=lambda p: p.valid_from
        )
        return preview(meter, before, after)
    changed = _with(version, data)
    version.valid_from = changed.valid_from
    version.unit_price_micro = changed.unit_price_micro
    version.standing_charge_micro = changed.standing_charge_micro
    version.tax_pct_milli = changed.tax_pct_milli
    db.session.flush()
    _changed(meter, version)
    db.session.commit()
    return _answer(meter, version)


def delete_tariff(user: User, meter_id: int, tariff_id: int, dry_run: bool) -> dict[str, Any] | None:
    meter = meter_for(user, meter_id, "editor")
    version = _version(meter, tariff_id)
    if dry_run:
        versions = _versions(meter)
        return preview(meter, _prices(versions), _prices([v for v in versions if v.id != version.id]))
    _changed(meter, version, deleted=True)
    db.session.delete(version)
    db.session.commit()
    return None
