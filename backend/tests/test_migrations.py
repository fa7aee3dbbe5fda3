"""The migrations build the schema the models describe, from empty, on this run's database."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import inspect


def test_migrations_match_models(app: Flask) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from app.extensions import db

    with app.app_context(), db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
    assert diff == []


def test_upgrade_from_empty_and_downgrade(make_app: Any, db_kind: str, request: Any, tmp_path: Any) -> None:
    from flask_migrate import downgrade, upgrade

    if db_kind == "postgres":
        url = request.getfixturevalue("pg_cluster").create_database(f"migrations_{id(tmp_path)}")
    else:
        url = f"sqlite:///{tmp_path / 'fresh.db'}"
    fresh = make_app(DATABASE_URL=url)
    from app.extensions import db

    with fresh.app_context():
        upgrade()
        tables = set(inspect(db.engine).get_table_names())
        assert {"users", "meters", "records", "daily_rollups", "token_families", "outbox"} <= tables
        indexes = {ix["name"] for ix in inspect(db.engine).get_indexes("records")}
        assert {"ix_records_user_date", "ix_records_user_meter_date"} <= indexes
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        db.engine.dispose()


def test_0003_renames_meters_equal_ignoring_case_and_clears_empty_notes(
    make_app: Any, db_kind: str, request: Any, tmp_path: Any
) -> None:
    """Data written before names were unique ignoring case survives the upgrade, renamed."""
    from flask_migrate import upgrade
    from sqlalchemy import text

    if db_kind == "postgres":
        url = request.getfixturevalue("pg_cluster").create_database(f"migrations3_{id(tmp_path)}")
    else:
        url = f"sqlite:///{tmp_path / 'old.db'}"
    old = make_app(DATABASE_URL=url)
    from app.extensions import db

    with old.app_context():
        upgrade(revision="0002_accounts")
        now = "2026-01-01 00:00:00+00:00"
        with db.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO users (id, email, name, password_hash, role, is_active, failed_login_count,"
                    " currency, timezone, created_at, updated_at) VALUES"
                    " (1, 'a@example.com', 'A', 'x', 'user', true, 0, 'USD', 'UTC', :now, :now),"
                    " (2, 'b@example.com', 'B', 'x', 'user', true, 0, 'USD', 'UTC', :now, :now)"
                ),
                {"now": now},
            )
            meters = [(1, 1, "Solar"), (2, 1, "SOLAR"), (3, 1, "solar"), (4, 1, "Solar (2)"), (5, 2, "solar")]
            for meter_id, user_id, name in meters:
                conn.execute(
                    text(
                        "INSERT INTO meters (id, user_id, name, type, unit, archived, created_at, updated_at)"
                        " VALUES (:id, :user, :name, 'other', 'u', false, :now, :now)"
                    ),
                    {"id": meter_id, "user": user_id, "name": name, "now": now},
                )
            for record_id, note in ((1, ""), (2, "kept")):
                conn.execute(
                    text(
                        "INSERT INTO records (id, user_id, meter_id, date, amount_milli, note, created_at, updated_at)"
                        " VALUES (:id, 1, 1, '2026-01-01', 1000, :note, :now, :now)"
                    ),
                    {"id": record_id, "note": note, "now": now},
                )
        upgrade()
        with db.engine.connect() as conn:
            names = dict(conn.execute(text("SELECT id, name FROM meters")).all())
            notes = dict(conn.execute(text("SELECT id, note FROM records")).all())
        db.engine.dispose()
    # The first of each name keeps it; the others get the first free number; other users are untouched.
    assert names == {1: "Solar", 2: "SOLAR (3)", 3: "solar (4)", 4: "Solar (2)", 5: "solar"}
    assert notes == {1: None, 2: "kept"}
