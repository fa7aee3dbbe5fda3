"""Attachments shared by every parent: storage keys, signed links, linking to readings, records
and bills, quotas, and removing files once the rows that named them are gone.

Files are removed only after the transaction that deleted their rows commits (a rollback keeps
them), so a failed request never leaves a row pointing at nothing. A file whose removal fails
after the commit is logged; it names no row any more and is never served.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import secrets
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from flask import current_app, url_for
from sqlalchemy import ColumnElement, delete, event, func, select, update
from sqlalchemy.orm import Session

from ..errors import Conflict, InvalidField
from ..extensions import db
from ..jobs import periodic_sweep
from ..models import Attachment
from ..models.attachment import PARENT_COLUMNS
from . import clock
from .storage import Storage, storage

log = logging.getLogger(__name__)

LINK_SECONDS = 3600
UNATTACHED_HOURS = 24
VARIANTS = ("content", "thumbnail")
FIELD = "attachment_ids"
_PENDING = "meterbook.files_to_delete"


# Keys and signed links ----------------------------------------------------------------


def new_keys() -> tuple[str, str]:
    """Fresh storage keys of a file and its thumbnail: random, never derived from the request."""
    name = secrets.token_hex(16)
    directory = hashlib.sha256(name.encode()).hexdigest()[:2]
    return f"{directory}/{name}.full", f"{directory}/{name}.thumb"


def _signature(attachment_id: int, variant: str, expires: int) -> str:
    key = hmac.new(str(current_app.config["SECRET_KEY"]).encode(), b"meterbook.attachment-link", "sha256").digest()
    mac = hmac.new(key, f"{attachment_id}:{variant}:{expires}".encode(), "sha256").digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode()


def signed_url(attachment_id: int, variant: str) -> str:
    """A link to the file valid ``LINK_SECONDS``, that needs no header: HMAC over id, variant, expiry."""
    expires = int((clock.now() + timedelta(seconds=LINK_SECONDS)).timestamp())
    return url_for(
        f"attachments.{variant}",
        attachment_id=attachment_id,
        expires=expires,
        signature=_signature(attachment_id, variant, expires),
        _external=True,
    )


def link_valid(attachment_id: int, variant: str, expires: str | None, signature: str | None) -> bool:
    if not expires or not signature or not expires.isdigit() or len(expires) > 12:
        return False
    if int(expires) < clock.now().timestamp():
        return False
    return hmac.compare_digest(_signature(attachment_id, variant, int(expires)), signature)


# Files removed after the commit ----------------------------------------------------------


def _after_commit(session: Session) -> None:
    pending = session.info.pop(_PENDING, None)
    for store, key in pending or ():
        try:
            store.delete(key)
        except Exception:  # the row is gone: an orphaned file is never served, log it and go on
            log.warning("could not remove the attachment file %s", key, exc_info=True)


def _after_rollback(session: Session) -> None:
    session.info.pop(_PENDING, None)


def _listen() -> None:
    if not event.contains(Session, "after_commit", _after_commit):
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_soft_rollback", lambda session, _previous: _after_rollback(session))


def remove_files_after_commit(keys: Iterable[str], store: Storage | None = None) -> None:
    _listen()
    store = store or storage()
    pending: list[tuple[Storage, str]] = db.session.info.setdefault(_PENDING, [])
    pending.extend((store, key) for key in keys)


def forget(condition: ColumnElement[bool]) -> int:
    """Before rows go (a parent, a meter, a household): their attachments' files go after the commit.

    The rows themselves are deleted by the database with their parent (or here, for a
    condition on attachments alone)."""
    rows = db.session.execute(select(Attachment.storage_key, Attachment.thumbnail_key).where(condition)).all()
    remove_files_after_commit(key for row in rows for key in row)
    return len(rows)


def delete_where(condition: ColumnElement[bool]) -> int:
    count = forget(condition)
    db.session.execute(delete(Attachment).where(condition))
    return count


# Linking --------------------------------------------------------------------------------


def attach(household_id: int, column: str, parent_id: int, ids: list[int] | None, *, replace: bool) -> None:
    """Make ``ids`` the attachments of one parent (``column`` names its kind).

    Each must be an attachment of the same household (else 422 on ``attachment_ids``, as an id
    that never existed) and not attached to another parent (409). With ``replace`` (an update
    naming the list), attachments of this parent left out are deleted with their files."""
    assert column in PARENT_COLUMNS
    if ids is None:
        return
    wanted = list(dict.fromkeys(ids))
    found = {
        attachment.id: attachment
        for attachment in db.session.scalars(
            select(Attachment)
            .where(Attachment.id.in_(wanted), Attachment.household_id == household_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    }
    missing = [attachment_id for attachment_id in wanted if attachment_id not in found]
    if missing:
        raise InvalidField(FIELD, f"Attachment {missing[0]} not found.", "not_found")
    for attachment in found.values():
        if attachment.attached and getattr(attachment, column) != parent_id:
            raise Conflict(f"Attachment {attachment.id} is already attached to another reading, record or bill.")
    if replace:
        delete_where((getattr(Attachment, column) == parent_id) & Attachment.id.not_in(wanted))
    for attachment in found.values():
        setattr(attachment, column, parent_id)
    db.session.flush()


def move(condition: ColumnElement[bool], household_id: int) -> None:
    """Give attachments to another household (their parent moved there)."""
    db.session.execute(update(Attachment).where(condition).values(household_id=household_id))


def ids_by_parent(column: str, parent_ids: list[int]) -> dict[int, list[int]]:
    """The attachment ids of many parents of one kind, in one query."""
    found: dict[int, list[int]] = {}
    if not parent_ids:
        return found
    parent = getattr(Attachment, column)
    for parent_id, attachment_id in db.session.execute(
        select(parent, Attachment.id).where(parent.in_(parent_ids)).order_by(Attachment.id)
    ):
        found.setdefault(parent_id, []).append(attachment_id)
    return found


def refresh(parent: Any) -> None:
    """Read a parent's attachments again after linking."""
    db.session.expire(parent, ["attachments"])


