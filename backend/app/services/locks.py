"""Locks that make writers of one household's data take turns (PostgreSQL advisory locks)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, select

from ..extensions import db

# Namespace of the advisory locks taken here (the second key is the household id).
_LOCK_NAMESPACE = 7401


def lock_household(household_id: int) -> None:
    """Make the writes of one household's meters, records and rollups take turns (PostgreSQL).

    Every such writer takes this lock first, before it reads what it is about to change,
    and holds it until commit; so the second of two writers reads the first one's committed
    work, and all of them lock rows in one order (this lock, meter, records, rollups), which
    cannot deadlock. Without it: a day's rollup recomputed by two transactions at once is
    inserted twice (a unique violation) or misses a record; a meter deleted without cascade
    takes a record created at the same moment with it; a meter changes unit under a new
    record; one file imported twice at once is imported twice. Different households never
    wait for each other. SQLite serialises writers by itself. Taking it again in the same
    transaction succeeds at once.
    """
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(select(func.pg_advisory_xact_lock(_LOCK_NAMESPACE, household_id)))


def lock_households(household_ids: Iterable[int]) -> None:
    """Take several households' locks, in ascending id order (two such writers cannot deadlock)."""
    for household_id in sorted(set(household_ids)):
        lock_household(household_id)
