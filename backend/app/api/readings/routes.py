from __future__ import annotations

from typing import Any

from flask import Response, request, stream_with_context
from werkzeug.datastructures import FileStorage

from ...security import current_user
from ...services.idempotency import idempotent
from .. import batch
from ..caching import cached_page
from ..common import page_body
from ..decorators import authenticated, body, limit_user, media, other_responses, paginated, query, response, upload
from ..meters import service as meters
from . import bp, export, importer, service
from .schemas import (
    ReadingCreate,
    ReadingExportDocument,
    ReadingExportQuery,
    ReadingImportQuery,
    ReadingImportResult,
    ReadingOut,
    ReadingPage,
    ReadingQuery,
    ReadingUpdate,
)

WRITE_REFUSALS = {403: "Your role does not allow writing in this household"}


def _owned_meters() -> dict[str, Any]:
    """Validation context: a ``meter_id`` must name a meter, and a ``household_id`` a household,
    of the caller's households. A reading in the path is looked up first (404 before 422)."""
    user = current_user()
    if reading_id := (request.view_args or {}).get("reading_id"):
        service.get_reading(user, reading_id)
    return meters.id_checks(user)


@bp.get("/readings")
@authenticated
@query(ReadingQuery, context=_owned_meters)
@paginated(ReadingPage)
def list_readings(query: ReadingQuery) -> Any:
    """List the readings of your households' meters, with filters and pagination."""
    user = current_user()
    compute = lambda: page_body(service.list_readings(user, query), query)  # noqa: E731
    return cached_page(user, "readings", query, ReadingPage, compute, query.household_id)


@bp.post("/readings")
@authenticated
@idempotent
@other_responses({**WRITE_REFUSALS, 409: "The meter already has a reading at this instant"})
@response(ReadingOut, 201)
@body(ReadingCreate, context=_owned_meters)
def create_reading(data: ReadingCreate) -> Any:
    """Add a reading of a readings meter; its consumption is derived from its neighbours."""
    return service.create_reading(current_user(), data)


ReadingBatch, ReadingBatchResult = batch.models(ReadingCreate, ReadingOut, "Reading")


@bp.post("/readings/batch")
@authenticated
@idempotent
@other_responses(
    {403: "Your role does not allow writing in a household of the batch", 409: "Two readings at one instant"}
)
@response(ReadingBatchResult, 201, "Every item created")
@body(ReadingBatch, context=_owned_meters)
def create_readings(data: Any) -> Any:
    """Add up to 1,000 readings at once, all or nothing; a bad item answers 422 at its index."""
    user = current_user()
    return batch.create_all(data.items, lambda item: service.add_reading(user, item))


@bp.post("/readings/import")
@authenticated
@idempotent
@other_responses(WRITE_REFUSALS)
@limit_user("RATELIMIT_IMPORT_EXPORT", "import-export")
@response(ReadingImportResult, description="Imported (or, with dry_run, what would be imported)")
@upload("file", "CSV, UTF-8 (BOM optional), comma or semicolon separated, header " + ",".join(importer.COLUMNS))
@query(ReadingImportQuery, context=_owned_meters)
def import_readings(query: ReadingImportQuery, file: FileStorage) -> Any:
    """Import readings from a CSV file, all or nothing.

    Meters are named by name and must be readings meters of the household. Any invalid row
    answers 422 `validation_error` with every problem in `details` as `{row, field, message}`
    and writes nothing. Rows equal to a stored reading or an earlier row are skipped and counted.
    """
    summary = importer.import_readings(
        current_user(), file.stream, dry_run=query.dry_run, household_id=query.household_id
    )
    return ReadingImportResult(
        imported=summary.imported, skipped_duplicates=summary.skipped_duplicates, errors=[], dry_run=summary.dry_run
    )


@bp.get("/readings/export")
@authenticated
@limit_user("RATELIMIT_IMPORT_EXPORT", "import-export")
@response(ReadingExportDocument, description="A download: CSV (the import's columns) or JSON")
@media({"text/csv": {"type": "string", "description": "Same columns as the import header"}})
@query(ReadingExportQuery, context=_owned_meters)
def export_readings(query: ReadingExportQuery) -> Any:
    """Download your readings (with the list filters) as CSV or JSON, streamed."""
    user = current_user()
    mimetype = "text/csv" if query.format == "csv" else "application/json"
    return Response(
        stream_with_context(export.export_chunks(user, query)),
        mimetype=mimetype,
        headers={"Content-Disposition": f"attachment; filename={export.export_filename(user, query.format)}"},
    )


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
