from __future__ import annotations

from typing import Any

from flask import request

from ...security import current_user
from ...services import tenancy
from ..decorators import authenticated, body, other_responses, paginated, query, response
from . import bp, service
from .schemas import ReadingCreate, ReadingOut, ReadingPage, ReadingQuery, ReadingUpdate

WRITE_REFUSALS = {403: "Your role does not allow writing in this household"}


def _owned_meters() -> dict[str, Any]:
    """Validation context: a ``meter_id`` must name a meter, and a ``household_id`` a household,
    of the caller's households. A reading in the path is looked up first (404 before 422)."""
    user = current_user()
    if reading_id := (request.view_args or {}).get("reading_id"):
        service.get_reading(user, reading_id)
    return {
        "meter_exists": lambda meter_id: service.meter_exists(user, meter_id),
        "household_exists": lambda household_id: tenancy.readable(user, household_id),
    }


@bp.get("/readings")
@authenticated
@query(ReadingQuery, context=_owned_meters)
@paginated(ReadingPage)
def list_readings(query: ReadingQuery) -> Any:
    """List the readings of your households' meters, with filters and pagination."""
    return service.list_readings(current_user(), query)


@bp.post("/readings")
@authenticated
@other_responses({**WRITE_REFUSALS, 409: "The meter already has a reading at this instant"})
@response(ReadingOut, 201)
@body(ReadingCreate, context=_owned_meters)
def create_reading(data: ReadingCreate) -> Any:
    """Add a reading of a readings meter; its consumption is derived from its neighbours."""
    return service.create_reading(current_user(), data)


@bp.get("/readings/<int:reading_id>")
@authenticated
@other_responses({404: "No such reading"})
@response(ReadingOut)
def get_reading(reading_id: int) -> Any:
    """One reading."""
    return service.get_reading(current_user(), reading_id)


@bp.patch("/readings/<int:reading_id>")
@authenticated
@other_responses({**WRITE_REFUSALS, 404: "No such reading", 409: "Another reading at that instant, or out of order"})
@response(ReadingOut)
@body(ReadingUpdate, context=_owned_meters)
def update_reading(data: ReadingUpdate, reading_id: int) -> Any:
    """Change some fields of a reading."""
    return service.update_reading(current_user(), reading_id, data)


@bp.delete("/readings/<int:reading_id>")
@authenticated
@other_responses({**WRITE_REFUSALS, 404: "No such reading", 409: "Its neighbours would be out of order"})
@response(None, 204, "Deleted")
def delete_reading(reading_id: int) -> Any:
    """Delete a reading; the days around it are derived again."""
    service.delete_reading(current_user(), reading_id)
