"""Operations: request ids and log lines, metrics, security headers, production refusals, outages."""

from __future__ import annotations

import json
import logging
from datetime import date
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests import pg
from tests.factories import PASSWORD, account, add_record


def test_request_id_is_echoed_or_generated(client: FlaskClient) -> None:
    assert client.get("/health", headers={"X-Request-ID": "trace-42"}).headers["X-Request-ID"] == "trace-42"
    generated = client.get("/health").headers["X-Request-ID"]
    assert len(generated) == 32
    hostile = client.get("/health", headers={"X-Request-ID": "x" * 300}).headers["X-Request-ID"]
    assert hostile != "x" * 300 and len(hostile) == 32


def test_json_log_line_per_request_with_request_id_and_no_secrets(
    make_app: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    app = make_app(LOG_FORMAT="json", LOG_LEVEL="INFO")
    client = app.test_client()
    acc = account(app, client)
    capsys.readouterr()
    client.get("/api/meters", headers={**acc.headers, "X-Request-ID": "req-1"})
    client.post("/api/auth/login", json={"email": acc.email, "password": PASSWORD}, headers={"X-Request-ID": "req-2"})
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.startswith("{")]
    access = [line for line in lines if line["logger"] == "meterbook.access"]
    meters = next(line for line in access if line["request_id"] == "req-1")
    assert {k: meters[k] for k in ("level", "method", "path", "status", "user_id")} == {
        "level": "INFO",
        "method": "GET",
        "path": "/api/meters",
        "status": 200,
        "user_id": acc.id,
    }
    assert meters["duration_ms"] >= 0 and meters["timestamp"].endswith("+00:00")
    raw = json.dumps(lines)
    assert PASSWORD not in raw
    assert acc.tokens["access_token"] not in raw and acc.tokens["refresh_token"] not in raw
    logging.getLogger().handlers[:] = [h for h in logging.getLogger().handlers if h.get_name() != "meterbook"]


def test_every_log_line_of_a_request_carries_its_id(make_app: Any, capsys: pytest.CaptureFixture[str]) -> None:
    app = make_app(LOG_FORMAT="json", LOG_LEVEL="INFO")

    @app.get("/_probe")
    def probe() -> str:
        logging.getLogger("app.probe").warning("inside the request")
        return "ok"

    capsys.readouterr()
    app.test_client().get("/_probe", headers={"X-Request-ID": "probe-7"})
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.startswith("{")]
    assert {line["request_id"] for line in lines if line["logger"] in ("app.probe", "meterbook.access")} == {"probe-7"}
    logging.getLogger().handlers[:] = [h for h in logging.getLogger().handlers if h.get_name() != "meterbook"]


def test_metrics_count_requests(client: FlaskClient) -> None:
    def count() -> float:
        text = client.get("/metrics").get_data(as_text=True)
        for line in text.splitlines():
            if line.startswith('meterbook_http_requests_total{endpoint="/health/ready",method="GET",status="200"}'):
                return float(line.rsplit(" ", 1)[1])
        return 0.0

    before = count()
    client.get("/health/ready")
    client.get("/health/ready")
    assert count() == before + 2
    text = client.get("/metrics").get_data(as_text=True)
    for name in (
        "meterbook_http_request_duration_seconds_bucket",
        "meterbook_websocket_connections",
        "meterbook_outbox_pending",
        "meterbook_db_pool_checked_out",
    ):
        assert name in text


def test_security_headers(client: FlaskClient, make_app: Any) -> None:
    headers = client.get("/api/meters").headers
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "no-referrer"
    assert "Strict-Transport-Security" not in headers


