"""Attachments: upload (judged, cleaned and stored), metadata with fresh links, the signed file
answers, delete. Reads are limited to the user's households; writes need an editor."""

from __future__ import annotations

import logging
from typing import IO, Any

from flask import Response, request
from pydantic import ValidationError
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from ...errors import APIError, FieldError, NotFound, pydantic_details
from ...extensions import db
from ...models import Attachment, User
from ...services import attachments, clock, images, locks, tenancy
from ...services.storage import storage
from ..common import MAX_ID
from .schemas import MAX_UPLOAD_BYTES, AttachmentForm, AttachmentOut

log = logging.getLogger(__name__)

#: What multipart framing and the household_id field may add to the file's bytes.
FORM_OVERHEAD = 64 * 1024
FILE_PART = "file"


def too_large() -> APIError:
    return APIError(413, "payload_too_large", f"The file is larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MiB.")


def limit_request_size() -> None:
    """Refuse an upload body over the limit while it streams in (Werkzeug stops reading there),
    not after a whole gigabyte was read; a Content-Length over it is refused before reading."""
    request.max_content_length = MAX_UPLOAD_BYTES + FORM_OVERHEAD
    if request.content_length is not None and request.content_length > request.max_content_length:
        raise too_large()


def answer(attachment: Attachment) -> dict[str, Any]:
    return AttachmentOut.model_validate(
        {
            "id": attachment.id,
            "household_id": attachment.household_id,
            "content_type": attachment.content_type,
            "size": attachment.size,
            "width": attachment.width,
            "height": attachment.height,
            "url": attachments.signed_url(attachment.id, "content"),
            "thumbnail_url": attachments.signed_url(attachment.id, "thumbnail"),
            "created_at": attachment.created_at,
        }
    ).model_dump(mode="json")


def _form() -> tuple[AttachmentForm, FileStorage]:
    if request.mimetype != "multipart/form-data":
        raise APIError(
            415, "unsupported_media_type", f"Send the image as multipart/form-data, in a part named '{FILE_PART}'."
        )
    upload = request.files.get(FILE_PART)
    fields = dict(request.form.items())
    problems: list[dict[str, Any]] = []
    form = AttachmentForm()
    try:
        form = AttachmentForm.model_validate(fields, context=_context())
    except ValidationError as exc:
        problems = pydantic_details(exc, "body")
    if upload is None:
        problems.insert(
            0, {"loc": ["body", FILE_PART], "msg": "An image is required in the part 'file'.", "type": "missing"}
        )
    if problems:
        raise FieldError(problems, "The upload is invalid.")
    assert upload is not None
    return form, upload


def _context() -> dict[str, Any]:
    from ...security import current_user

    user = current_user()
    return {"household_exists": lambda household_id: tenancy.readable(user, household_id)}


def _size(stream: IO[bytes]) -> int:
    stream.seek(0, 2)
    size = stream.tell()
    stream.seek(0)
    return size


def _check_quota(household_id: int, adding: int) -> None:
    quota = attachments.quota_bytes()
    if attachments.used_bytes(household_id) + adding > quota:
        raise APIError(
            409,
            "quota_exceeded",
            f"This household's attachments would take more than its quota of {quota // (1024 * 1024)} MiB;"
            " delete some first.",
        )


def upload(user: User) -> dict[str, Any]:
    form, file = _form()
    household = tenancy.target_household(user, form.household_id, "editor")
    size = _size(file.stream)
    if size > MAX_UPLOAD_BYTES:
        raise too_large()
    if size == 0:
        raise APIError(415, "unsupported_media_type", "The file is empty; send a JPEG, PNG, GIF or WebP image.")
    try:
        processed = images.process(file.stream)
    except images.ImageRefused as refused:
        raise APIError(refused.status, refused.code, refused.message) from None
    adding = len(processed.full.data) + len(processed.thumbnail.data)
    _check_quota(household.id, adding)  # before storing anything; again under the lock below
    store = storage()
    key, thumb_key = attachments.new_keys()
    # Files first, outside the transaction; the row that names them is committed after, and a
    # refusal from here on removes them again.
    store.put(key, processed.full.data, processed.full.content_type)
    try:
        store.put(thumb_key, processed.thumbnail.data, processed.thumbnail.content_type)
        locks.lock_household(household.id)
        _check_quota(household.id, adding)
        attachment = Attachment(
            household_id=household.id,
            uploaded_by=user.id,
            storage_key=key,
            thumbnail_key=thumb_key,
            content_type=processed.full.content_type,
            thumbnail_content_type=processed.thumbnail.content_type,
            size=len(processed.full.data),
            thumbnail_size=len(processed.thumbnail.data),
            width=processed.full.width,
            height=processed.full.height,
            created_at=clock.now(),
        )
        db.session.add(attachment)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        for stored in (key, thumb_key):
            try:
                store.delete(stored)
            except Exception:
                log.warning("could not remove the attachment file %s", stored, exc_info=True)
        raise
    return answer(attachment)


def _readable(user: User, attachment_id: int) -> Attachment:
    if not 1 <= attachment_id <= MAX_ID:
        raise NotFound("Attachment")
    found = db.session.scalar(
        select(Attachment).where(
            Attachment.id == attachment_id, Attachment.household_id.in_(tenancy.readable_ids(user))
        )
    )
    if found is None:
        raise NotFound("Attachment")
    return found


def get_attachment(user: User, attachment_id: int) -> dict[str, Any]:
    return answer(_readable(user, attachment_id))


def delete_attachment(user: User, attachment_id: int) -> None:
    household_id = _readable(user, attachment_id).household_id
    tenancy.require_role(user, household_id, "editor")
    locks.lock_household(household_id)
    attachments.delete_where(Attachment.id == attachment_id)
    db.session.commit()


def serve(attachment_id: int, variant: str, expires: str | None, signature: str | None) -> Response:
    """The file behind a signed link; any flaw in the link (id, variant, expiry, signature) is 404."""
    if not 1 <= attachment_id <= MAX_ID or not attachments.link_valid(attachment_id, variant, expires, signature):
        raise NotFound("Attachment")
    attachment = db.session.get(Attachment, attachment_id)
    if attachment is None:
        raise NotFound("Attachment")
    thumbnail = variant == "thumbnail"
    key = attachment.thumbnail_key if thumbnail else attachment.storage_key
    content_type = attachment.thumbnail_content_type if thumbnail else attachment.content_type
    length = attachment.thumbnail_size if thumbnail else attachment.size
    db.session.rollback()  # nothing more to read: the connection goes back before the file streams
    try:
        chunks = storage().stream(key)
    except FileNotFoundError:
        raise NotFound("Attachment") from None
    response = Response(chunks, mimetype=content_type, direct_passthrough=True)
    response.headers["Content-Length"] = str(length)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Disposition"] = "inline"
    response.headers["Cache-Control"] = "private, max-age=3600"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response
