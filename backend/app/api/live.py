"""WS /ws: live updates of the signed-in user's data (protocol in docs/live-updates.md).

The first client message must be ``{"type": "auth", "token": "<access token>"}`` within
``WS_AUTH_TIMEOUT`` seconds (default 5). The server answers ``{"type": "ready"}``, then forwards
the user's events as ``{"type": ..., ...payload}`` and sends ``{"type": "ping"}`` every
``WS_PING_INTERVAL`` seconds (default 25). The socket is closed with code 4401 when the
token is missing or invalid, when it expires (at its ``exp``), and when its session is revoked
or the user deactivated (at once when the change is made through the application, which
publishes an internal ``auth.changed`` event; otherwise at the next ping tick).
"""

from __future__ import annotations

import contextlib
import json
import logging
import socket
import time
from collections import deque
from typing import Any

from flask import Blueprint, current_app
from flask_jwt_extended import decode_token
from simple_websocket import ConnectionClosed, Server

from ..extensions import db, sock
from ..security import session_revoked, session_user
from ..services import events

log = logging.getLogger(__name__)
bp = Blueprint("live", __name__)

CLOSE_UNAUTHORIZED = 4401
CLOSE_TRY_AGAIN_LATER = 1013
CLOSE_GRACE = 1.0  # seconds to wait for the client's answer to our close frame
MAX_PENDING = 1000  # events queued for a client that does not keep up; more closes the socket
DEFAULT_AUTH_TIMEOUT = 5.0
DEFAULT_PING_INTERVAL = 25.0


class Unauthorized(Exception):
    """The socket's token is missing, invalid, expired or revoked."""


def _claims(token: object) -> dict[str, Any]:
    """Decode and check an access token as the HTTP endpoints do."""
    if not isinstance(token, str) or not token:
        raise Unauthorized("Authentication is required.")
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
    try:
        if session_revoked(data):
            raise Unauthorized("The token has been revoked.")
        if session_user(data) is None:
            raise Unauthorized("The account no longer exists or has been deactivated.")
    finally:
        db.session.remove()


def _receive_auth(ws: Server, timeout: float) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise Unauthorized("No authentication message in time.")
        raw = ws.receive(timeout=remaining)
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
    auth_timeout = float(config.get("WS_AUTH_TIMEOUT", DEFAULT_AUTH_TIMEOUT))
    ping_interval = float(config.get("WS_PING_INTERVAL", DEFAULT_PING_INTERVAL))
    try:
        claims = _receive_auth(ws, auth_timeout)
    except Unauthorized as exc:
        _close(ws, str(exc))
        return
    except OSError:  # the client went away before authenticating
        return
    user_id = int(claims["sub"])
    expires_at = float(claims["exp"])

    inbox: deque[dict[str, Any]] = deque()
    wake = ws.event  # set by the socket's reader on every client message and on close

    overflow = False

    def listener(message: dict[str, Any]) -> None:
        nonlocal overflow
        if len(inbox) >= MAX_PENDING:
            overflow = True  # never let a stalled client grow the queue without bound
        else:
            inbox.append(message)
        wake.set()

    unsubscribe = events.get_broker().subscribe(user_id, listener)
    try:
        _send(ws, {"type": "ready"})
        next_ping = time.monotonic() + ping_interval
        while True:
            wait = min(next_ping - time.monotonic(), expires_at - time.time())
            if wait > 0:
                wake.wait(timeout=wait)
            wake.clear()
            if not ws.connected:
                return
            ws.input_buffer.clear()  # client messages after auth carry no meaning
            if overflow:
                _close(ws, "Too many pending events; reconnect and reload.", CLOSE_TRY_AGAIN_LATER)
                return
            recheck = False
            while inbox:
                message = inbox.popleft()
                if message.get("type") in events.INTERNAL_TYPES:
                    recheck = True
                else:
                    _send(ws, message)
            if time.time() >= expires_at:
                _close(ws, "The token has expired.")
                return
            if time.monotonic() >= next_ping:
                _send(ws, {"type": "ping"})
                next_ping += ping_interval
                recheck = True
            if recheck:
                try:
                    _check_session(claims)
                except Unauthorized as exc:
                    _close(ws, str(exc))
                    return
    except (ConnectionClosed, OSError):  # the client went away
        return
    finally:
        unsubscribe()
