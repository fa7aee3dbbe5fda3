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
            assert (
                migrated
                == modelled
                == {
                    "users",
                    "households",
                    "meters",
                    "records",
                    "outbox",
                    "invitations",
                    "share_links",
                    "readings",
                    "tariff_versions",
                    "bills",
                    "audit_events",
                    "access_tokens",
                    "recovery_codes",
                    "idempotency_keys",
                    "notifications",
                    "budgets",
                    "raised_alerts",
                    "attachments",
                }
            )
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
        assert {
            "users",
            "households",
            "memberships",
            "meters",
            "records",
            "daily_rollups",
            "token_families",
            "outbox",
        } <= tables
        indexes = {ix["name"] for ix in inspect(db.engine).get_indexes("records")}
        assert {"ix_records_household_date", "ix_records_household_meter_date"} <= indexes
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

        upgrade(revision="0004_sqlite_autoincrement")
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


# --- 0005: households -------------------------------------------------------------------------

_COLUMNS_0004 = {
    "users": "id, email, currency, timezone",
    "meters": "id, user_id, name, type, unit, archived",
    "records": "id, user_id, meter_id, date, amount_milli, cost_cents, note",
    "daily_rollups": "user_id, meter_id, date, total_milli, count, cost_cents, cost_count, min_milli, max_milli",
    "token_families": "id, user_id, current_jti",
}


def _dump_0004(conn: Any) -> dict[str, list[tuple[Any, ...]]]:
    order = {"daily_rollups": "user_id, meter_id, date"}
    return {
        table: [
            tuple(str(v) if table == "records" and i == 3 else v for i, v in enumerate(row))
            for row in conn.execute(text(f"SELECT {columns} FROM {table} ORDER BY {order.get(table, 'id')}"))
        ]
        for table, columns in _COLUMNS_0004.items()
    }


def _old_data(conn: Any) -> None:
    """Two users of 0004 (one in Berlin paying EUR), their meters, records, rollups and a session."""
    for user_id, email, currency, tz in (
        (1, "ada@example.com", "EUR", "Europe/Berlin"),
        (2, "bob@example.com", "USD", "UTC"),
    ):
        conn.execute(
            text(
                "INSERT INTO users (id, email, name, password_hash, role, is_active, failed_login_count,"
                " currency, timezone, created_at, updated_at) VALUES"
                " (:id, :email, 'U', 'x', 'user', true, 0, :currency, :tz, :now, :now)"
            ),
            {"id": user_id, "email": email, "currency": currency, "tz": tz, "now": NOW},
        )
    # Both users have a meter called Electricity: names were unique per user.
    for meter_id, user_id, name, type_, unit in (
        (1, 1, "Electricity", "electricity", "kWh"),
        (2, 1, "Water", "water", "L"),
        (3, 2, "Electricity", "electricity", "Wh"),
    ):
        conn.execute(
            text(
                "INSERT INTO meters (id, user_id, name, type, unit, archived, created_at, updated_at)"
                " VALUES (:id, :user, :name, :type, :unit, false, :now, :now)"
            ),
            {"id": meter_id, "user": user_id, "name": name, "type": type_, "unit": unit, "now": NOW},
        )
    records = [
        (1, 1, 1, "2026-01-01", 1500, 45, None),
        (2, 1, 1, "2026-01-01", 2250, None, "evening"),
        (3, 1, 2, "2026-01-02", 120000, 30, None),
        (4, 2, 3, "2026-01-01", 7000, 200, None),
    ]
    for record_id, user_id, meter_id, day, milli, cents, note in records:
        conn.execute(
            text(
                "INSERT INTO records (id, user_id, meter_id, date, amount_milli, cost_cents, note, created_at,"
                " updated_at) VALUES (:id, :user, :meter, :day, :milli, :cents, :note, :now, :now)"
            ),
            {
                "id": record_id,
                "user": user_id,
                "meter": meter_id,
                "day": day,
                "milli": milli,
                "cents": cents,
                "note": note,
                "now": NOW,
            },
        )
    conn.execute(
        text(
            "INSERT INTO daily_rollups (user_id, meter_id, date, total_milli, count, cost_cents, cost_count,"
            " min_milli, max_milli) SELECT user_id, meter_id, date, sum(amount_milli), count(*),"
            " coalesce(sum(cost_cents), 0), count(cost_cents), min(amount_milli), max(amount_milli)"
            " FROM records GROUP BY user_id, meter_id, date"
        )
    )
    conn.execute(
        text(
            "INSERT INTO token_families (id, user_id, current_jti, created_at, expires_at)"
            " VALUES ('f1', 1, 'j1', :now, :now)"
        ),
        {"now": NOW},
    )


