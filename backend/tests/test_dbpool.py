"""Pooled connections are pinged only after idling (app/dbpool.py): a connection whose server
end closed while it sat in the pool is replaced without the request noticing."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from app import dbpool
from app.extensions import db


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
