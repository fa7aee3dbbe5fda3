from __future__ import annotations

from typing import Any

from ...security import current_user, token_scope
from ...services.idempotency import idempotent
from ..common import MAX_ID
from ..decorators import annotate, authenticated, media, other_responses, public, query, response
from . import bp, service
from .schemas import MAX_UPLOAD_BYTES, AttachmentOut, SignedLinkQuery

IMAGE_MEDIA = {
    kind: {"type": "string", "format": "binary"} for kind in ("image/jpeg", "image/png", "image/gif", "image/webp")
}


@bp.before_request
def _limit_upload() -> None:
    from flask import request

    if request.endpoint == "attachments.upload_attachment":
        service.limit_request_size()


@bp.post("/attachments")
@authenticated
@idempotent
@other_responses(
    {
        403: "Your role does not allow writing in this household",
        409: "quota_exceeded: the household's attachments would pass ATTACHMENT_QUOTA_MB",
        413: f"The file is larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MiB",
        415: "Not multipart/form-data, or the file is not a JPEG, PNG, GIF or WebP image",
        422: "No file part, an unknown household, or an image over 40 megapixels",
    }
)
@response(AttachmentOut, 201)
def upload_attachment() -> Any:
    """Upload a photo (JPEG, PNG, GIF or WebP; metadata stripped, re-encoded, with a thumbnail)."""
    return service.upload(current_user())


annotate(
    upload_attachment,
    upload={
        "name": "file",
        "description": f"The image, at most {MAX_UPLOAD_BYTES // (1024 * 1024)} MiB",
        "fields": {
            "household_id": {
                "type": "integer",
                "minimum": 1,
                "maximum": MAX_ID,
                "description": "Default: your default household",
            }
        },
    },
)


@bp.get("/attachments/<int:attachment_id>")
@authenticated
@other_responses({404: "No such attachment"})
@response(AttachmentOut)
def get_attachment(attachment_id: int) -> Any:
    """An attachment's metadata, with fresh signed links."""
    return service.get_attachment(current_user(), attachment_id)


@bp.delete("/attachments/<int:attachment_id>")
@authenticated
@other_responses({403: "Your role does not allow writing in this household", 404: "No such attachment"})
@response(None, 204, "Deleted")
def delete_attachment(attachment_id: int) -> Any:
    """Delete an attachment and its files."""
    service.delete_attachment(current_user(), attachment_id)


@bp.get("/attachments/<int:attachment_id>/content")
@token_scope("read")
@public
@other_responses({200: "The image", 404: "No such attachment, or the link is expired or altered"})
@media(IMAGE_MEDIA)
@query(SignedLinkQuery)
def content(attachment_id: int, query: SignedLinkQuery) -> Any:
    """The image behind a signed link (no header needed)."""
    return service.serve(attachment_id, "content", query.expires, query.signature)


@bp.get("/attachments/<int:attachment_id>/thumbnail")
@token_scope("read")
@public
@other_responses({200: "The image", 404: "No such attachment, or the link is expired or altered"})
@media(IMAGE_MEDIA)
@query(SignedLinkQuery)
def thumbnail(attachment_id: int, query: SignedLinkQuery) -> Any:
    """The thumbnail behind a signed link (no header needed)."""
    return service.serve(attachment_id, "thumbnail", query.expires, query.signature)


for _view in (content, thumbnail):
    annotate(_view, status=200)
