"""WS /ws: live updates of the signed-in user's households (protocol in docs/live-updates.md).

The first client message must be ``{"type": "auth", "token": "<access token>"}`` within
``WS_AUTH_TIMEOUT`` seconds (default 5); a personal access token (``mbp_…``) with the ``read``
scope also opens it, for the households the token is limited to, and closes it like a session
when revoked (at once) or expired. The server answers ``{"type": "ready"}``, then forwards the
events of every household the user is a member of as ``{"type": ..., "household_id": ...,
...payload}`` and sends ``{"type": "ping"}`` every ``WS_PING_INTERVAL`` seconds (default 25).
The socket is closed with code 4401 when the token is missing or invalid, when it expires (at
its ``exp``), and when its session is revoked or the user deactivated (at once when the change
is made through the application, which publishes an internal ``auth.changed`` event; otherwise
at the next ping tick). When a membership starts, ends or changes (an internal
``memberships.changed`` event), the socket re-reads the user's households at once: a removed
member receives nothing more from that one."""

from __future__ import annotations

import contextlib
import json
import logging
import socket
import time
from collections import deque
from collections.abc import Callable
from functools import partial
from typing import Any

from flask import Blueprint, current_app
from flask_jwt_extended import decode_token
from simple_websocket import ConnectionClosed, Server
from sqlalchemy import select

from .. import errors
from ..extensions import db, sock
from ..models import AccessToken, User
from ..security import session_revoked, session_user
from ..services import clock, events, tenancy, tokens

log = logging.getLogger(__name__)
bp = Blueprint("live", __name__)

CLOSE_UNAUTHORIZED = 4401
CLOSE_TRY_AGAIN_LATER = 1013
CLOSE_GRACE = 1.0  # seconds to wait for the client's answer to our close frame
WAIT_SLICE = 0.25  # longest wait for the auth message before looking at the socket again
IDLE_SLICE = 5.0  # longest wait of a signed-in socket before looking at it again
MAX_PENDING = 1000  # events queued for a client that does not keep up; more closes the socket
DEFAULT_AUTH_TIMEOUT = 5.0
DEFAULT_PING_INTERVAL = 25.0


class Unauthorized(Exception):
    """The socket's token is missing, invalid, expired or revoked."""


def _claims(token: object) -> dict[str, Any]:
    """Decode and check an access token as the HTTP endpoints do.

    A personal access token (``mbp_…``) needs the ``read`` scope; its claims then carry
    ``pat`` (the token's id) and ``households`` (the ones it is limited to)."""
    if not isinstance(token, str) or not token:
        raise Unauthorized("Authentication is required.")
    if tokens.looks_like_token(token):
        return _personal_token(token)
    try:
        data: dict[str, Any] = decode_token(token)
    except Exception:
        raise Unauthorized("The token is invalid or has expired.") from None
    if data.get("type") != "access":
        raise Unauthorized("An access token is required.")
    _check_session(data)
    return data


def _check_session(data: dict[str, Any]) -> None:
    """The session is live and the user exists and is active; releases the DB connection."""
    if "pat" in data:
        _check_personal_token(data)
        return
    try:
        if session_revoked(data):
            raise Unauthorized("The token has been revoked.")
        if session_user(data) is None:
            raise Unauthorized("The account no longer exists or has been deactivated.")
    finally:
        db.session.remove()


def _personal_token(raw: str) -> dict[str, Any]:
    """Check a personal access token as the HTTP endpoints do (recording its last use)."""
    try:
        token, user = tokens.authenticate(raw)
        if "read" not in token.scopes:
            raise Unauthorized("This token lacks the read scope.")
        return {
            "sub": str(user.id),
            "exp": token.expires_at.timestamp(),
            "pat": token.id,
            # None: every household of the user, now and later
            "households": None if token.household_ids is None else set(token.household_ids),
        }
    except errors.Unauthorized as exc:
        raise Unauthorized(_reason(exc)) from None
    finally:
        db.session.remove()


def _reason(exc: errors.APIError) -> str:
    """The close reason for a refused token: its error code first when it says more than 401."""
    return exc.message if exc.code == "unauthorized" else f"{exc.code}: {exc.message}"


def _check_personal_token(data: dict[str, Any]) -> None:
    """The token is neither revoked nor expired and its user is active: one query by primary key."""
    try:
        row = db.session.execute(
            select(AccessToken.revoked_at, AccessToken.expires_at, User.is_active)
            .join(User, User.id == AccessToken.user_id)
            .where(AccessToken.id == data["pat"])
        ).first()
        if row is None:  # deleted with its account
            raise Unauthorized("The token is invalid.")
        if row.revoked_at is not None:
            raise Unauthorized("token_revoked: The token has been revoked.")
        if not row.is_active:
            raise Unauthorized("The account no longer exists or has been deactivated.")
        if row.expires_at <= clock.now():
            raise Unauthorized("token_expired: The token has expired.")
    finally:
        db.session.remove()


def _receive_auth(ws: Server, timeout: float) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise Unauthorized("No authentication message in time.")
        # In slices: simple-websocket wakes a waiting reader before it marks the socket
        # closed (a message too big, the client gone), so one long wait could outlast it.
        raw = ws.receive(timeout=min(remaining, WAIT_SLICE))
        if raw is None:
            continue
        try:
            message = json.loads(raw)
        except (TypeError, ValueError):
            raise Unauthorized("The first message must be an auth message.") from None
        if not isinstance(message, dict) or message.get("type") != "auth":
            raise Unauthorized("The first message must be an auth message.")
        return _claims(message.get("token"))


