"""The migrations build the schema the models describe, from empty, on this run's database."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import inspect, text


def test_migrations_match_models(app: Flask) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from app.extensions import db

    with app.app_context(), db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
        # Autogenerate does not compare AUTOINCREMENT (SQLite's never-reuse ids): check it here.
        if conn.dialect.name == "sqlite":
            migrated = {
                name
                for name, sql in conn.execute(text("SELECT name, sql FROM sqlite_master WHERE type = 'table'"))
                if "AUTOINCREMENT" in sql
            }
            modelled = {t.name for t in db.metadata.sorted_tables if t.dialect_options["sqlite"]["autoincrement"]}
            assert migrated == modelled == {"users", "meters", "records", "outbox"}
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


NOW = "2026-01-01 00:00:00+00:00"
ID_TABLES = ("users", "meters", "records", "outbox")


def _insert_user(conn: Any, email: str) -> int:
    from sqlalchemy import text

    conn.execute(
        text(
            "INSERT INTO users (email, name, password_hash, role, is_active, failed_login_count,"
            " currency, timezone, created_at, updated_at) VALUES"
            " (:email, 'U', 'x', 'user', true, 0, 'USD', 'UTC', :now, :now)"
        ),
        {"email": email, "now": NOW},
    )
    return int(conn.execute(text("SELECT max(id) FROM users")).scalar_one())


def _insert_meter(conn: Any, user_id: int, name: str) -> int:
    from sqlalchemy import text

    conn.execute(
        text(
            "INSERT INTO meters (user_id, name, type, unit, archived, created_at, updated_at)"
            " VALUES (:user, :name, 'other', 'u', false, :now, :now)"
        ),
        {"user": user_id, "name": name, "now": NOW},
    )
    return int(conn.execute(text("SELECT max(id) FROM meters")).scalar_one())


def _insert_record(conn: Any, user_id: int, meter_id: int) -> int:
    from sqlalchemy import text

    conn.execute(
        text(
            "INSERT INTO records (user_id, meter_id, date, amount_milli, created_at, updated_at)"
            " VALUES (:user, :meter, '2026-01-01', 1000, :now, :now)"
        ),
        {"user": user_id, "meter": meter_id, "now": NOW},
    )
    return int(conn.execute(text("SELECT max(id) FROM records")).scalar_one())


def _insert_outbox(conn: Any) -> int:
    from sqlalchemy import text

    conn.execute(
        text(
            "INSERT INTO outbox (kind, recipient, subject, text_body, html_body, attempts, next_attempt_at, created_at)"
            " VALUES ('notice', 'a@example.com', 's', 't', 'h', 0, :now, :now)"
        ),
        {"now": NOW},
    )
    return int(conn.execute(text("SELECT max(id) FROM outbox")).scalar_one())


def _dump(conn: Any) -> dict[str, list[tuple[Any, ...]]]:
    from sqlalchemy import text

    order = {"daily_rollups": "user_id, meter_id, date", "token_families": "id"}
    tables = (*ID_TABLES, "daily_rollups", "token_families")
    return {
        table: [tuple(row) for row in conn.execute(text(f"SELECT * FROM {table} ORDER BY {order.get(table, 'id')}"))]
        for table in tables
    }


def _create_sql(conn: Any, table: str) -> str:
    from sqlalchemy import text

    return str(conn.execute(text("SELECT sql FROM sqlite_master WHERE name = :t"), {"t": table}).scalar_one())


def test_0004_ids_are_never_reused_and_the_upgrade_keeps_every_row(
    make_app: Any, db_kind: str, request: Any, tmp_path: Any
) -> None:
    """SQLite gave a deleted newest id to the next row; after 0004 it never does, and no row or id changed."""
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import text

    if db_kind == "postgres":
        url = request.getfixturevalue("pg_cluster").create_database(f"migrations4_{id(tmp_path)}")
    else:
        url = f"sqlite:///{tmp_path / 'ids.db'}"
    old = make_app(DATABASE_URL=url)
    from app.extensions import db

    with old.app_context():
        upgrade(revision="0003_meter_names")
        with db.engine.begin() as conn:
            ada, bob = _insert_user(conn, "ada@example.com"), _insert_user(conn, "bob@example.com")
            power, water = _insert_meter(conn, ada, "Power"), _insert_meter(conn, ada, "Water")
            bobs_meter = _insert_meter(conn, bob, "Gas")
            for meter in (power, power, water):
                _insert_record(conn, ada, meter)
            bobs_record = _insert_record(conn, bob, bobs_meter)
            _insert_outbox(conn)
            conn.execute(
                text(
                    "INSERT INTO daily_rollups (user_id, meter_id, date, total_milli, count, cost_cents, cost_count,"
                    " min_milli, max_milli) VALUES (:u, :m, '2026-01-01', 2000, 2, 0, 0, 1000, 1000)"
                ),
                {"u": ada, "m": power},
            )
            conn.execute(
                text(
                    "INSERT INTO token_families (id, user_id, current_jti, created_at, expires_at)"
                    " VALUES ('f1', :u, 'j1', :now, :now)"
                ),
                {"u": bob, "now": NOW},
            )
            # Before 0004 SQLite reuses the newest id once it is deleted; PostgreSQL never does.
            doomed = _insert_record(conn, ada, water)
            conn.execute(text("DELETE FROM records WHERE id = :id"), {"id": doomed})
            reused = _insert_record(conn, ada, water)
            conn.execute(text("DELETE FROM records WHERE id = :id"), {"id": reused})
            assert (doomed, reused) == ((5, 5) if db_kind == "sqlite" else (5, 6))
            before = _dump(conn)
        assert (ada, bob, power, water, bobs_meter, bobs_record) == (1, 2, 1, 2, 3, 4)

        upgrade()
        with db.engine.begin() as conn:
            assert _dump(conn) == before
            if db_kind == "sqlite":
                for table in ID_TABLES:
                    assert "PRIMARY KEY AUTOINCREMENT" in _create_sql(conn, table), table
                index = _create_sql(conn, "uq_meters_user_id_lower_name")
                assert index == "CREATE UNIQUE INDEX uq_meters_user_id_lower_name ON meters (user_id, lower(name))"
            # The newest row of each table, deleted, leaves its id unused.
            conn.execute(text("DELETE FROM records WHERE id = :id"), {"id": bobs_record})
            conn.execute(text("DELETE FROM outbox"))
            new_record = _insert_record(conn, bob, bobs_meter)
            new_outbox = _insert_outbox(conn)
            conn.execute(text("DELETE FROM meters WHERE id = :id"), {"id": bobs_meter})
            new_meter = _insert_meter(conn, bob, "Gas")
            # Foreign keys are enforced again: deleting Bob cascades to his meter and sessions.
            conn.execute(text("DELETE FROM users WHERE id = :id"), {"id": bob})
            assert conn.execute(text("SELECT count(*) FROM meters WHERE user_id = :u"), {"u": bob}).scalar_one() == 0
            assert conn.execute(text("SELECT count(*) FROM token_families")).scalar_one() == 0
            new_user = _insert_user(conn, "cy@example.com")
        # SQLite kept no trace of ids deleted before the upgrade above the largest one left (5 here):
        # the copy starts the counter at the largest id present (4). The sequence of PostgreSQL was at 6.
        assert (new_record, new_outbox, new_meter, new_user) == ((5 if db_kind == "sqlite" else 7), 2, 4, 3)

        downgrade(revision="0003_meter_names")
        with db.engine.begin() as conn:
            after = _dump(conn)
            if db_kind == "sqlite":
                assert "AUTOINCREMENT" not in _create_sql(conn, "records")
                assert _create_sql(conn, "uq_meters_user_id_lower_name").startswith("CREATE UNIQUE INDEX")
        assert [row[0] for row in after["users"]] == [1, 3]
        assert [row[0] for row in after["meters"]] == [1, 2]
        assert [row[0] for row in after["records"]] == [1, 2, 3]
        assert [row[0] for row in after["outbox"]] == [2]
        db.engine.dispose()
