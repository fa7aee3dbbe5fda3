"""The household data version: bumped in the transaction of every write to a household's data.

Nothing calls this module to bump: session hooks notice every write to a household's data and
bump its ``households.data_version`` once, just before the transaction commits.

- A flushed row (new, changed or deleted) of any mapped class with a ``household_id``
  column counts for that household, and a ``Household`` row for itself (its time zone,
  currency or billing day change answers). Tables added later are covered as they are.
- A bulk ``INSERT`` / ``UPDATE`` / ``DELETE`` run through the session on a table with a
  ``household_id`` column counts for the households its values or its conditions name
  (``household_id == :id`` anywhere in the statement, a from-select included); when it names
  none, every household is bumped (correct, only slower; nothing on a request path does it).
  A bulk ``UPDATE`` of ``households`` itself counts for the ids its conditions name.

The bump is an ``UPDATE households SET data_version = data_version + 1`` per household, in
ascending id order, after the session's last flush: the transaction's last lock, taken by
writers that already hold the household's advisory lock. A reader reads the version first and
its data after, so what it caches under a version is never older than that version (at worst
newer, which a later version recomputes anyway). See docs/caching.md.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Table, event, select, update
from sqlalchemy.orm import Session, UOWTransaction
from sqlalchemy.orm.session import ORMExecuteState
from sqlalchemy.sql import operators, visitors
from sqlalchemy.sql.dml import Delete, Insert, Update
from sqlalchemy.sql.elements import BinaryExpression, BindParameter, ColumnClause

from ..extensions import db
from ..models import Household

_KEY = "meterbook.dirty_households"
DATA_CHANGED = "meterbook.data_changed"  # a version was bumped: the data epoch moves after the commit
ALL = -1  # "every household": a bulk write whose households could not be told


def _dirty(session: Session) -> set[int]:
    return session.info.setdefault(_KEY, set())  # type: ignore[no-any-return]


def touch(household_ids: int | Iterable[int], session: Session | None = None) -> None:
    """Count a write to these households' data in the current transaction (for writes the
    hooks cannot see, e.g. raw SQL text); ORM and Core writes through the session need nothing."""
    ids = [household_ids] if isinstance(household_ids, int) else list(household_ids)
    _dirty(session or db.session()).update(int(i) for i in ids)


def touch_authored(user_id: int) -> None:
    """Count a write to every household holding rows ``user_id`` wrote (``created_by``): deleting
    the user sets those to null in the database (ON DELETE SET NULL), which no hook sees."""
    for table in db.metadata.sorted_tables:
        if "created_by" in table.c and "household_id" in table.c:
            found = select(table.c.household_id).where(table.c.created_by == user_id).distinct()
            touch(db.session.scalars(found).all())


def versions_of(household_ids: Iterable[int]) -> dict[int, int]:
    """The data versions of these households, read now in one query (unknown ones left out)."""
    ids = sorted(set(household_ids))
    if not ids:
        return {}
    rows = db.session.execute(select(Household.id, Household.data_version).where(Household.id.in_(ids)))
    return dict(rows.tuples().all())


def household_of(obj: Any) -> int | None:
    """The household a mapped row belongs to, or None when it belongs to none."""
    if isinstance(obj, Household):
        return obj.id
    value = getattr(obj, "household_id", None)
    if isinstance(value, int):
        return value
    return None


def _after_flush(session: Session, _flush: UOWTransaction) -> None:
    dirty = _dirty(session)
    for obj in session.new:
        found = household_of(obj)
        if found is not None:
            dirty.add(found)
    for obj in session.deleted:
        found = household_of(obj)
        if found is not None:
            dirty.add(found)
    for obj in session.dirty:
        if not session.is_modified(obj, include_collections=False):
            continue
        found = household_of(obj)
        if found is not None:
            dirty.add(found)
            # A row moved to another household changes the old one's data too.
            history = db.inspect(obj).attrs.household_id.history if hasattr(obj, "household_id") else None
            for old in history.deleted if history else ():
                if isinstance(old, int):
                    dirty.add(old)


def _scoped_table(statement: Any) -> Table | None:
    table = getattr(statement, "table", None)
    if isinstance(table, Table) and ("household_id" in table.c or table.name == Household.__tablename__):
        return table
    return None


def _id(value: Any) -> int | None:
    value = getattr(value, "value", value)  # a bound parameter's value
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _from_values(statement: Any, params: Any) -> set[int]:
    """The household ids in an INSERT's or UPDATE's values and in the parameters it runs with."""
    rows: list[Any] = params if isinstance(params, list) else [params] if isinstance(params, dict) else []
    multi = [row for batch in getattr(statement, "_multi_values", None) or () for row in batch]
    rows = [*rows, getattr(statement, "_values", None) or {}, *multi]
    found = set()
    for row in rows:
        for name, value in row.items() if isinstance(row, dict) else ():
            if getattr(name, "key", name) == "household_id":
                found.add(_id(value))
    return {value for value in found if value is not None}


def _from_conditions(statement: Any, column: str = "household_id") -> set[int]:
    """The household ids compared with a ``household_id`` column (or ``column``) anywhere in the statement."""
    found: set[int] = set()
    for element in visitors.iterate(statement):
        if not (isinstance(element, BinaryExpression) and element.operator in (operators.eq, operators.in_op)):
            continue
        left, right = element.left, element.right
        if isinstance(right, ColumnClause) and isinstance(left, BindParameter):
            left, right = right, left
        if isinstance(left, ColumnClause) and left.name == column and isinstance(right, BindParameter):
            value = right.effective_value
            items = value if isinstance(value, (list, tuple, set)) else [value]
            found.update(i for i in map(_id, items) if i is not None)
    return found


def _named_households(statement: Any, params: Any) -> set[int]:
    """The household ids a DML statement names in its values, its parameters or its conditions."""
    return _from_values(statement, params) | _from_conditions(statement)


def _on_execute(state: ORMExecuteState) -> None:
    statement = state.statement
    if not isinstance(statement, (Insert, Update, Delete)):
        return
    table = _scoped_table(statement)
    if table is None or state.execution_options.get("meterbook_version_bump"):
        return
    if table.name == Household.__tablename__:
        if isinstance(statement, Update):  # its time zone, currency...: answers change
            _dirty(state.session).update(_from_conditions(statement, "id") or {ALL})
        return  # deleting a household takes its data along; its version goes with it
    named = _named_households(statement, state.parameters)
    _dirty(state.session).update(named or {ALL})


def _before_commit(session: Session) -> None:
    if session.new or session.dirty or session.deleted:
        session.flush()  # the commit's own flush comes after this hook: its rows count too
    if not session.info.get(_KEY):
        return
    ids = sorted(session.info.pop(_KEY, set()))
    session.info[DATA_CHANGED] = True
    table = Household.__table__
    # updated_at is the household's own (name, time zone...): a write to its data leaves it
    bump = update(table).values(data_version=table.c.data_version + 1, updated_at=table.c.updated_at)
    options = {"meterbook_version_bump": True}
    if ALL in ids:
        session.execute(bump, execution_options=options)
        return
    for household_id in ids:
        session.execute(bump.where(table.c.id == household_id), execution_options=options)


def _forget(session: Session, transaction: Any) -> None:
    """A finished outermost transaction (rolled back: committed ones were bumped) forgets its
    writes; a savepoint's end keeps them (a bump too many is harmless, one too few is not)."""
    if transaction.parent is None:
        session.info.pop(_KEY, None)


def version_of(household_id: int) -> int:
    """The household's data version, read now (0 for an unknown household)."""
    found = db.session.execute(select(Household.data_version).where(Household.id == household_id)).scalar()
    return int(found or 0)


def init_versions() -> None:
    """Install the hooks on every session (once per process)."""
    if event.contains(Session, "after_flush", _after_flush):
        return
    event.listen(Session, "after_flush", _after_flush)
    event.listen(Session, "do_orm_execute", _on_execute)
    event.listen(Session, "before_commit", _before_commit)
    event.listen(Session, "after_transaction_end", _forget)
