from __future__ import annotations

from typing import Any

from flask import Response, request, stream_with_context
from werkzeug.datastructures import FileStorage

from ...security import current_user
from ...services.idempotency import idempotent
from .. import batch
from ..caching import cached_page
from ..common import page_body
from ..decorators import (
    authenticated,
    body,
    limit_user,
    media,
    other_responses,
    paginated,
    query,
    response,
    upload,
)
from ..meters import service as meters
from . import bp, export, importer, service
from .schemas import (
    ExportDocument,
    ExportQuery,
    ImportQuery,
    ImportResult,
    RecordCreate,
    RecordOut,
    RecordPage,
    RecordQuery,
    RecordUpdate,
)


def _owned_meters() -> dict[str, Any]:
    """Validation context: a ``meter_id`` must name a meter, and a ``household_id`` a household,
    of the caller's households. A record in the path is looked up first, so a record of another
    household answers 404 whatever the body says."""
    user = current_user()
    if record_id := (request.view_args or {}).get("record_id"):
        service.get_record(user, record_id)
    return meters.id_checks(user)


@bp.get("/records")
@authenticated
@query(RecordQuery, context=_owned_meters)
@paginated(RecordPage)
def list_records(query: RecordQuery) -> Any:
    """List your records with filters, sorting and pagination."""
    user = current_user()
    return cached_page(
        user,
        "records",
        query,
        RecordPage,
        lambda: page_body(service.list_records(user, query), query),
        query.household_id,
    )


@bp.post("/records")
@authenticated
@idempotent
@other_responses({403: "Your role does not allow writing in this household"})
@response(RecordOut, 201)
@body(RecordCreate, context=_owned_meters)
def create_record(data: RecordCreate) -> Any:
    """Add a record."""
    return service.create_record(current_user(), data)


RecordBatch, RecordBatchResult = batch.models(RecordCreate, RecordOut, "Record")


@bp.post("/records/batch")
@authenticated
@idempotent
@other_responses({403: "Your role does not allow writing in a household of the batch"})
@response(RecordBatchResult, 201, "Every item created")
@body(RecordBatch, context=_owned_meters)
def create_records(data: Any) -> Any:
    """Add up to 1,000 records at once, all or nothing; a bad item answers 422 at its index."""
    user = current_user()
    return batch.create_all(data.items, lambda item: service.add_record(user, item))


@bp.post("/records/import")
@authenticated
@idempotent
@other_responses({403: "Your role does not allow writing in this household"})
@limit_user("RATELIMIT_IMPORT_EXPORT", "import-export")
@response(ImportResult, description="Imported (or, with dry_run, what would be imported)")
@upload(
    "file", "CSV, UTF-8 (BOM optional), comma or semicolon separated, header date,meter,amount,cost,note[,type,unit]"
)
@query(ImportQuery, context=_owned_meters)
def import_records(query: ImportQuery, file: FileStorage) -> Any:
    """Import records from a CSV file, all or nothing.

    Any invalid row answers 422 `validation_error` with every problem in `details` as
    `{row, field, message}` (row 1 = first data row, 0 = header) and writes nothing.
    Rows equal to an existing record or an earlier row are skipped and counted.
    """
    summary = importer.import_records(
        current_user(), file.stream, dry_run=query.dry_run, household_id=query.household_id
    )
    return ImportResult(
        imported=summary.imported,
        skipped_duplicates=summary.skipped_duplicates,
        errors=[],
        dry_run=summary.dry_run,
        meters_created=summary.meters_created,
    )


@bp.get("/records/export")
@authenticated
@limit_user("RATELIMIT_IMPORT_EXPORT", "import-export")
@response(ExportDocument, description="A download: CSV (columns date,meter,amount,cost,note,type,unit) or JSON")
@media({"text/csv": {"type": "string", "description": "Same columns as the import header"}})
@query(ExportQuery, context=_owned_meters)
def export_records(query: ExportQuery) -> Any:
    """Download your records (with the list filters) as CSV or JSON, streamed."""
    user = current_user()
    chunks = export.export_chunks(user, query)
    mimetype = "text/csv" if query.format == "csv" else "application/json"
    return Response(
        stream_with_context(chunks),
        mimetype=mimetype,
        headers={"Content-Disposition": f"attachment; filename={export.export_filename(user, query.format)}"},
    )


@bp.get("/records/<int:record_id>")
@authenticated
@other_responses({404: "No such record"})
@response(RecordOut)
def get_record(record_id: int) -> Any:
    """One record."""
    return service.get_record(current_user(), record_id)


@bp.put("/records/<int:record_id>")
@authenticated
@other_responses({403: "Your role does not allow writing in this household", 404: "No such record"})
@response(RecordOut)
@body(RecordCreate, context=_owned_meters)
def replace_record(data: RecordCreate, record_id: int) -> Any:
    """Replace a record: fields left out (cost, note) become empty."""
    return service.update_record(current_user(), record_id, data, replace=True)


@bp.patch("/records/<int:record_id>")
@authenticated
@other_responses({403: "Your role does not allow writing in this household", 404: "No such record"})
@response(RecordOut)
@body(RecordUpdate, context=_owned_meters)
def update_record(data: RecordUpdate, record_id: int) -> Any:
    """Change some fields of a record."""
    return service.update_record(current_user(), record_id, data, replace=False)


@bp.delete("/records/<int:record_id>")
@authenticated
@other_responses({403: "Your role does not allow writing in this household", 404: "No such record"})
@response(None, 204, "Deleted")
def delete_record(record_id: int) -> Any:
    """Delete a record."""
    service.delete_record(current_user(), record_id)