def test_0005_moves_every_users_data_into_a_home_household_and_back(
    make_app: Any, db_kind: str, request: Any, tmp_path: Any
) -> None:
    """Every user gets "Home" (their time zone and currency, they its owner and it their default)
    with their meters, records and rollups; counts and analytics figures are unchanged, and the
    downgrade gives back exactly the rows there were."""
    from flask_migrate import downgrade, upgrade

    from app.api.auth.service import start_session

    if db_kind == "postgres":
        url = request.getfixturevalue("pg_cluster").create_database(f"migrations5_{id(tmp_path)}")
    else:
        url = f"sqlite:///{tmp_path / 'households.db'}"
    old = make_app(DATABASE_URL=url)
    from app.extensions import db
    from app.models import User

    with old.app_context():
        upgrade(revision="0004_sqlite_autoincrement")
        with db.engine.begin() as conn:
            _old_data(conn)
            before = _dump_0004(conn)

        upgrade(revision="0005_households")
        with db.engine.begin() as conn:
            households = conn.execute(
                text("SELECT id, name, timezone, currency, billing_day FROM households ORDER BY id")
            ).all()
            memberships = conn.execute(text("SELECT household_id, user_id, role FROM memberships ORDER BY 1")).all()
            defaults = conn.execute(text("SELECT id, default_household_id FROM users ORDER BY id")).all()
            meters = conn.execute(text("SELECT id, household_id, name FROM meters ORDER BY id")).all()
            records = conn.execute(
                text("SELECT id, household_id, created_by, meter_id, amount_milli FROM records ORDER BY id")
            ).all()
            rollups = conn.execute(
                text(
                    "SELECT household_id, meter_id, date, total_milli, count, cost_cents, cost_count, min_milli,"
                    " max_milli FROM daily_rollups ORDER BY household_id, meter_id, date"
                )
            ).all()
        assert [tuple(h) for h in households] == [(1, "Home", "Europe/Berlin", "EUR", 1), (2, "Home", "UTC", "USD", 1)]
        assert [tuple(m) for m in memberships] == [(1, 1, "owner"), (2, 2, "owner")]
        assert [tuple(d) for d in defaults] == [(1, 1), (2, 2)]
        assert [tuple(m) for m in meters] == [(1, 1, "Electricity"), (2, 1, "Water"), (3, 2, "Electricity")]
        assert [tuple(r) for r in records] == [
            (1, 1, 1, 1, 1500),
            (2, 1, 1, 1, 2250),
            (3, 1, 1, 2, 120000),
            (4, 2, 2, 3, 7000),
        ]
        assert [(r[0], r[1], str(r[2])[:10], *r[3:]) for r in rollups] == [
            (1, 1, "2026-01-01", 3750, 2, 45, 1, 1500, 2250),
            (1, 2, "2026-01-02", 120000, 1, 30, 1, 120000, 120000),
            (2, 3, "2026-01-01", 7000, 1, 200, 1, 7000, 7000),
        ]

        # The application answers the same figures from the moved data (on the newest schema).
        upgrade()
        client = old.test_client()
        with old.test_request_context():
            ada_token = start_session(db.session.get(User, 1))["access_token"]
        window = {"date_from": "2026-01-01", "date_to": "2026-01-31"}
        summary = client.get(
            "/api/analytics/summary", headers={"Authorization": f"Bearer {ada_token}"}, query_string=window
        )
        assert summary.status_code == 200, summary.get_json()
        figures = {g["key"]: (g["total"], g["count"], g["cost_total"]) for g in summary.get_json()["groups"]}
        assert figures == {"electricity": (3.75, 2, 0.45), "water": (0.12, 1, 0.3)}  # 120 L in m³
        listed = client.get("/api/records", headers={"Authorization": f"Bearer {ada_token}"}).get_json()
        assert (listed["total"], sorted(r["id"] for r in listed["items"])) == (3, [1, 2, 3])
        me = client.get("/api/auth/me", headers={"Authorization": f"Bearer {ada_token}"}).get_json()
        assert me["default_household_id"] == 1
        db.session.remove()

        # A new household after the migration gets a fresh id (PostgreSQL's sequence moved past 2).
        with db.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO households (name, timezone, currency, billing_day, created_at, updated_at)"
                    " VALUES ('New', 'UTC', 'USD', 1, :now, :now)"
                ),
                {"now": NOW},
            )
            assert conn.execute(text("SELECT max(id) FROM households")).scalar_one() == 3
            conn.execute(text("DELETE FROM households WHERE id = 3"))
            conn.execute(text("DELETE FROM token_families WHERE id <> 'f1'"))  # the session started above

        downgrade(revision="0004_sqlite_autoincrement")
        with db.engine.begin() as conn:
            after = _dump_0004(conn)
            if db_kind == "sqlite":
                for table in ("users", "meters", "records"):
                    assert "PRIMARY KEY AUTOINCREMENT" in _create_sql(conn, table), table
                index = _create_sql(conn, "uq_meters_user_id_lower_name")
                assert index == "CREATE UNIQUE INDEX uq_meters_user_id_lower_name ON meters (user_id, lower(name))"
        assert after == before
        db.engine.dispose()