def test_cors_allows_only_configured_origins_with_credentials(client: FlaskClient) -> None:
    allowed = client.options(
        "/api/meters", headers={"Origin": "http://localhost:3000", "Access-Control-Request-Method": "GET"}
    )
    assert allowed.headers["Access-Control-Allow-Origin"] == "http://localhost:3000"
    assert allowed.headers["Access-Control-Allow-Credentials"] == "true"
    other = client.get("/api/meters", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in other.headers


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({}, "SECRET_KEY must be set"),
        ({"SECRET_KEY": "s" * 40}, "JWT_SECRET_KEY must be set"),
        ({"SECRET_KEY": "s" * 40, "JWT_SECRET_KEY": "j" * 40, "CORS_ORIGINS": "*"}, "CORS_ORIGINS must list origins"),
    ],
)
def test_production_refuses_default_secrets_and_wildcard_cors(
    settings: dict[str, str], message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app import create_app

    for key in ("SECRET_KEY", "JWT_SECRET_KEY", "CORS_ORIGINS"):
        monkeypatch.delenv(key, raising=False)
    with pytest.raises(RuntimeError, match=message):
        create_app({"APP_ENV": "production", "DATABASE_URL": "sqlite://", **settings})


def test_production_starts_with_real_secrets_and_sends_hsts() -> None:
    from app import create_app

    app = create_app(
        {
            "APP_ENV": "production",
            "DATABASE_URL": "sqlite://",
            "SECRET_KEY": "s" * 40,
            "JWT_SECRET_KEY": "j" * 40,
            "CORS_ORIGINS": "https://meterbook.example",
        }
    )
    assert app.test_client().get("/health").headers["Strict-Transport-Security"].startswith("max-age=")


@pytest.mark.slow
def test_database_outage_answers_503_and_recovers_without_restart(make_app: Any) -> None:
    cluster = pg.start_cluster()
    try:
        app = make_app(DATABASE_URL=cluster.create_database("outage"))
        from flask_migrate import upgrade

        with app.app_context():
            upgrade()
        client = app.test_client()
        acc = account(app, client)
        record_id = add_record(app, acc.id, acc.meters["Water"], "2026-01-01", "5.5", "2.25", "before outage")

        # A clean shutdown, as a restart or failover does (the test cluster runs without
        # synchronous commit, so a simulated crash could drop its last commits by design).
        cluster.stop(mode="fast")
        down = client.get(f"/api/records/{record_id}", headers=acc.headers)
        assert down.status_code == 503
        assert down.get_json()["error"]["code"] == "service_unavailable"
        assert client.get("/health/ready").status_code == 503
        write = client.post(
            "/api/records",
            headers=acc.headers,
            json={"meter_id": acc.meters["Water"], "date": "2026-01-02", "amount": 1},
        )
        assert write.status_code == 503
        assert client.get("/health").status_code == 200

        cluster.start()
        assert client.get("/health/ready").status_code == 200
        back = client.get(f"/api/records/{record_id}", headers=acc.headers)
        assert back.status_code == 200
        assert (back.get_json()["amount"], back.get_json()["cost"], back.get_json()["note"]) == (
            5.5,
            2.25,
            "before outage",
        )
        assert client.get("/api/records", headers=acc.headers).get_json()["total"] == 1
        from app.extensions import db

        with app.app_context():
            db.engine.dispose()
    finally:
        cluster.destroy()


def test_seed_creates_a_demo_account_with_three_years(app: Flask) -> None:
    from sqlalchemy import func, select

    from app.extensions import db
    from app.models import DailyRollup, Record

    runner = app.test_cli_runner()
    result = runner.invoke(args=["seed", "demo"])
    assert result.exit_code == 0, result.output
    assert "demo@meterbook.local" in result.output and "meterbook-demo" in result.output
    again = runner.invoke(args=["seed", "demo"])  # idempotent: replaces the demo account
    assert again.exit_code == 0
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Record)) == 3 * 365 * 3
        assert db.session.scalar(select(func.count()).select_from(DailyRollup)) == 3 * 365 * 3
        winter = db.session.scalar(
            select(func.sum(Record.amount_milli)).where(
                Record.date.between(date(2026, 1, 1), date(2026, 1, 31)), Record.meter.has(type="gas")
            )
        )
        summer = db.session.scalar(
            select(func.sum(Record.amount_milli)).where(
                Record.date.between(date(2026, 7, 1), date(2026, 7, 31)), Record.meter.has(type="gas")
            )
        )
    assert winter > 3 * summer
    client = app.test_client()
    assert (
        client.post("/api/auth/login", json={"email": "demo@meterbook.local", "password": "meterbook-demo"}).status_code
        == 200
    )


def test_cors_origins_accept_a_comma_list_or_a_json_list() -> None:
    from app.config import Settings

    assert Settings(CORS_ORIGINS="https://a.example, https://b.example").CORS_ORIGINS == [  # type: ignore[arg-type]
        "https://a.example",
        "https://b.example",
    ]
    assert Settings(CORS_ORIGINS='["https://a.example"]').CORS_ORIGINS == ["https://a.example"]  # type: ignore[arg-type]


def test_refresh_cookie_lives_as_long_as_the_refresh_token(make_app: Any) -> None:
    app = make_app(JWT_REFRESH_TOKEN_EXPIRES=3600)
    client = app.test_client()
    from tests.factories import create_user

    _, email = create_user(app)
    response = client.post("/api/auth/login", json={"email": email, "password": PASSWORD})
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("refresh_token="))
    assert "Max-Age=3600" in cookie
