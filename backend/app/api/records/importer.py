"""Import of a CSV file, all or nothing.

The file streams through ``csv_rows.Reader`` (every problem collected as ``{row, field,
message}``); valid rows go to the staging table, and the database drops duplicates and
inserts the rest in one statement, inside one transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO

from sqlalchemy import select

from ...extensions import db
from ...models import Meter, User
from ...services import events, locks, tenancy
from ...services.units import METER_TYPES, unit_error
from ..meters import service as meter_service
from .csv_rows import NOT_UTF8, Problems, Reader, Row, meter_name_error, text_of, unit_text_error
from .service import READINGS_METER_ERROR
from .staging import STAGE_CHUNK, Stage, drop_staging


@dataclass
class ImportSummary:
    imported: int = 0
    skipped_duplicates: int = 0
    dry_run: bool = False
    meters_created: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _MeterRef:
    id: int
    name: str
    type: str
    unit: str
    mode: str


class _Meters:
    """The household's meters by name (case ignored), and the new ones the rows name."""

    def __init__(self, household_id: int, problems: Problems) -> None:
        self.household_id = household_id
        self.problems = problems
        self.created: list[Meter] = []
        rows = db.session.execute(
            select(Meter.id, Meter.name, Meter.type, Meter.unit, Meter.mode).where(Meter.household_id == household_id)
        )
        self.by_name = {row.name.lower(): _MeterRef(*row) for row in rows}

    def resolve(self, row: Row) -> _MeterRef | None:
        """The row's meter (created when new and valid); its problems noted, None then."""
        meter = self.by_name.get(row.meter.lower())
        if meter is None:
            return self._create(row)
        if meter.mode == "readings":
            self.problems.add(row.line, "meter", f"'{meter.name}' {READINGS_METER_ERROR}")
            return None
        mismatches = [
            (column, value, current)
            for column, value, current in (("type", row.type, meter.type), ("unit", row.unit, meter.unit))
            if value and value != current
        ]
        for column, _, current in mismatches:
            self.problems.add(row.line, column, f"does not match the {column} of meter '{meter.name}' ({current})")
        return None if mismatches else meter

    def _create(self, row: Row) -> _MeterRef | None:
        wanted = f"is required to create the new meter '{row.meter}'"
        type_problem = (
            (None if row.type in METER_TYPES else f"must be one of {', '.join(METER_TYPES)}") if row.type else wanted
        )
        unit_problem = (
            wanted
            if not row.unit
            else unit_text_error(row.unit) or (None if type_problem else unit_error(row.type, row.unit))
        )
        checks = (("meter", meter_name_error(row.meter)), ("type", type_problem), ("unit", unit_problem))
        problems = [(column, message) for column, message in checks if message]
        for column, message in problems:
            self.problems.add(row.line, column, message)
        if problems:
            return None
        created = meter_service.add_meter(self.household_id, row.meter, row.type, row.unit)
        self.created.append(created)
        ref = self.by_name[row.meter.lower()] = _MeterRef(
            created.id, created.name, created.type, created.unit, created.mode
        )
        return ref


def _run(
    user: User, household_id: int, stream: IO[bytes], progress: Callable[[int], None] | None
) -> tuple[Stage, _Meters]:
    problems = Problems()
    text = text_of(stream)
    try:
        reader = Reader(text, problems)
        meters = _Meters(household_id, problems)
        stage = Stage(household_id, user.id)
        for row in reader:
            meter = meters.resolve(row) if row.meter else None
            if meter is not None and row.valid and not problems:
                stage.add(row.line, meter.id, row.day, row.amount_milli, row.cost_cents, row.note)
            if progress is not None and row.line % STAGE_CHUNK == 0:
                progress(stream.tell())
    except UnicodeDecodeError:
        raise NOT_UTF8 from None
    finally:
        text.detach()
    if progress is not None:
        progress(stream.tell())
    if problems:
        raise problems.error()
    return stage, meters


def import_records(
    user: User,
    stream: IO[bytes],
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
    household_id: int | None = None,
) -> ImportSummary:
    """Import a CSV file into a household (default: the user's default one; editor) all or nothing;
    raises APIError (403/415/422) and writes nothing on any problem."""
    household = tenancy.target_household(user, household_id, "editor")
    try:
        if not dry_run:
            # Before the household's meters are read: a file imported twice at once is then
            # imported once and found duplicate the second time.
            locks.lock_household(household.id)
        stage, meters = _run(user, household.id, stream, progress)
        imported = stage.write(dry_run)
        drop_staging()
    except BaseException:
        db.session.rollback()
        drop_staging()
        db.session.rollback()
        raise
    summary = ImportSummary(imported, stage.count - imported, dry_run, [meter.name for meter in meters.created])
    if dry_run:
        db.session.rollback()
        return summary
    for meter in meters.created:
        events.emit_household(household.id, "meter.changed", meter=meter_service.meter_payload(meter))
    if imported:
        events.emit_household(household.id, "records.imported", count=imported)
    db.session.commit()
    return summary
