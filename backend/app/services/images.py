"""Judge, clean and re-encode an uploaded image with Pillow.

What an upload is comes from decoding its bytes, never from its name or declared type. The
header is read first: an image over ``MAX_PIXELS`` is refused before its pixels are decoded
(a 100 KiB PNG can claim 20000x20000). The pixels are then decoded, turned upright by the
EXIF orientation, and copied into a new image that carries no metadata at all (EXIF with
GPS, XMP, ICC, text chunks), which is encoded again; a thumbnail of at most ``THUMB_EDGE``
pixels a side is made from the same pixels.
"""

from __future__ import annotations

import io
import threading
import warnings
from dataclasses import dataclass
from typing import IO

from PIL import Image, ImageOps, UnidentifiedImageError

#: Formats accepted, by what Pillow decoded, and the type they are served with.
FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif", "WEBP": "image/webp"}
MAX_PIXELS = 40_000_000
THUMB_EDGE = 320
# Decoding a large photo takes tens of megabytes; a process decodes this many at once, so
# parallel uploads queue here instead of multiplying the memory they take.
DECODE_SLOTS = 2
_slots = threading.BoundedSemaphore(DECODE_SLOTS)


class ImageRefused(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Encoded:
    data: bytes
    content_type: str
    width: int
    height: int


@dataclass(frozen=True)
class Processed:
    full: Encoded
    thumbnail: Encoded


def _unsupported() -> ImageRefused:
    return ImageRefused(
        415, "unsupported_media_type", "The file is not a JPEG, PNG, GIF or WebP image that can be decoded."
    )


def _too_large(width: int, height: int) -> ImageRefused:
    return ImageRefused(
        422,
        "validation_error",
        f"The image is {width}x{height} pixels; at most {MAX_PIXELS // 1_000_000} megapixels are accepted.",
    )


def _open(source: IO[bytes]) -> Image.Image:
    """Read the header only: the format, and a size within ``MAX_PIXELS``."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(source, formats=list(FORMATS))
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise _too_large(0, 0) from None
        except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
            raise _unsupported() from None
    width, height = image.size
    if width < 1 or height < 1:
        raise _unsupported()
    if width * height > MAX_PIXELS:
        raise _too_large(width, height)
    return image


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info)


def _encode(image: Image.Image, fmt: str) -> bytes:
    out = io.BytesIO()
    if fmt == "JPEG":
        image.save(out, "JPEG", quality=88)
    elif fmt == "WEBP":
        image.save(out, "WEBP", quality=85)
    elif fmt == "GIF":
        image.save(out, "GIF")
    else:
        image.save(out, "PNG", compress_level=6)
    return out.getvalue()


def _clean_copy(image: Image.Image, fmt: str) -> Image.Image:
    """The pixels alone, in a mode the format stores, with no metadata to carry along."""
    alpha = _has_alpha(image) and fmt != "JPEG"
    mode = "RGBA" if alpha else ("L" if image.mode in ("1", "L", "I;16", "I", "F") and fmt != "GIF" else "RGB")
    converted = image.convert(mode)
    clean = Image.new(mode, converted.size)
    clean.paste(converted)
    return clean


def process(source: IO[bytes]) -> Processed:
    """The cleaned image and its thumbnail, or ``ImageRefused`` (415 not an image, 422 too many pixels)."""
    image = _open(source)
    fmt = str(image.format)
    with _slots:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", Image.DecompressionBombWarning)
                image.load()  # the first frame of an animation only
                upright = ImageOps.exif_transpose(image)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise _too_large(*image.size) from None
        except (OSError, ValueError, SyntaxError, EOFError):
            raise _unsupported() from None
        finally:
            image.close()
        clean = _clean_copy(upright, fmt)
        full = Encoded(_encode(clean, fmt), FORMATS[fmt], clean.width, clean.height)
        clean.thumbnail((THUMB_EDGE, THUMB_EDGE), Image.Resampling.LANCZOS)
        thumb_fmt = "PNG" if clean.mode == "RGBA" else "JPEG"
        thumbnail = Encoded(_encode(clean, thumb_fmt), FORMATS[thumb_fmt], clean.width, clean.height)
    return Processed(full, thumbnail)
