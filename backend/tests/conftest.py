"""Fixtures: one database per run (SQLite file, or a throwaway PostgreSQL with --db=postgres),
schema built by the migrations, every table emptied after each test, and a real SMTP server."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text

from app import create_app
from app.extensions import db

from . import pg
from .smtp import Mailbox, SMTPServer

TEST_SECRETS = {
    "SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
    "JWT_SECRET_KEY": "test-jwt-secret-key-that-is-long-enough-012345",
}


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--db",
        choices=("sqlite", "postgres"),
        default=os.environ.get("TEST_DB", "sqlite"),
        help="database to run the suite on",
    )


def pytest_report_header(config: pytest.Config) -> str:
    return f"database: {config.getoption('--db')}"


@pytest.fixture(scope="session")
def db_kind(request: pytest.FixtureRequest) -> str:
    return str(request.config.getoption("--db"))


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[pg.Cluster]:
    cluster = pg.start_cluster()
    try:
        yield cluster
    finally:
        cluster.destroy()


@pytest.fixture(scope="session")
def database_url(db_kind: str, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    if db_kind == "postgres":
        cluster: pg.Cluster = request.getfixturevalue("pg_cluster")
        return cluster.create_database("meterbook_test")
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """A real redis-server for the session (no persistence); its URL."""
    from .redis_server import RedisServer

    server = RedisServer()
    server.start()
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture(scope="session")
def smtp_server() -> Iterator[SMTPServer]:
    server = SMTPServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


def app_settings(database_url: str, smtp_port: int, **extra: Any) -> dict[str, Any]:
    return {
        "APP_ENV": "testing",
        "DATABASE_URL": database_url,
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": smtp_port,
        "RATELIMIT_ENABLED": False,
        "LOG_LEVEL": "WARNING",
        # every test goes through the per-process auth cache (one process: a local epoch)
        "AUTH_CACHE": "local",
        **TEST_SECRETS,
        **extra,
    }


def stop_background(application: Flask) -> None:
    """Stop the threads an app may have started (the event subscriber), as a server shutting
    down would, so nothing of a finished test keeps running or logging."""
    from app.services.events import close_broker

    close_broker(application)


_made_apps: list[Flask] = []


@pytest.fixture(scope="session")
def uploads_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the apps of the test run keep attachment files (never the instance directory)."""
    return tmp_path_factory.mktemp("uploads")


@pytest.fixture(scope="session")
def make_app(database_url: str, smtp_server: SMTPServer, uploads_dir: Path) -> Iterator[Any]:
    """Build another app on the same database with different settings; its background threads
    are stopped after the test that built it."""

    def factory(**extra: Any) -> Flask:
        extra.setdefault("STORAGE_URL", f"file://{uploads_dir}")
        application = create_app(app_settings(database_url, smtp_server.port, **extra))
        _made_apps.append(application)
        return application

    yield factory
    while _made_apps:
        stop_background(_made_apps.pop())


@pytest.fixture(scope="session")
def app(make_app: Any) -> Iterator[Flask]:
    from flask_migrate import upgrade

    application: Flask = make_app()
    _made_apps.remove(application)  # lives for the session, not just the test that first used it
    with application.app_context():
        upgrade()
    yield application
    stop_background(application)


def _empty_tables(application: Flask) -> None:
    """Empty every table. A server thread of a live-server test may still be finishing its last
    request (its transaction open for a moment after the client saw the answer), so on
    PostgreSQL the TRUNCATE waits briefly for locks and is retried if it loses a deadlock."""
    from sqlalchemy.exc import OperationalError

    with application.app_context():
        tables = [table.name for table in db.metadata.sorted_tables]
        for attempt in range(20):
            try:
                if db.engine.dialect.name == "postgresql":
                    db.session.execute(text("SET LOCAL lock_timeout = '2s'"))
                    db.session.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
                else:
                    for name in reversed(tables):
                        db.session.execute(text(f"DELETE FROM {name}"))
                    # AUTOINCREMENT counters: every test starts from id 1, as on PostgreSQL.
                    db.session.execute(text("DELETE FROM sqlite_sequence"))
                db.session.commit()
                return
            except OperationalError:
                db.session.rollback()
                if attempt == 19:
                    raise
                time.sleep(0.1 * (attempt + 1))


@pytest.fixture(autouse=True)
def _isolated(request: pytest.FixtureRequest) -> Iterator[None]:
    already_made = len(_made_apps)
    yield
    for application in _made_apps[already_made:]:
        stop_background(application)
    del _made_apps[already_made:]
    if "app" in request.fixturenames:
        _empty_tables(request.getfixturevalue("app"))
        # Ids and data versions start again in the next test: answers cached now would be its.
        request.getfixturevalue("app").extensions["meterbook.cache"].clear()
    if "redis_url" in request.fixturenames:
        from app.services.cache import RedisCache

        RedisCache(request.getfixturevalue("redis_url")).clear()
    if "smtp_server" in request.fixturenames or "mailbox" in request.fixturenames:
        server: SMTPServer = request.getfixturevalue("smtp_server")
        server.mailbox.messages.clear()
        server.mailbox.refuse = False
        server.mailbox.delay = 0.0
        server.mailbox.recipients_offered = 0


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def mailbox(smtp_server: SMTPServer) -> Mailbox:
    return smtp_server.mailbox


@pytest.fixture
def send_mail(app: Flask) -> Any:
    """Deliver the outbox now, as the worker's jobs would."""
    from app.services.mail import deliver_due

    def deliver() -> int:
        with app.app_context():
            return deliver_due()

    return deliver


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Any:
    """A controllable clock: ``clock.advance(seconds=...)``."""
    from datetime import UTC, datetime, timedelta

    from app.services import clock as clock_module

    class Clock:
        def __init__(self) -> None:
            self.current = datetime.now(UTC)

        def now(self) -> datetime:
            return self.current

        def advance(self, **delta: float) -> None:
            self.current += timedelta(**delta)

    fake = Clock()
    monkeypatch.setattr(clock_module, "now", fake.now)
    return fake


ROOT = Path(__file__).resolve().parent.parent
