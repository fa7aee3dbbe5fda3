"""Attachments (PRODUCT §14): uploads judged by decoding, cleaned, stored and served by signed
links, on the local disk and on a real S3-compatible server (each test runs on both)."""

from __future__ import annotations

import io
import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image
from sqlalchemy import func, select
from werkzeug.test import EnvironBuilder, run_wsgi_app
from werkzeug.wrappers import Response

from app.extensions import db
from app.models import Attachment
from app.services.storage import Storage
from tests.api.attachments_helpers import encoded, jpeg_with_gps_and_orientation, png, png_bomb, upload
from tests.api.conftest import stored_keys
from tests.api.households_helpers import home_id, member
from tests.factories import Account, account

MIB = 1024 * 1024
TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+00:00$")


def _count(app: Flask) -> int:
    with app.app_context():
        return int(db.session.scalar(select(func.count()).select_from(Attachment)) or 0)


def _path(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def _fetch(client: FlaskClient, url: str) -> Any:
    return client.get(_path(url))


def test_a_png_named_jpg_is_stored_as_what_it_is(app: Flask, client: FlaskClient, store: Storage) -> None:
    owner = account(app, client)
    household = home_id(client, owner)
    response = upload(client, owner.headers, png(64, 48), "meter.jpg", "image/jpeg")
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert set(body) == {
        "id",
        "household_id",
        "content_type",
        "size",
        "width",
        "height",
        "url",
        "thumbnail_url",
        "created_at",
    }
    assert body["id"] == 1
    assert body["household_id"] == household
    assert body["content_type"] == "image/png"
    assert (body["width"], body["height"]) == (64, 48)
    assert TIMESTAMP.match(body["created_at"])
    assert body["url"].startswith("http://localhost/api/attachments/1/content?expires=")
    assert body["thumbnail_url"].startswith("http://localhost/api/attachments/1/thumbnail?expires=")
    assert len(stored_keys(store)) == 2

    content = _fetch(client, body["url"])
    assert content.status_code == 200
    assert content.headers["Content-Type"] == "image/png"
    assert content.headers["X-Content-Type-Options"] == "nosniff"
    assert content.headers["Content-Disposition"] == "inline"
    assert content.headers["Cache-Control"].startswith("private")
    assert int(content.headers["Content-Length"]) == body["size"] == len(content.data)
    assert Image.open(io.BytesIO(content.data)).format == "PNG"


def test_a_jpeg_declared_as_png_is_a_jpeg(app: Flask, client: FlaskClient, store: Storage) -> None:
    owner = account(app, client)
    response = upload(client, owner.headers, encoded("JPEG", 800, 600), "scan.png", "image/png")
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert (body["content_type"], body["width"], body["height"]) == ("image/jpeg", 800, 600)
    thumb = _fetch(client, body["thumbnail_url"])
    assert thumb.status_code == 200
    assert thumb.headers["Content-Type"] == "image/jpeg"
    assert Image.open(io.BytesIO(thumb.data)).size == (320, 240)


@pytest.mark.parametrize("fmt,content_type", [("GIF", "image/gif"), ("WEBP", "image/webp")])
def test_gif_and_webp_are_accepted(
    app: Flask, client: FlaskClient, store: Storage, fmt: str, content_type: str
) -> None:
    owner = account(app, client)
    response = upload(client, owner.headers, encoded(fmt, 30, 20), "x.bin", "application/octet-stream")
    assert response.status_code == 201, response.get_json()
    assert (response.get_json()["content_type"], response.get_json()["width"]) == (content_type, 30)


SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b"<script>alert(1)</script></svg>"
)
HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.mark.parametrize(
    "data,filename,content_type",
    [
        (SVG, "meter.svg", "image/svg+xml"),
        (HTML, "meter.png", "image/png"),
        (PDF, "bill.pdf", "application/pdf"),
        (encoded("JPEG", 400, 300)[:600], "cut.jpg", "image/jpeg"),
        (b"", "empty.jpg", "image/jpeg"),
    ],
    ids=["svg", "html-named-png", "pdf", "truncated-jpeg", "zero-bytes"],
)
def test_what_is_not_an_image_is_refused_with_415(
    app: Flask, client: FlaskClient, store: Storage, data: bytes, filename: str, content_type: str
) -> None:
    owner = account(app, client)
    response = upload(client, owner.headers, data, filename, content_type)
    assert response.status_code == 415, response.get_json()
    assert response.get_json()["error"]["code"] == "unsupported_media_type"
    assert _count(app) == 0
    assert stored_keys(store) == set()