def test_0005_downgrade_gives_a_shared_household_to_its_longest_standing_owner(
    make_app: Any, db_kind: str, request: Any, tmp_path: Any
) -> None:
    """Data of a second household goes to its first owner; a meter name that owner already uses is numbered."""
    from flask_migrate import downgrade, upgrade

    if db_kind == "postgres":
        url = request.getfixturevalue("pg_cluster").create_database(f"migrations5b_{id(tmp_path)}")
    else:
        url = f"sqlite:///{tmp_path / 'shared.db'}"
    old = make_app(DATABASE_URL=url)
    from app.extensions import db

    with old.app_context():
        upgrade(revision="0004_sqlite_autoincrement")
        with db.engine.begin() as conn:
            _old_data(conn)
        upgrade(revision="0005_households")
        with db.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO households (id, name, timezone, currency, billing_day, created_at, updated_at)"
                    " VALUES (10, 'Cabin', 'UTC', 'USD', 1, :now, :now)"
                ),
                {"now": NOW},
            )
            conn.execute(
                text(
                    "INSERT INTO memberships (household_id, user_id, role, joined_at) VALUES"
                    " (10, 2, 'owner', '2026-02-01 00:00:00+00:00'), (10, 1, 'owner', '2026-03-01 00:00:00+00:00')"
                )
            )
            conn.execute(
                text(
                    "INSERT INTO meters (id, household_id, name, type, unit, archived, created_at, updated_at)"
                    " VALUES (9, 10, 'electricity', 'electricity', 'kWh', false, :now, :now)"
                ),
                {"now": NOW},
            )
            conn.execute(
                text(
                    "INSERT INTO records (id, household_id, created_by, meter_id, date, amount_milli, created_at,"
                    " updated_at) VALUES (9, 10, 1, 9, '2026-01-03', 5000, :now, :now)"
                ),
                {"now": NOW},
            )
        downgrade(revision="0004_sqlite_autoincrement")
        with db.engine.begin() as conn:
            meters = conn.execute(text("SELECT id, user_id, name FROM meters ORDER BY id")).all()
            record = conn.execute(text("SELECT user_id, meter_id FROM records WHERE id = 9")).one()
        db.engine.dispose()
    # Bob joined the cabin first: it is his; his own "Electricity" keeps its name.
    assert [tuple(m) for m in meters] == [
        (1, 1, "Electricity"),
        (2, 1, "Water"),
        (3, 2, "Electricity"),
        (9, 2, "electricity (2)"),
    ]
    assert tuple(record) == (2, 9)
