from __future__ import annotations

from typing import Any

from flask import request

from ...security import current_user
from ...services.idempotency import idempotent
from ..caching import cached_page, quarter_hour
from ..common import page_body
from ..decorators import authenticated, body, other_responses, paginated, query, response
from ..meters import service as meters
from . import bp, service
from .schemas import BillCreate, BillOut, BillPage, BillQuery, BillUpdate

WRITE_REFUSALS = {403: "Your role does not allow writing in this household", 404: "No such bill"}


def _owned() -> dict[str, Any]:
    """Validation context: ids in a body or query must be the caller's meters and households; a
    bill in the path is looked up first (another household's bill answers 404 whatever the body says)."""
    user = current_user()
    if bill_id := (request.view_args or {}).get("bill_id"):
        service.get_bill(user, bill_id)
    return meters.id_checks(user)


@bp.get("/bills")
@authenticated
@query(BillQuery, context=_owned)
@paginated(BillPage)
def list_bills(query: BillQuery) -> Any:
    """List the bills of your households (or of one household or meter), latest period first."""
    user = current_user()
    compute = lambda: page_body(service.list_bills(user, query), query)  # noqa: E731
    # A bill's figures run to "today" while its period is open: the quarter hour is in the key.
    return cached_page(user, "bills", query, BillPage, compute, query.household_id, quarter_hour())


@bp.post("/bills")
@authenticated
@idempotent
@other_responses({403: "Your role does not allow writing in this household"})
@response(BillOut, 201)
@body(BillCreate, context=_owned)
def create_bill(data: BillCreate) -> Any:
    """Add a bill; it answers the computed figures of its meter and days beside it."""
    return service.create_bill(current_user(), data)


@bp.get("/bills/<int:bill_id>")
@authenticated
@other_responses({404: "No such bill"})
@response(BillOut)
def get_bill(bill_id: int) -> Any:
    """One bill, with the computed figures and the difference."""
    return service.get_bill(current_user(), bill_id)


@bp.patch("/bills/<int:bill_id>")
@authenticated
@other_responses(WRITE_REFUSALS)
@response(BillOut)
@body(BillUpdate, context=_owned)
def update_bill(data: BillUpdate, bill_id: int) -> Any:
    """Change some fields of a bill."""
    return service.update_bill(current_user(), bill_id, data)


@bp.delete("/bills/<int:bill_id>")
@authenticated
@other_responses(WRITE_REFUSALS)
@response(None, 204, "Deleted")
def delete_bill(bill_id: int) -> Any:
    """Delete a bill."""
    service.delete_bill(current_user(), bill_id)