def test_a_file_one_byte_over_5_mib_is_refused_with_413(app: Flask, client: FlaskClient, store: Storage) -> None:
    owner = account(app, client)
    data = png(8, 8)
    data += b"\x00" * (5 * MIB + 1 - len(data))  # a valid PNG, then padding: 5 MiB + 1 byte
    response = upload(client, owner.headers, data, "big.png", "image/png")
    assert response.status_code == 413
    assert response.get_json()["error"] == {"code": "payload_too_large", "message": "The file is larger than 5 MiB."}
    assert _count(app) == 0
    assert stored_keys(store) == set()


def test_a_file_of_exactly_5_mib_is_judged(app: Flask, client: FlaskClient, store: Storage) -> None:
    owner = account(app, client)
    data = png(8, 8)
    data += b"\x00" * (5 * MIB - len(data))
    response = upload(client, owner.headers, data, "big.png", "image/png")
    assert response.status_code == 201, response.get_json()
    assert (response.get_json()["width"], response.get_json()["size"] < 1024) == (8, True)


class EndlessBody:
    """A request body without a Content-Length that never ends; counts what the server read."""

    def __init__(self) -> None:
        self.read_bytes = 0
        self.head = b'--b\r\nContent-Disposition: form-data; name="file"; filename="x.png"\r\n\r\n'

    def read(self, size: int = -1) -> bytes:
        size = 65536 if size is None or size < 0 else min(size, 65536)
        if self.head:
            chunk, self.head = self.head[:size], self.head[size:]
        else:
            chunk = b"\x00" * size
        self.read_bytes += len(chunk)
        return chunk

    def readline(self, size: int = -1) -> bytes:
        return self.read(size)


def _streamed(client: FlaskClient, headers: dict[str, str], body: EndlessBody, length: int | None) -> Any:
    environ = EnvironBuilder(
        path="/api/attachments",
        method="POST",
        headers={**headers, "Content-Type": "multipart/form-data; boundary=b"},
    ).get_environ()
    environ["wsgi.input"] = body
    environ.pop("CONTENT_LENGTH", None)
    if length is None:
        environ["wsgi.input_terminated"] = True  # chunked: the server says where the body ends
        environ["HTTP_TRANSFER_ENCODING"] = "chunked"
    else:
        environ["CONTENT_LENGTH"] = str(length)
    app_iter, status, headers_out = run_wsgi_app(client.application, environ, buffered=True)
    return Response(b"".join(app_iter), status=status, headers=headers_out)


def test_an_endless_upload_is_refused_while_it_streams(app: Flask, client: FlaskClient, store: Storage) -> None:
    owner = account(app, client)
    body = EndlessBody()
    response = _streamed(client, owner.headers, body, None)
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "payload_too_large"
    assert body.read_bytes <= 5 * MIB + 64 * 1024 + 65536  # stopped at the limit, not at the end
    assert _count(app) == 0
    assert stored_keys(store) == set()


def test_a_declared_length_over_the_limit_is_refused_before_reading(app: Flask, client: FlaskClient) -> None:
    owner = account(app, client)
    body = EndlessBody()
    response = _streamed(client, owner.headers, body, 1 << 30)
    assert response.status_code == 413
    assert response.get_json()["error"] == {"code": "payload_too_large", "message": "The file is larger than 5 MiB."}
    assert body.read_bytes == 0


def test_a_png_bomb_is_refused_before_it_is_decoded(app: Flask, client: FlaskClient, store: Storage) -> None:
    owner = account(app, client)
    bomb = png_bomb(20000, 20000)
    assert len(bomb) < 100 * 1024
    response = upload(client, owner.headers, bomb, "bomb.png", "image/png")
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "validation_error"
    assert _count(app) == 0
    assert stored_keys(store) == set()


def test_just_over_40_megapixels_is_refused(app: Flask, client: FlaskClient, store: Storage) -> None:
    owner = account(app, client)
    response = upload(client, owner.headers, png_bomb(8001, 5000), "wide.png", "image/png")
    assert response.status_code == 422
    assert response.get_json()["error"] == {
        "code": "validation_error",
        "message": "The image is 8001x5000 pixels; at most 40 megapixels are accepted.",
    }
    assert stored_keys(store) == set()


