"""Images for the attachment tests, built with Pillow (and by hand where Pillow would need the
memory the server must not spend)."""

from __future__ import annotations

import io
import struct
import zlib
from typing import Any

from flask.testing import FlaskClient
from PIL import Image

GPS_IFD = 0x8825
ORIENTATION = 0x0112


def png(width: int = 64, height: int = 48, color: Any = (200, 30, 30), mode: str = "RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, (width, height), color).save(out, "PNG")
    return out.getvalue()


def encoded(fmt: str, width: int = 64, height: int = 48) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (10, 120, 200)).save(out, fmt)
    return out.getvalue()


def jpeg_with_gps_and_orientation() -> bytes:
    """200x100: left half red, right half blue; EXIF orientation 6 (turn 90° clockwise to show)
    and a GPS position (52°31'12"N 13°24'36"E), a camera make and a comment."""
    image = Image.new("RGB", (200, 100), (255, 0, 0))
    image.paste((0, 0, 255), (100, 0, 200, 100))
    exif = Image.Exif()
    exif[ORIENTATION] = 6
    exif[0x010F] = "SecretCam"
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (52.0, 31.0, 12.0), 3: "E", 4: (13.0, 24.0, 36.0), 0: b"\x02\x03\x00\x00"})
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, quality=95, comment=b"secret-comment")
    return out.getvalue()


def png_bomb(width: int = 20000, height: int = 20000) -> bytes:
    """A 1-bit greyscale PNG of width x height zero pixels: ~50 KB for 400 megapixels."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    row = b"\x00" * (1 + (width + 7) // 8)
    packer = zlib.compressobj(9)
    body = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b"")


def upload(
    client: FlaskClient,
    headers: dict[str, str],
    data: bytes,
    filename: str = "photo.jpg",
    content_type: str = "image/jpeg",
    **fields: Any,
) -> Any:
    form = {"file": (io.BytesIO(data), filename, content_type), **{k: str(v) for k, v in fields.items()}}
    return client.post("/api/attachments", headers=headers, data=form, content_type="multipart/form-data")