def _close(ws: Server, reason: str, code: int = CLOSE_UNAUTHORIZED) -> None:
    with contextlib.suppress(ConnectionClosed, OSError):
        ws.close(reason=code, message=reason[:120])


def _send(ws: Server, message: dict[str, Any]) -> None:
    ws.send(json.dumps(message, separators=(",", ":"), default=str))


def _release(ws: Server) -> None:
    """End the TCP connection once the socket is done, whatever server runs us.

    gunicorn closes the connection itself when the view returns; Werkzeug's development
    server would instead write an HTTP response after our close frame and then wait for the
    client to hang up, so the socket stayed open there. Give the client a moment to answer
    the close frame, then shut the connection down: both servers behave the same."""
    thread = getattr(ws, "thread", None)
    if thread is not None:
        thread.join(timeout=CLOSE_GRACE)
    ws.connected = False
    with contextlib.suppress(OSError):
        ws.sock.shutdown(socket.SHUT_RDWR)


@sock.route("/ws", bp=bp)  # type: ignore[untyped-decorator]
def live(ws: Server) -> None:
    try:
        _serve(ws)
    finally:
        _release(ws)


def _serve(ws: Server) -> None:
    config = current_app.config
    try:
        claims = _receive_auth(ws, float(config.get("WS_AUTH_TIMEOUT", DEFAULT_AUTH_TIMEOUT)))
    except Unauthorized as exc:
        _close(ws, str(exc))
        return
    except OSError:  # the client went away before authenticating
        return
    session = _Session(ws, claims, float(config.get("WS_PING_INTERVAL", DEFAULT_PING_INTERVAL)))
    try:
        session.subscribe()
        _send(ws, {"type": "ready"})
        while session.step():
            pass
    except (ConnectionClosed, OSError):  # the client went away
        return
    finally:
        session.unsubscribe()


def _household_ids(user_id: int) -> set[int]:
    """The households whose events the user's sockets receive; releases the DB connection."""
    try:
        return set(db.session.scalars(tenancy.household_ids(user_id)))
    finally:
        db.session.remove()


class _Session:
    """One authenticated socket: forwards the user's events, pings, and closes when it must."""

    def __init__(self, ws: Server, claims: dict[str, Any], ping_interval: float) -> None:
        self.ws = ws
        self.claims = claims
        self.expires_at = float(claims["exp"])
        self.ping_interval = ping_interval
        self.next_ping = time.monotonic() + ping_interval
        self.user_id = int(claims["sub"])
        self.inbox: deque[tuple[str, dict[str, Any]]] = deque()
        self.wake = ws.event  # set by the socket's reader on every client message and on close
        self.overflow = False
        self.households: set[int] = set()
        self.subscriptions: dict[str, Callable[[], None]] = {}

    def listener(self, key: str, message: dict[str, Any]) -> None:
        if len(self.inbox) >= MAX_PENDING:
            self.overflow = True  # never let a stalled client grow the queue without bound
        else:
            self.inbox.append((key, message))
        self.wake.set()

    def subscribe(self) -> None:
        """Listen to the user's own key and to the key of each household they are a member of now."""
        self.households = _household_ids(self.user_id)
        limit = self.claims.get("households")
        if limit is not None:  # a personal access token limited to some households
            self.households &= limit
        wanted = {events.user_key(self.user_id)} | {events.household_key(h) for h in self.households}
        for key in set(self.subscriptions) - wanted:
            self.subscriptions.pop(key)()
        broker = events.get_broker()
        for key in sorted(wanted - set(self.subscriptions)):
            self.subscriptions[key] = broker.subscribe(key, partial(self.listener, key))

    def unsubscribe(self) -> None:
        for stop in self.subscriptions.values():
            stop()
        self.subscriptions.clear()

    def step(self) -> bool:
        """Wait for something to do and do it; False once the socket is done."""
        wait = min(self.next_ping - time.monotonic(), self.expires_at - time.time(), IDLE_SLICE)
        if wait > 0:
            self.wake.wait(timeout=wait)
        self.wake.clear()
        if not self.ws.connected:
            return False
        self.ws.input_buffer.clear()  # client messages after auth carry no meaning
        if self.overflow:
            _close(self.ws, "Too many pending events; reconnect and reload.", CLOSE_TRY_AGAIN_LATER)
            return False
        recheck = self._forward()
        if time.time() >= self.expires_at:
            expired = "The token has expired."
            _close(self.ws, f"token_expired: {expired}" if "pat" in self.claims else expired)
            return False
        if time.monotonic() >= self.next_ping:
            _send(self.ws, {"type": "ping"})
            self.next_ping += self.ping_interval
            recheck = True
        return not recheck or self._session_live()

    def _forward(self) -> bool:
        """Send the queued events; True when one of them asks for a session check."""
        recheck = False
        while self.inbox:
            key, message = self.inbox.popleft()
            household_id = events.household_of(key)
            if household_id is not None and household_id not in self.households:
                continue  # queued before the membership ended
            if message.get("type") == events.MEMBERSHIPS_CHANGED:
                self.subscribe()
            elif message.get("type") in events.INTERNAL_TYPES:
                recheck = True
            else:
                _send(self.ws, message)
        return recheck

    def _session_live(self) -> bool:
        try:
            _check_session(self.claims)
        except Unauthorized as exc:
            _close(self.ws, str(exc))
            return False
        return True
