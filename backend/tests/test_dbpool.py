"""Pooled connections are pinged only after idling (app/dbpool.py): a connection whose server
end closed while it sat in the pool is replaced without the request noticing."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, select, text
from sqlalchemy.exc import OperationalError

from app import dbpool
from app.extensions import db
from tests.factories import account

METER = {"name": "Garden", "type": "water", "unit": "m3"}


@pytest.fixture
def own_database(db_kind: str, request: pytest.FixtureRequest, make_app: Any) -> tuple[Flask, Any]:
    if db_kind != "postgres":
        pytest.skip("closes server connections: PostgreSQL only")
    cluster = request.getfixturevalue("pg_cluster")
    name = f"pool_{request.node.name[-20:].replace('[', '_').replace(']', '').lower()}"
    application = make_app(DATABASE_URL=cluster.create_database(name))
    return application, lambda: cluster.psql(
        f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"
    )


def backend_pid() -> int:
    pid = int(db.session.execute(text("SELECT pg_backend_pid()")).scalar_one())
    db.session.remove()  # back to the pool
    return pid


def test_an_idle_connection_closed_by_the_server_is_replaced(
    own_database: tuple[Flask, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    application, close_all = own_database
    monkeypatch.setattr(dbpool, "IDLE_PING_SECONDS", 0.0)
    with application.app_context():
        first = backend_pid()
        close_all()
        assert backend_pid() != first  # pinged, found dead, replaced: no error


def test_a_connection_reused_at_once_is_not_pinged(
    own_database: tuple[Flask, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    application, close_all = own_database
    monkeypatch.setattr(dbpool, "IDLE_PING_SECONDS", 3600.0)
    with application.app_context():
        backend_pid()
        close_all()
        # not pinged (reused at once): the closed connection fails this statement, and the pool
        # is renewed for the next one
        with pytest.raises(OperationalError):
            backend_pid()
        db.session.remove()
        assert backend_pid() > 0


@pytest.fixture
def postgres_only(db_kind: str) -> None:
    if db_kind != "postgres":
        pytest.skip("reads run in autocommit on PostgreSQL only")


def test_a_get_reads_in_autocommit_and_gives_the_connection_back_as_it_was(
    postgres_only: None, app: Flask, client: FlaskClient
) -> None:
    who = account(app, client)
    modes: list[bool] = []

    def seen(conn: Any, *_args: Any) -> None:
        modes.append(bool(conn.connection.dbapi_connection.autocommit))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", seen)
    try:
        assert client.get("/api/meters", headers=who.headers).status_code == 200
        reads = list(modes)
        assert client.post("/api/meters", headers=who.headers, json=METER).status_code == 201
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert reads and all(reads)  # no BEGIN, no ROLLBACK: each read its own statement
    assert not any(modes[len(reads) :])  # the write's connection is in a transaction again


def test_a_get_that_tries_to_write_is_refused_before_it_writes(postgres_only: None, make_app: Any) -> None:
    from app.models import AuditEvent

    application = make_app()

    @application.get("/api/test-writes-on-get")
    def writes_on_get() -> Any:
        db.session.add(AuditEvent(event="test.get", user_id=None))
        db.session.commit()
        return {}

    reply = application.test_client().get("/api/test-writes-on-get")
    assert reply.status_code == 500
    with application.app_context():
        assert db.session.scalars(select(AuditEvent).where(AuditEvent.event == "test.get")).all() == []
