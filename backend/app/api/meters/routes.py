from __future__ import annotations

from typing import Any

from ...security import current_user
from ...services import tenancy
from ...services.idempotency import idempotent
from ..caching import cached_page
from ..decorators import authenticated, body, other_responses, query, response
from . import bp, service
from .schemas import MeterCreate, MeterDeleteQuery, MeterList, MeterListQuery, MeterOut, MeterUpdate


def _households() -> dict[str, Any]:
    """Validation context: a ``household_id`` must name one of the caller's households."""
    user = current_user()
    return {"household_exists": lambda household_id: tenancy.readable(user, household_id)}


@bp.get("/meters")
@authenticated
@response(MeterList)
@query(MeterListQuery, context=_households)
def list_meters(query: MeterListQuery) -> Any:
    """List the meters of your households (or of one)."""
    user = current_user()
    compute = lambda: {"items": service.list_meters(user, query.household_id)}  # noqa: E731
    return cached_page(user, "meters", query, MeterList, compute, query.household_id)


@bp.post("/meters")
@authenticated
@idempotent
@other_responses({403: "Your role does not allow writing in this household", 409: "Name already used"})
@response(MeterOut, 201)
@body(MeterCreate, context=_households)
def create_meter(data: MeterCreate) -> Any:
    """Add a meter; the unit must suit the type."""
    return service.create_meter(current_user(), data)


@bp.get("/meters/<int:meter_id>")
@authenticated
@other_responses({404: "No such meter"})
@response(MeterOut)
def get_meter(meter_id: int) -> Any:
    """One meter."""
    return service.get_meter(current_user(), meter_id)


@bp.patch("/meters/<int:meter_id>")
@authenticated
@other_responses(
    {
        403: "Your role does not allow writing in this household",
        404: "No such meter",
        409: "Name taken, or type/unit change on a meter with records",
    }
)
@response(MeterOut)
@body(MeterUpdate)
def update_meter(data: MeterUpdate, meter_id: int) -> Any:
    """Rename, archive, or (while it has no records) change the type and unit of a meter."""
    return service.update_meter(current_user(), meter_id, data)


@bp.delete("/meters/<int:meter_id>")
@authenticated
@other_responses(
    {
        403: "Your role does not allow writing in this household",
        404: "No such meter",
        409: "The meter has records and cascade is not set",
    }
)
@response(None, 204, "Deleted")
@query(MeterDeleteQuery)
def delete_meter(meter_id: int, query: MeterDeleteQuery) -> Any:
    """Delete a meter; with records only when cascade=true, which deletes them too."""
    service.delete_meter(current_user(), meter_id, query.cascade)