def test_gps_and_every_other_metadata_are_gone_and_the_orientation_applied(
    app: Flask, client: FlaskClient, store: Storage
) -> None:
    owner = account(app, client)
    original = jpeg_with_gps_and_orientation()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)  # the test image has GPS
    response = upload(client, owner.headers, original)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert (body["width"], body["height"]) == (100, 200)  # turned upright
    for url in (body["url"], body["thumbnail_url"]):
        data = _fetch(client, url).data
        image = Image.open(io.BytesIO(data))
        assert dict(image.getexif()) == {}
        assert image.getexif().get_ifd(0x8825) == {}
        assert "exif" not in image.info and "comment" not in image.info and "icc_profile" not in image.info
        for marker in (b"Exif", b"SecretCam", b"secret-comment", b"GPS"):
            assert marker not in data
    upright = Image.open(io.BytesIO(_fetch(client, body["url"]).data)).convert("RGB")
    assert upright.size == (100, 200)
    top, bottom = upright.getpixel((50, 20)), upright.getpixel((50, 180))
    assert top[0] > 200 and top[2] < 60  # the left (red) half is on top after turning clockwise
    assert bottom[2] > 200 and bottom[0] < 60


def test_the_thumbnail_keeps_transparency_as_png(app: Flask, client: FlaskClient, store: Storage) -> None:
    owner = account(app, client)
    response = upload(client, owner.headers, png(1000, 500, (0, 0, 0, 0), "RGBA"), "a.png", "image/png")
    body = response.get_json()
    thumb = _fetch(client, body["thumbnail_url"])
    assert thumb.headers["Content-Type"] == "image/png"
    image = Image.open(io.BytesIO(thumb.data))
    assert (image.size, image.mode) == ((320, 160), "RGBA")


def _signed(url: str) -> tuple[str, str, str]:
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    return parts.path, query["expires"][0], query["signature"][0]


def test_links_altered_in_id_expiry_or_signature_answer_404(app: Flask, client: FlaskClient, store: Storage) -> None:
    owner = account(app, client)
    first = upload(client, owner.headers, png()).get_json()
    upload(client, owner.headers, png())
    path, expires, signature = _signed(first["url"])
    assert client.get(f"{path}?expires={expires}&signature={signature}").status_code == 200
    flipped = ("A" if signature[0] != "A" else "B") + signature[1:]
    for altered in (
        f"/api/attachments/2/content?expires={expires}&signature={signature}",
        f"/api/attachments/1/thumbnail?expires={expires}&signature={signature}",
        f"{path}?expires={int(expires) + 1}&signature={signature}",
        f"{path}?expires={expires}&signature={flipped}",
        f"{path}?expires={expires}",
        f"{path}?signature={signature}",
        path,
        f"{path}?expires=-1&signature={signature}",
    ):
        response = client.get(altered)
        assert response.status_code == 404, altered
        assert response.get_json()["error"]["code"] == "not_found"


def test_a_link_expires_after_one_hour(app: Flask, client: FlaskClient, store: Storage, clock: Any) -> None:
    owner = account(app, client)
    body = upload(client, owner.headers, png()).get_json()
    _, expires, _ = _signed(body["url"])
    assert int(expires) == int(clock.now().timestamp()) + 3600
    clock.advance(seconds=3599)
    assert _fetch(client, body["url"]).status_code == 200
    clock.advance(seconds=2)
    assert _fetch(client, body["url"]).status_code == 404
    assert _fetch(client, body["thumbnail_url"]).status_code == 404
    fresh = client.get("/api/attachments/1", headers=owner.headers).get_json()
    assert _fetch(client, fresh["url"]).status_code == 200


