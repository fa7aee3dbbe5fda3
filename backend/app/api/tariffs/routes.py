from __future__ import annotations

from typing import Any

from flask import jsonify, request

from ...security import current_user
from ..decorators import authenticated, body, other_responses, query, response
from . import bp, service
from .schemas import CostChange, DryRunQuery, TariffCreate, TariffList, TariffOut, TariffUpdate

TARIFFS = "/meters/<int:meter_id>/tariffs"
WRITE_REFUSALS = {403: "Your role does not allow writing in this household", 404: "No such meter or tariff"}
DRY_RUN = "With dry_run: what the change would do to the meter's costs up to today (nothing written)"


def _meter_first() -> dict[str, Any]:
    """Validation context: the meter in the path is looked up first, so another household's
    meter answers 404 whatever the body says."""
    service.meter_for(current_user(), (request.view_args or {})["meter_id"])
    return {}


def _preview(change: dict[str, Any]) -> Any:
    return jsonify(CostChange.model_validate(change).model_dump(mode="json"))


@bp.get(TARIFFS)
@authenticated
@other_responses({404: "No such meter"})
@response(TariffList)
def list_tariffs(meter_id: int) -> Any:
    """The meter's tariff versions, oldest first."""
    return {"items": service.list_tariffs(current_user(), meter_id)}


@bp.post(TARIFFS)
@authenticated
@other_responses({**WRITE_REFUSALS, 409: "The meter has a version from that day", 200: DRY_RUN}, {200: CostChange})
@response(TariffOut, 201)
@query(DryRunQuery, context=_meter_first)
@body(TariffCreate, context=_meter_first)
def create_tariff(data: TariffCreate, meter_id: int, query: DryRunQuery) -> Any:
    """Add a tariff version; it changes the meter's costs from its valid_from on, past days too."""
    result = service.create_tariff(current_user(), meter_id, data, query.dry_run)
    return _preview(result) if query.dry_run else result


@bp.patch(f"{TARIFFS}/<int:tariff_id>")
@authenticated
@other_responses({**WRITE_REFUSALS, 409: "The meter has another version from that day"}, {200: CostChange})
@response(TariffOut, description=f"The changed version. {DRY_RUN}")
@query(DryRunQuery, context=_meter_first)
@body(TariffUpdate, context=_meter_first)
def update_tariff(data: TariffUpdate, meter_id: int, tariff_id: int, query: DryRunQuery) -> Any:
    """Change a tariff version (its prices or valid_from); past costs follow."""
    result = service.update_tariff(current_user(), meter_id, tariff_id, data, query.dry_run)
    return _preview(result) if query.dry_run else result


@bp.delete(f"{TARIFFS}/<int:tariff_id>")
@authenticated
@other_responses({**WRITE_REFUSALS, 200: DRY_RUN}, {200: CostChange})
@response(None, 204, "Deleted")
@query(DryRunQuery, context=_meter_first)
def delete_tariff(meter_id: int, tariff_id: int, query: DryRunQuery) -> Any:
    """Delete a tariff version: the version before it then applies until the next one."""
    result = service.delete_tariff(current_user(), meter_id, tariff_id, query.dry_run)
    return _preview(result) if result is not None else None