# Quota and clean-up -----------------------------------------------------------------------


def used_bytes(household_id: int) -> int:
    total = db.session.scalar(
        select(func.coalesce(func.sum(Attachment.size + Attachment.thumbnail_size), 0)).where(
            Attachment.household_id == household_id
        )
    )
    return int(total or 0)


def quota_bytes() -> int:
    return int(current_app.config["ATTACHMENT_QUOTA_MB"]) * 1024 * 1024


def clean_unattached(hours: int = UNATTACHED_HOURS) -> int:
    """Delete uploads attached to nothing for ``hours`` (their files after the commit); the count.

    The rows are locked first (PostgreSQL; skipping any a request is attaching right now), so
    an upload attached meanwhile keeps its files."""
    cutoff = clock.now() - timedelta(hours=hours)
    rows = db.session.execute(
        select(Attachment.id, Attachment.storage_key, Attachment.thumbnail_key)
        .where(
            Attachment.reading_id.is_(None),
            Attachment.record_id.is_(None),
            Attachment.bill_id.is_(None),
            Attachment.created_at < cutoff,
        )
        .with_for_update(skip_locked=True)
    ).all()
    if rows:
        db.session.execute(delete(Attachment).where(Attachment.id.in_([row.id for row in rows])))
        remove_files_after_commit(key for row in rows for key in (row.storage_key, row.thumbnail_key))
    db.session.commit()
    return len(rows)


@periodic_sweep
def sweep_unattached_uploads() -> None:
    """The periodic job (every JOBS_SWEEP_MINUTES): what ``flask attachments clean`` does."""
    count = clean_unattached()
    if count:
        log.info("removed %s upload(s) left unattached for %s hours", count, UNATTACHED_HOURS)