def test_metadata_delete_and_roles(app: Flask, client: FlaskClient, store: Storage) -> None:
    owner = account(app, client, "owner@example.com")
    household = home_id(client, owner)
    viewer = member(app, client, household, "viewer", "viewer@example.com")
    editor = member(app, client, household, "editor", "editor@example.com")
    stranger = account(app, client, "stranger@example.com")

    refused = upload(client, viewer.headers, png(), household_id=household)
    assert refused.status_code == 403
    assert refused.get_json()["error"]["code"] == "forbidden"
    foreign = upload(client, stranger.headers, png(), household_id=household)
    assert foreign.status_code == 422
    assert foreign.get_json()["error"]["details"] == [
        {"loc": ["body", "household_id"], "msg": "Household not found.", "type": "not_found"}
    ]
    made = upload(client, editor.headers, png(), household_id=household)
    assert made.status_code == 201
    attachment_id = made.get_json()["id"]
    assert made.get_json()["household_id"] == household
    assert len(stored_keys(store)) == 2

    assert client.get(f"/api/attachments/{attachment_id}", headers=viewer.headers).status_code == 200
    assert client.get(f"/api/attachments/{attachment_id}", headers=stranger.headers).status_code == 404
    assert client.delete(f"/api/attachments/{attachment_id}", headers=stranger.headers).status_code == 404
    assert client.delete(f"/api/attachments/{attachment_id}", headers=viewer.headers).status_code == 403
    assert len(stored_keys(store)) == 2
    assert client.delete(f"/api/attachments/{attachment_id}", headers=editor.headers).status_code == 204
    assert stored_keys(store) == set()
    assert client.get(f"/api/attachments/{attachment_id}", headers=owner.headers).status_code == 404
    assert _fetch(client, made.get_json()["url"]).status_code == 404


def test_bad_forms(app: Flask, client: FlaskClient, store: Storage) -> None:
    owner = account(app, client)
    no_file = client.post(
        "/api/attachments", headers=owner.headers, data={"household_id": "1"}, content_type="multipart/form-data"
    )
    assert no_file.status_code == 422
    assert no_file.get_json()["error"]["details"] == [
        {"loc": ["body", "file"], "msg": "An image is required in the part 'file'.", "type": "missing"}
    ]
    wrong = upload(client, owner.headers, png(), household_id="abc")
    assert wrong.status_code == 422
    assert [d["loc"] for d in wrong.get_json()["error"]["details"]] == [["body", "household_id"]]
    extra = upload(client, owner.headers, png(), colour="red")
    assert extra.status_code == 422
    assert [d["loc"] for d in extra.get_json()["error"]["details"]] == [["body", "colour"]]
    as_json = client.post("/api/attachments", headers=owner.headers, json={"file": "x"})
    assert as_json.status_code == 415
    assert stored_keys(store) == set()


def test_the_household_quota(app: Flask, client: FlaskClient, store: Storage, monkeypatch: pytest.MonkeyPatch) -> None:
    owner = account(app, client)
    other = account(app, client)
    monkeypatch.setitem(app.config, "ATTACHMENT_QUOTA_MB", 1)
    noise = Image.effect_noise((500, 500), 100).convert("RGB")
    out = io.BytesIO()
    noise.save(out, "PNG")
    data = out.getvalue()
    first = upload(client, owner.headers, data, "noise.png", "image/png")
    assert first.status_code == 201, first.get_json()
    assert first.get_json()["size"] > MIB // 2
    second = upload(client, owner.headers, data, "noise.png", "image/png")
    assert second.status_code == 409
    assert second.get_json()["error"] == {
        "code": "quota_exceeded",
        "message": "This household's attachments would take more than its quota of 1 MiB; delete some first.",
    }
    assert len(stored_keys(store)) == 2
    assert upload(client, other.headers, data, "noise.png", "image/png").status_code == 201  # per household
    client.delete(f"/api/attachments/{first.get_json()['id']}", headers=owner.headers)
    assert upload(client, owner.headers, data, "noise.png", "image/png").status_code == 201


def test_personal_access_tokens(app: Flask, client: FlaskClient, store: Storage) -> None:
    owner: Account = account(app, client)

    def token(scopes: list[str]) -> dict[str, str]:
        body = client.post("/api/auth/tokens", json={"name": "t", "scopes": scopes}, headers=owner.headers)
        return {"Authorization": f"Bearer {body.get_json()['token']}"}

    read, write = token(["read"]), token(["write"])
    assert upload(client, read, png()).status_code == 403
    made = upload(client, write, png())
    assert made.status_code == 201
    attachment_id = made.get_json()["id"]
    assert client.get(f"/api/attachments/{attachment_id}", headers=write).status_code == 403
    assert client.get(f"/api/attachments/{attachment_id}", headers=read).status_code == 200
    assert client.delete(f"/api/attachments/{attachment_id}", headers=read).status_code == 403
    assert client.delete(f"/api/attachments/{attachment_id}", headers=write).status_code == 204
