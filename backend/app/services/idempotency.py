"""The Idempotency-Key rule: a POST sent again with the same key gets the first answer again.

Keys belong to the caller: the user, and the personal access token when one is used (a
session counts as token 0). The first request inserts the key's row before it does its
work; the table's unique constraint makes every concurrent request with the same key wait
for that transaction, then find the row and answer what it stored, so the work is done once.
The row's answer is written right after the view, in a second short transaction (a view
commits its own work); a request that finds the row still without an answer waits briefly.
Keys are kept 24 hours; a key sent with another body (or to another route) answers 409.
"""

from __future__ import annotations

import functools
import hashlib
import re
import time
import typing
from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar

from flask import Response, current_app, request
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from ..errors import APIError, Conflict
from ..extensions import db
from ..models import IdempotencyKey
from ..security import current_personal_token, current_user
from . import clock

F = TypeVar("F", bound=Callable[..., Any])

HEADER = "Idempotency-Key"
REPLAYED = "Idempotent-Replayed"
MAX_LENGTH = 255
# Visible ASCII, no spaces (a UUID, a hash, a timestamp and a name...).
KEY_PATTERN = re.compile(rf"[!-~]{{1,{MAX_LENGTH}}}")
KEY_RULE = f"must be 1 to {MAX_LENGTH} visible ASCII characters (no spaces)"
KEEP = timedelta(hours=24)
# How long a request waits for the first one with its key to store its answer.
WAIT_SECONDS = 10.0
# The headers of the first answer worth answering again.
KEPT_HEADERS = ("Content-Type", "Location", "Content-Disposition")


def _fingerprint() -> str:
    digest = hashlib.sha256()
    digest.update(f"{request.method} {request.path}?{request.query_string.decode('latin-1')}\n".encode())
    if request.mimetype == "multipart/form-data":
        # The parts, not the raw body: a client picks a new boundary for every request.
        for name, value in sorted(request.form.items(multi=True), key=lambda item: (str(item[0]), str(item[1]))):
            digest.update(f"field {name}={value}\n".encode())
        for name, upload in sorted(request.files.items(multi=True), key=lambda item: str(item[0])):
            digest.update(f"file {name} {upload.filename}\n".encode())
            digest.update(upload.stream.read())
            upload.stream.seek(0)
    else:
        digest.update(request.get_data(cache=True))
    return digest.hexdigest()


def _replay(row: IdempotencyKey) -> Response:
    out = Response(row.body or "", status=row.status)
    for name, value in (row.headers or {}).items():
        out.headers[name] = value
    out.headers[REPLAYED] = "true"
    return out


def _find(user_id: int, token_id: int, key: str) -> IdempotencyKey | None:
    return db.session.scalar(
        select(IdempotencyKey)
        .where(IdempotencyKey.user_id == user_id, IdempotencyKey.token_id == token_id, IdempotencyKey.key == key)
        .execution_options(populate_existing=True)
    )


def _claim(user_id: int, token_id: int, key: str, fingerprint: str) -> Response | None:
    """Insert the key's row (None: this request does the work), or the stored answer."""
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        found = _find(user_id, token_id, key)
        if found is not None and found.created_at <= clock.now() - KEEP:
            db.session.delete(found)  # an expired key starts afresh
            db.session.flush()
            found = None
        if found is None:
            claim = IdempotencyKey(
                user_id=user_id, token_id=token_id, key=key, request_hash=fingerprint, created_at=clock.now()
            )
            db.session.add(claim)
            try:
                db.session.flush()  # waits for a concurrent first request's transaction
                return None
            except IntegrityError:
                db.session.rollback()
                continue
        if found.request_hash != fingerprint:
            db.session.rollback()
            raise Conflict("This Idempotency-Key was used with another request; use a new key for a new request.")
        if found.status is not None:
            db.session.rollback()
            return _replay(found)
        db.session.rollback()
        if time.monotonic() > deadline:
            raise Conflict("A request with this Idempotency-Key is still being processed; retry shortly.")
        time.sleep(0.05)


def _store(user_id: int, token_id: int, key: str, fingerprint: str, response: Response) -> None:
    values = {
        "status": response.status_code,
        "body": response.get_data(as_text=True),
        "headers": {name: response.headers[name] for name in KEPT_HEADERS if name in response.headers},
    }
    stored = db.session.execute(
        update(IdempotencyKey)
        .where(IdempotencyKey.user_id == user_id, IdempotencyKey.token_id == token_id, IdempotencyKey.key == key)
        .values(**values)
    )
    if not getattr(stored, "rowcount", 0):  # the view rolled the claim back and then succeeded
        db.session.add(IdempotencyKey(user_id=user_id, token_id=token_id, key=key, request_hash=fingerprint, **values))
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()


def _release(user_id: int, token_id: int, key: str) -> None:
    """The request failed after its view committed the claim: free the key for a retry."""
    db.session.rollback()
    db.session.execute(
        delete(IdempotencyKey).where(
            IdempotencyKey.user_id == user_id,
            IdempotencyKey.token_id == token_id,
            IdempotencyKey.key == key,
            IdempotencyKey.status.is_(None),
        )
    )
    db.session.commit()


def idempotent(func: F) -> F:
    """Honour an ``Idempotency-Key`` header (place it right under ``@authenticated``).

    Only successful answers are remembered: a refused request wrote nothing, so sending it
    again (corrected, or once the conflict is gone) is safe."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        key = request.headers.get(HEADER)
        if key is None:
            return func(*args, **kwargs)
        if not KEY_PATTERN.fullmatch(key):
            raise APIError(
                422,
                "validation_error",
                "The Idempotency-Key header is invalid.",
                [
                    {
                        "loc": ["header", HEADER],
                        "msg": KEY_RULE,
                        "type": "value_error",
                    }
                ],
            )
        user_id = current_user().id
        token = current_personal_token()
        token_id = token.id if token is not None else 0
        fingerprint = _fingerprint()
        if (replayed := _claim(user_id, token_id, key, fingerprint)) is not None:
            return replayed
        try:
            response = current_app.make_response(func(*args, **kwargs))
        except BaseException:
            _release(user_id, token_id, key)
            raise
        if response.status_code < 400 and not response.is_streamed:
            _store(user_id, token_id, key, fingerprint, response)
        else:
            _release(user_id, token_id, key)
        return response

    info = dict(getattr(func, "__openapi__", {}))
    info["idempotent"] = True
    info["responses"] = {**info.get("responses", {}), 409: "Idempotency-Key reused with another request"}
    wrapper.__openapi__ = info  # type: ignore[attr-defined]
    return typing.cast(F, wrapper)


def prune() -> int:
    """Forget keys older than 24 hours; answers how many went."""
    result = db.session.execute(delete(IdempotencyKey).where(IdempotencyKey.created_at <= clock.now() - KEEP))
    db.session.commit()
    return int(getattr(result, "rowcount", 0) or 0)
