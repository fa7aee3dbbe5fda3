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
