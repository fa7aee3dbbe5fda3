"""Fixtures of the API tests: attachment storage on the local disk and on a real S3-compatible server."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from app.services.storage import LocalStorage, S3Storage, Storage
from tests.s3_server import CREDENTIALS, S3Server


@pytest.fixture(scope="session")
def s3_server() -> Iterator[S3Server]:
    server = S3Server()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(params=["local", "s3"])
def store(request: pytest.FixtureRequest, app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Storage:
    """The app's attachment storage for one test: a fresh directory, or a fresh bucket on the S3 server."""
    found: Storage
    if request.param == "local":
        found = LocalStorage(tmp_path / "uploads")
    else:
        server: S3Server = request.getfixturevalue("s3_server")
        for name, value in CREDENTIALS.items():
            monkeypatch.setenv(name, value)
        bucket = f"meterbook-{uuid.uuid4().hex[:12]}"
        found = S3Storage(bucket, server.url)
        found.client.create_bucket(Bucket=bucket)
    monkeypatch.setitem(app.extensions, "meterbook.storage", found)
    return found


def stored_keys(store: Storage) -> set[str]:
    """Every key the storage holds."""
    if isinstance(store, LocalStorage):
        if not store.root.exists():
            return set()
        return {str(path.relative_to(store.root)) for path in store.root.rglob("*") if path.is_file()}
    assert isinstance(store, S3Storage)
    answer = store.client.list_objects_v2(Bucket=store.bucket)
    return {item["Key"] for item in answer.get("Contents", [])}
