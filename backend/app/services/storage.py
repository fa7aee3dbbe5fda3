"""Where attachment files live: one small interface, the local filesystem or S3-compatible storage.

Keys are chosen by the server (``attachments.new_key``), never taken from a request: a key is
``<2 hex>/<32 hex>.<variant>``, so a LocalStorage path can never leave its root.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlparse

from flask import Flask, current_app

CHUNK = 64 * 1024
KEY_PATTERN = re.compile(r"^[0-9a-f]{2}/[0-9a-f]{32}\.(full|thumb)$")


class Storage(Protocol):
    def put(self, key: str, data: bytes, content_type: str) -> None: ...

    def get(self, key: str) -> bytes: ...

    def stream(self, key: str) -> Iterator[bytes]:
        """The file in chunks of at most 64 KiB; ``FileNotFoundError`` when there is none."""
        ...

    def delete(self, key: str) -> None:
        """Remove the file; a missing one is not an error."""
        ...

    def exists(self, key: str) -> bool: ...


def _checked(key: str) -> str:
    if not KEY_PATTERN.fullmatch(key):
        raise ValueError(f"not a storage key: {key!r}")
    return key


class LocalStorage:
    """Files under one directory (``file://DIR``); written to a temporary file and renamed, so a
    reader never sees half a file."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        return self.root / _checked(key)

    def put(self, key: str, data: bytes, content_type: str) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def get(self, key: str) -> bytes:
        return self._path(key).read_bytes()

    def stream(self, key: str) -> Iterator[bytes]:
        handle = self._path(key).open("rb")  # FileNotFoundError here, before the answer starts

        def chunks() -> Iterator[bytes]:
            with handle:
                while chunk := handle.read(CHUNK):
                    yield chunk

        return chunks()

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()


class S3Storage:
    """Objects in one bucket of S3 or an S3-compatible server (``s3://bucket``, ``S3_ENDPOINT_URL``),
    with the credentials boto3 finds in the standard AWS variables."""

    def __init__(self, bucket: str, endpoint_url: str | None = None, prefix: str = "") -> None:
        import boto3
        from botocore.config import Config

        self.bucket = bucket
        self.prefix = prefix
        self.client: Any = boto3.client(
            "s3",
            endpoint_url=endpoint_url,
            config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 3, "mode": "standard"}),
        )

    def _key(self, key: str) -> str:
        return self.prefix + _checked(key)

    def put(self, key: str, data: bytes, content_type: str) -> None:
        self.client.put_object(Bucket=self.bucket, Key=self._key(key), Body=data, ContentType=content_type)

    def get(self, key: str) -> bytes:
        return b"".join(self.stream(key))

    def stream(self, key: str) -> Iterator[bytes]:
        from botocore.exceptions import ClientError

        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=self._key(key))
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                raise FileNotFoundError(key) from None
            raise
        body = answer["Body"]

        def chunks() -> Iterator[bytes]:
            try:
                yield from body.iter_chunks(CHUNK)
            finally:
                body.close()

        return chunks()

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._key(key))

    def exists(self, key: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=self._key(key))
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404", "NotFound"):
                return False
            raise
        return True


def from_url(url: str, endpoint_url: str | None = None) -> Storage:
    """The storage a ``STORAGE_URL`` names: ``file://DIR`` or ``s3://bucket[/prefix]``."""
    parsed = urlparse(url)
    if parsed.scheme == "file":
        return LocalStorage(url.removeprefix("file://"))
    if parsed.scheme == "s3" and parsed.netloc:
        prefix = parsed.path.strip("/")
        return S3Storage(parsed.netloc, endpoint_url, prefix + "/" if prefix else "")
    raise ValueError("STORAGE_URL must be file://DIRECTORY or s3://BUCKET")


def storage(app: Flask | None = None) -> Storage:
    """The application's storage, built once from its configuration."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    found: Storage | None = app.extensions.get("meterbook.storage")
    if found is None:
        found = from_url(str(app.config["STORAGE_URL"]), app.config.get("S3_ENDPOINT_URL"))
        app.extensions["meterbook.storage"] = found
    return found
