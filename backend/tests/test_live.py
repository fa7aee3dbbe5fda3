"""WS /ws against real servers: a threaded Werkzeug server in this process, and two gunicorn
processes sharing the test database and a real redis-server."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
import websocket
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import update
from werkzeug.serving import make_server

from app.extensions import db
from app.models import Membership, TokenFamily, User
from app.services import events
from tests.conftest import ROOT, TEST_SECRETS
from tests.factories import Account, account, join
from tests.pg import free_port

WAIT = 10.0  # generous: the machine running the suite may be busy


class Closed(Exception):
    def __init__(self, code: int | None, reason: str) -> None:
        super().__init__(code, reason)
        self.code = code
        self.reason = reason


class Live:
    """A WebSocket client on /ws."""

    def __init__(self, host: str, token: str | None = None) -> None:
        self.ws = websocket.create_connection(f"ws://{host}/ws", timeout=WAIT)
        if token is not None:
            self.send({"type": "auth", "token": token})
            assert self.recv() == {"type": "ready"}

    def send(self, message: Any) -> None:
        self.ws.send(message if isinstance(message, str) else json.dumps(message))

    def recv(self, timeout: float = WAIT) -> dict[str, Any]:
        """The next text message; raises Closed with the close code when the server closes."""
        self.ws.settimeout(timeout)
        while True:
            try:
                opcode, frame = self.ws.recv_data_frame(True)
            except websocket.WebSocketConnectionClosedException:
                raise Closed(None, "connection dropped") from None
            if opcode == websocket.ABNF.OPCODE_TEXT:
                return json.loads(frame.data)  # type: ignore[no-any-return]
            if opcode == websocket.ABNF.OPCODE_CLOSE:
                code = int.from_bytes(frame.data[:2], "big") if len(frame.data) >= 2 else None
                raise Closed(code, frame.data[2:].decode())

    def recv_event(self, timeout: float = WAIT) -> dict[str, Any]:
        """The next message that is not a ping."""
        while True:
            message = self.recv(timeout)
            if message != {"type": "ping"}:
                return message

    def expect_close(self, timeout: float = WAIT) -> Closed:
        with pytest.raises(Closed) as info:
            while True:
                self.recv(timeout)
        return info.value

    def expect_hangup(self, timeout: float = 5.0) -> bytes:
        """After the close frames: what else the server sends before it ends the connection."""
        raw = self.ws.sock
        raw.settimeout(timeout)
        rest = b""
        while True:
            try:
                data = raw.recv(4096)
            except ConnectionResetError:
                return rest
            except TimeoutError:
                raise AssertionError(f"the server kept the connection open; it sent {rest!r}") from None
            if not data:
                return rest
            rest += data

    def assert_silent(self, seconds: float) -> None:
        with pytest.raises(websocket.WebSocketTimeoutException):
            self.recv_event(seconds)

    def close(self) -> None:
        with contextlib.suppress(websocket.WebSocketException, OSError):
            self.ws.close(timeout=1)


def http(host: str, method: str, path: str, token: str, body: Any = None) -> tuple[int, Any]:
    request = urllib.request.Request(
        f"http://{host}{path}",
        method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=WAIT) as response:  # noqa: S310 (http to the test server)
            raw = response.read()
            return response.status, json.loads(raw) if raw else None
    except urllib.error.HTTPError as exc:
        raw = exc.read()
        return exc.code, json.loads(raw) if raw else None


def token(acc: Account) -> str:
    return str(acc.tokens["access_token"])


@pytest.fixture(scope="session")
def live_host(app: Flask) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-test-server", daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()


@pytest.fixture
def sockets() -> Iterator[list[Live]]:
    opened: list[Live] = []
    yield opened
    for live in opened:
        live.close()


@pytest.fixture
def connect(live_host: str, sockets: list[Live]) -> Any:
    def open_socket(auth_token: str | None = None, host: str | None = None) -> Live:
        live = Live(host or live_host, auth_token)
        sockets.append(live)
        return live

    return open_socket


# --- authentication -------------------------------------------------------------------


def test_auth_answers_ready_and_pings(app: Flask, client: FlaskClient, connect: Any, monkeypatch: Any) -> None:
    monkeypatch.setitem(app.config, "WS_PING_INTERVAL", 0.3)
    acc = account(app, client)
    live = connect(token(acc))  # asserts {"type": "ready"}
    started = time.monotonic()
    assert live.recv() == {"type": "ping"}
    assert live.recv() == {"type": "ping"}
    assert 0.4 <= time.monotonic() - started < WAIT


def _expired_token(app: Flask, acc: Account) -> str:
    from flask_jwt_extended import create_access_token, decode_token

    with app.app_context():
        family = decode_token(token(acc))["fam"]
        return create_access_token(
            identity=str(acc.id), additional_claims={"fam": family}, expires_delta=timedelta(seconds=-30)
        )


@pytest.mark.parametrize(
    "first_message",
    [
        "garbage",
        "not json",
        "missing",
        "wrong type",
        "refresh token",
        "expired",
        "wrong key",
        "revoked",
        "deactivated",
    ],
)
def test_bad_auth_closes_4401(app: Flask, client: FlaskClient, connect: Any, first_message: str) -> None:
    acc = account(app, client)
    messages: dict[str, Any] = {
        "garbage": {"type": "auth", "token": "abc.def.ghi"},
        "not json": "hello",
        "missing": {"type": "auth"},
        "wrong type": {"type": "subscribe", "token": token(acc)},
        "refresh token": {"type": "auth", "token": acc.tokens["refresh_token"]},
        "expired": {"type": "auth", "token": _expired_token(app, acc)},
        "wrong key": {"type": "auth", "token": token(acc)[:-4] + "AAAA"},
        "revoked": {"type": "auth", "token": token(acc)},
        "deactivated": {"type": "auth", "token": token(acc)},
    }
    if first_message == "revoked":
        assert client.post("/api/auth/logout", headers=acc.headers).status_code == 204
    if first_message == "deactivated":
        with app.app_context():
            db.session.execute(update(User).where(User.id == acc.id).values(is_active=False))
            db.session.commit()
    live = connect()
    live.send(messages[first_message])
    assert live.expect_close().code == 4401


def test_no_auth_message_in_time_closes_4401(app: Flask, connect: Any, monkeypatch: Any) -> None:
    monkeypatch.setitem(app.config, "WS_AUTH_TIMEOUT", 0.5)
    live = connect()
    started = time.monotonic()
    closed = live.expect_close()
    assert closed.code == 4401
    assert 0.4 <= time.monotonic() - started < WAIT
    # Werkzeug (the development server, as here) ends the connection too, with nothing after
    # the close frame (it used to write an HTTP response and wait for the client to hang up).
    assert live.expect_hangup() == b""


# Sizes the kernel's buffers take whole, so the client's send completes; larger messages
# (the server hangs up mid-send) are the gunicorn memory test's below.
@pytest.mark.parametrize("size", [4097, 64 * 1024])
def test_an_oversized_message_closes_1009(connect: Any, size: int) -> None:
    live = connect()
    started = time.monotonic()
    live.send("x" * size)
    closed = live.expect_close()
    assert (closed.code, closed.reason) == (1009, "Message is too big")
    assert live.expect_hangup() == b""
    assert time.monotonic() - started < 2  # at once, not at the end of the 5 s auth wait


def test_an_oversized_message_after_auth_closes_1009(app: Flask, client: FlaskClient, connect: Any) -> None:
    live = connect(token(account(app, client)))
    live.send("x" * 5000)
    assert live.expect_close().code == 1009


def test_an_auth_message_at_the_cap_is_read(app: Flask, client: FlaskClient, connect: Any) -> None:
    acc = account(app, client)
    message = json.dumps({"type": "auth", "token": token(acc)})
    head = message[:-1] + ', "pad": "'
    padded = head + "x" * (4096 - len(head) - 2) + '"}'
    assert len(padded.encode()) == 4096
    live = connect()
    live.send(padded)
    assert live.recv() == {"type": "ready"}


def test_default_timeouts_match_the_contract() -> None:
    from app.api import live

    assert (live.DEFAULT_AUTH_TIMEOUT, live.DEFAULT_PING_INTERVAL, live.CLOSE_UNAUTHORIZED) == (5.0, 25.0, 4401)


# --- events ---------------------------------------------------------------------------


def test_every_event_type_arrives_after_the_http_write(
    app: Flask, client: FlaskClient, live_host: str, connect: Any
) -> None:
    acc = account(app, client)
    live = connect(token(acc))
    bearer = token(acc)

    status, meter = http(
        live_host, "POST", "/api/meters", bearer, {"name": "Solar", "type": "electricity", "unit": "kWh"}
    )
    assert status == 201
    assert live.recv_event() == {"type": "meter.changed", "household_id": acc.household_id, "meter": meter}

    status, meter = http(live_host, "PATCH", f"/api/meters/{meter['id']}", bearer, {"name": "Roof solar"})
    assert status == 200 and meter["name"] == "Roof solar"
    assert live.recv_event() == {"type": "meter.changed", "household_id": acc.household_id, "meter": meter}

    body = {"meter_id": meter["id"], "date": "2026-03-01", "amount": 12.345, "cost": 4.2, "note": "read"}
    status, record = http(live_host, "POST", "/api/records", bearer, body)
    assert status == 201
    assert live.recv_event() == {"type": "record.created", "household_id": acc.household_id, "record": record}

    status, updated = http(live_host, "PATCH", f"/api/records/{record['id']}", bearer, {"amount": 13})
    assert status == 200 and updated["amount"] == 13
    assert live.recv_event() == {"type": "record.updated", "household_id": acc.household_id, "record": updated}

    status, _ = http(live_host, "DELETE", f"/api/records/{record['id']}", bearer)
    assert status == 204
    assert live.recv_event() == {"type": "record.deleted", "household_id": acc.household_id, "id": record["id"]}

    status, _ = http(live_host, "DELETE", f"/api/meters/{meter['id']}", bearer)
    assert status == 204
    deleted = live.recv_event()
    assert deleted["type"] == "meter.changed" and deleted["deleted"] is True
    assert deleted["meter"]["id"] == meter["id"] and deleted["meter"]["name"] == "Roof solar"

    # records.imported is raised by the import feature through the same emit_household()
    with app.app_context():
        events.emit_household(acc.household_id, "records.imported", count=42)
        db.session.commit()
    assert live.recv_event() == {"type": "records.imported", "household_id": acc.household_id, "count": 42}


def test_users_never_receive_each_others_events(app: Flask, client: FlaskClient, live_host: str, connect: Any) -> None:
    alice, bob = account(app, client), account(app, client)
    alice_socket, alice_second = connect(token(alice)), connect(token(alice))
    bob_socket = connect(token(bob))

    body = {"meter_id": alice.meters["Water"], "date": "2026-03-02", "amount": 1.5}
    status, record = http(live_host, "POST", "/api/records", token(alice), body)
    assert status == 201
    expected = {"type": "record.created", "household_id": alice.household_id, "record": record}
    assert alice_socket.recv_event() == expected
    assert alice_second.recv_event() == expected

    body = {"meter_id": bob.meters["Gas"], "date": "2026-03-02", "amount": 7}
    status, bobs = http(live_host, "POST", "/api/records", token(bob), body)
    assert status == 201
    # Bob's first event is his own: Alice's record never reached him
    assert bob_socket.recv_event() == {"type": "record.created", "household_id": bob.household_id, "record": bobs}
    alice_socket.assert_silent(0.5)


def _wait_for_subscriptions(app: Flask, count: int) -> None:
    broker = events.get_broker(app)
    deadline = time.monotonic() + WAIT
    while broker.subscriber_count() != count:  # type: ignore[attr-defined]
        assert time.monotonic() < deadline, f"{broker.subscriber_count()} subscriptions, not {count}"  # type: ignore[attr-defined]
        time.sleep(0.02)


def test_household_events_reach_every_member_and_stop_at_once_for_a_removed_one(
    app: Flask, client: FlaskClient, live_host: str, connect: Any
) -> None:
    owner, member = account(app, client), account(app, client)
    hid = owner.household_id
    owner_socket, member_socket = connect(token(owner)), connect(token(member))
    _wait_for_subscriptions(app, 4)  # each socket: its user's key and its household's
    join(app, member.id, hid, "editor")
    assert owner_socket.recv_event() == {
        "type": "member.changed",
        "household_id": hid,
        "user_id": member.id,
        "role": "editor",
    }
    _wait_for_subscriptions(app, 5)  # the member's socket now listens to the owner's household too

    body = {"meter_id": owner.meters["Gas"], "date": "2026-03-05", "amount": 2}
    status, record = http(live_host, "POST", "/api/records", token(member), body)
    assert status == 201
    created = {"type": "record.created", "household_id": hid, "record": record}
    assert owner_socket.recv_event() == created
    assert member_socket.recv_event() == created

    with app.app_context():
        db.session.delete(db.session.get(Membership, (hid, member.id)))
        events.membership_changed(hid, member.id, None)
        db.session.commit()
    left = {"type": "member.changed", "household_id": hid, "user_id": member.id, "role": None}
    assert owner_socket.recv_event() == left
    assert member_socket.recv_event() == left  # told once, on the user's own key
    status, record = http(live_host, "POST", "/api/records", token(owner), body)
    assert status == 201
    assert owner_socket.recv_event() == {"type": "record.created", "household_id": hid, "record": record}
    member_socket.assert_silent(0.5)


def test_failed_writes_emit_nothing(app: Flask, client: FlaskClient, live_host: str, connect: Any) -> None:
    alice, bob = account(app, client), account(app, client)
    live = connect(token(alice))
    bearer = token(alice)
    status, record = http(
        live_host, "POST", "/api/records", bearer, {"meter_id": alice.meters["Gas"], "date": "2026-03-03", "amount": 2}
    )
    assert status == 201
    assert live.recv_event()["type"] == "record.created"

    failures = [
        ("POST", "/api/records", {"meter_id": alice.meters["Gas"], "date": "2026-02-30", "amount": 2}, 422),
        ("POST", "/api/records", {"meter_id": bob.meters["Gas"], "date": "2026-03-03", "amount": 2}, 422),
        ("PATCH", f"/api/records/{record['id']}", {"amount": -1}, 422),
        ("PATCH", "/api/records/999999", {"amount": 1}, 404),
        ("DELETE", "/api/records/999999", None, 404),
        ("POST", "/api/meters", {"name": "Gas", "type": "gas", "unit": "m3"}, 409),
        ("PATCH", f"/api/meters/{bob.meters['Gas']}", {"name": "Mine"}, 404),
    ]
    for method, path, body, expected in failures:
        status, _ = http(live_host, method, path, bearer, body)
        assert status == expected, (method, path, status)

    status, _ = http(live_host, "DELETE", f"/api/records/{record['id']}", bearer)
    assert status == 204
    # the next event after the failures is the successful delete's
    assert live.recv_event() == {"type": "record.deleted", "household_id": alice.household_id, "id": record["id"]}


def test_rolled_back_transaction_publishes_nothing(app: Flask, client: FlaskClient) -> None:
    acc = account(app, client)
    received: list[dict[str, Any]] = []
    broker = events.get_broker(app)
    unsubscribe = broker.subscribe(events.user_key(acc.id), received.append)
    try:
        with app.app_context():
            events.emit(acc.id, "records.imported", count=1)
            db.session.rollback()
            db.session.commit()
        assert received == []
        with app.app_context():
            events.emit(acc.id, "records.imported", count=2)
            db.session.commit()
        assert received == [{"type": "records.imported", "count": 2}]
    finally:
        unsubscribe()


# --- closing on expiry, logout, deactivation --------------------------------------------


def test_token_expiry_closes_the_socket(app: Flask, client: FlaskClient, connect: Any, monkeypatch: Any) -> None:
    monkeypatch.setitem(app.config, "JWT_ACCESS_TOKEN_EXPIRES", 2)
    acc = account(app, client)
    from flask_jwt_extended import decode_token

    with app.app_context():
        expires_at = decode_token(token(acc))["exp"]
    live = connect(token(acc))
    closed = live.expect_close()
    assert closed.code == 4401
    assert "expired" in closed.reason
    assert expires_at <= time.time() < expires_at + 3
    assert live.expect_hangup() == b""


def test_logout_closes_the_socket_at_once(app: Flask, client: FlaskClient, connect: Any) -> None:
    acc = account(app, client)
    other_session = account(app, client)  # another user's socket stays open
    live, untouched = connect(token(acc)), connect(token(other_session))
    started = time.monotonic()
    assert client.post("/api/auth/logout", headers=acc.headers).status_code == 204
    closed = live.expect_close()
    assert closed.code == 4401 and "revoked" in closed.reason
    assert time.monotonic() - started < 5  # far below the 25 s ping interval
    untouched.assert_silent(0.3)


def test_deactivation_closes_the_socket_at_once(app: Flask, client: FlaskClient, connect: Any) -> None:
    acc = account(app, client)
    live = connect(token(acc))
    with app.app_context():
        user = db.session.get(User, acc.id)
        assert user is not None
        user.is_active = False
        db.session.commit()
    closed = live.expect_close()
    assert closed.code == 4401 and "deactivated" in closed.reason


def test_account_deletion_closes_the_socket_at_once(app: Flask, client: FlaskClient, connect: Any) -> None:
    acc = account(app, client)
    live = connect(token(acc))
    started = time.monotonic()
    response = client.delete("/api/auth/me", headers=acc.headers, json={"password": acc.password})
    assert response.status_code == 204
    closed = live.expect_close()
    assert closed.code == 4401
    assert time.monotonic() - started < 5  # at once, not at the next ping


def test_refresh_token_reuse_closes_the_socket(app: Flask, client: FlaskClient, connect: Any, clock: Any) -> None:
    acc = account(app, client)
    live = connect(token(acc))
    refresh = {"refresh_token": acc.tokens["refresh_token"]}
    assert client.post("/api/auth/refresh", json=refresh).status_code == 200
    live.assert_silent(0.3)  # rotation keeps the session: the socket stays open
    clock.advance(seconds=31)  # past the reuse grace window
    assert client.post("/api/auth/refresh", json=refresh).status_code == 401  # reuse revokes the family
    assert live.expect_close().code == 4401


def test_revoking_all_sessions_closes_every_socket(app: Flask, client: FlaskClient, connect: Any) -> None:
    from app.api.auth.service import revoke_all_sessions
    from tests.factories import login

    acc = account(app, client)
    second = login(client, acc.email)
    first_socket, second_socket = connect(token(acc)), connect(second["access_token"])
    with app.app_context():
        revoke_all_sessions(acc.id)
        db.session.commit()
    assert first_socket.expect_close().code == 4401
    assert second_socket.expect_close().code == 4401


def test_revocation_outside_the_app_closes_at_the_next_ping(
    app: Flask, client: FlaskClient, connect: Any, monkeypatch: Any
) -> None:
    monkeypatch.setitem(app.config, "WS_PING_INTERVAL", 0.5)
    acc = account(app, client)
    live = connect(token(acc))
    with app.app_context():  # a bulk UPDATE announces nothing: the ping tick catches it
        db.session.execute(update(TokenFamily).where(TokenFamily.user_id == acc.id).values(revoked_at=db.func.now()))
        db.session.commit()
    assert live.recv() == {"type": "ping"}
    assert live.expect_close().code == 4401


# --- two processes, one redis-server ---------------------------------------------------


class Gunicorn:
    def __init__(self, database_url: str, redis_url: str) -> None:
        self.port = free_port()
        self.host = f"127.0.0.1:{self.port}"
        env = {
            **os.environ,
            **TEST_SECRETS,
            "APP_ENV": "testing",
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "RATELIMIT_ENABLED": "false",
            "LOG_LEVEL": "WARNING",
            "GUNICORN_WORKERS": "1",
        }
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 (lives as long as the server)
        self.process = subprocess.Popen(
            [
                *(sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py"),
                *("--no-control-socket", "--bind", self.host, "wsgi:app"),
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=self.log,
        )

    def wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.log.seek(0)
                raise RuntimeError(f"gunicorn exited: {self.log.read().decode(errors='replace')}")
            try:
                with urllib.request.urlopen(f"http://{self.host}/health", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not start")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


@pytest.fixture
def two_processes(app: Flask, database_url: str, redis_url: str) -> Iterator[tuple[str, str]]:
    servers = [Gunicorn(database_url, redis_url), Gunicorn(database_url, redis_url)]
    try:
        for server in servers:
            server.wait_ready()
        yield servers[0].host, servers[1].host
    finally:
        for server in servers:
            server.stop()


def test_event_crosses_processes_through_redis(
    app: Flask, client: FlaskClient, two_processes: tuple[str, str], connect: Any
) -> None:
    host_a, host_b = two_processes
    alice, bob = account(app, client), account(app, client)
    on_a, on_b = connect(token(alice), host_a), connect(token(alice), host_b)
    bob_on_a = connect(token(bob), host_a)

    status, _ = http(
        host_b, "POST", "/api/records", token(alice), {"meter_id": bob.meters["Gas"], "date": "2026-03-04", "amount": 1}
    )
    assert status == 422  # a failed write through B publishes nothing
    body = {"meter_id": alice.meters["Electricity"], "date": "2026-03-04", "amount": 3.25}
    status, record = http(host_b, "POST", "/api/records", token(alice), body)
    assert status == 201
    expected = {"type": "record.created", "household_id": alice.household_id, "record": record}
    assert on_a.recv_event() == expected
    assert on_b.recv_event() == expected

    status, bobs = http(
        host_a, "POST", "/api/records", token(bob), {"meter_id": bob.meters["Gas"], "date": "2026-03-04", "amount": 9}
    )
    assert status == 201
    assert bob_on_a.recv_event() == {"type": "record.created", "household_id": bob.household_id, "record": bobs}

    assert http(host_a, "POST", "/api/auth/logout", token(alice))[0] == 204
    assert on_b.expect_close().code == 4401  # the revocation reaches the other process too
    assert on_a.expect_close().code == 4401


def test_household_events_and_a_removal_cross_processes_through_redis(
    app: Flask, client: FlaskClient, two_processes: tuple[str, str], redis_url: str, connect: Any
) -> None:
    host_a, host_b = two_processes
    owner, member = account(app, client), account(app, client)
    hid = owner.household_id
    join(app, member.id, hid, "viewer")  # before the member's socket opens: it reads its households
    member_on_a, owner_on_b = connect(token(member), host_a), connect(token(owner), host_b)

    body = {"meter_id": owner.meters["Water"], "date": "2026-03-06", "amount": 0.5}
    status, record = http(host_b, "POST", "/api/records", token(owner), body)
    assert status == 201
    created = {"type": "record.created", "household_id": hid, "record": record}
    assert owner_on_b.recv_event() == created
    assert member_on_a.recv_event() == created  # written through B, delivered by A

    # The membership ends (in another process): the member's socket on A re-reads its households.
    with app.app_context():
        db.session.execute(
            Membership.__table__.delete().where(Membership.household_id == hid, Membership.user_id == member.id)
        )
        db.session.commit()
    broker = events.RedisBroker(redis_url)
    try:
        broker.publish(events.user_key(member.id), {"type": events.MEMBERSHIPS_CHANGED})
    finally:
        broker.close()
    time.sleep(0.5)  # the message crosses Redis; nothing acknowledges an internal event
    status, record = http(host_b, "POST", "/api/records", token(owner), {**body, "date": "2026-03-07"})
    assert status == 201
    assert owner_on_b.recv_event() == {"type": "record.created", "household_id": hid, "record": record}
    member_on_a.assert_silent(0.5)


# --- memory under oversized messages, on gunicorn -----------------------------------------

MIB = 1024 * 1024


def _rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))


def _worker_pid(master: int) -> int:
    with open(f"/proc/{master}/task/{master}/children") as children:
        [pid] = children.read().split()
    return int(pid)


def _flood(host: str, declared: int, send: int) -> tuple[socket.socket, int]:
    """Open /ws and start one text message of ``declared`` bytes, sending ``send`` of them."""
    address, port = host.split(":")
    conn = socket.create_connection((address, int(port)), timeout=WAIT)
    conn.sendall(
        b"GET /ws HTTP/1.1\r\nHost: " + host.encode() + b"\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
    )
    answer = b""
    while b"\r\n\r\n" not in answer:
        answer += conn.recv(1024)
    assert answer.startswith(b"HTTP/1.1 101")
    # FIN + text, masked, 64-bit length; a zero mask key leaves the payload as it is.
    conn.sendall(bytes([0x81, 0xFF]) + declared.to_bytes(8, "big") + b"\0\0\0\0")
    chunk, sent = b"a" * (64 * 1024), 0
    try:
        while sent < send:
            conn.sendall(chunk)
            sent += len(chunk)
    except OSError:  # the server hung up: what it did not read, it did not buffer
        pass
    return conn, sent


def test_oversized_first_messages_leave_gunicorn_memory_flat(database_url: str, redis_url: str) -> None:
    server = Gunicorn(database_url, redis_url)
    try:
        server.wait_ready()
        worker = _worker_pid(server.process.pid)
        _flood(server.host, 1024, 1024)[0].close()  # warm the socket path up first
        before = _rss_kib(worker)
        # Eight sockets, each 24 MiB into a 96 MiB first message, all held open: before the
        # cap the worker buffered every byte (about 192 MiB more).
        floods = [_flood(server.host, 96 * MIB, 24 * MIB) for _ in range(8)]
        time.sleep(0.5)
        grown = _rss_kib(worker) - before
        for conn, _sent in floods:
            conn.close()
        assert grown < 16 * 1024, f"the worker grew by {grown} KiB"
        assert server.process.poll() is None
        with urllib.request.urlopen(f"http://{server.host}/health", timeout=WAIT) as response:
            assert response.status == 200
    finally:
        server.stop()


def test_gunicorn_lets_the_app_answer_oversized_headers(database_url: str, redis_url: str) -> None:
    server = Gunicorn(database_url, redis_url)
    try:
        server.wait_ready()
        request = urllib.request.Request(f"http://{server.host}/health", headers={"X-Padding": "x" * 12_000})
        with pytest.raises(urllib.error.HTTPError) as answer:
            urllib.request.urlopen(request, timeout=WAIT)  # noqa: S310 (http to the test server)
        assert answer.value.code == 431
        assert json.loads(answer.value.read())["error"]["code"] == "headers_too_large"
    finally:
        server.stop()
