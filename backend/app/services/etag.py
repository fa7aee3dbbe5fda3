"""ETags on every JSON answer of a GET under /api, and 304 for a matching If-None-Match.

The ETag is a hash of the answer's bytes, so two answers differ in their ETags exactly when
their bodies differ (another user's or household's list never shares one with yours unless it
is byte for byte the same). A client sending ``If-None-Match`` with it gets 304 and no body.
Cached analytics answers arrive here with their body already made (``services/cache.py``).
"""

from __future__ import annotations

import hashlib

from flask import Flask, Response, request


def etag_of(body: bytes) -> str:
    return hashlib.blake2b(body, digest_size=16).hexdigest()


def _tag(response: Response) -> Response:
    if (
        request.method not in ("GET", "HEAD")
        or response.status_code != 200
        or response.mimetype != "application/json"
        or response.is_streamed
        or not request.path.startswith("/api/")
    ):
        return response
    tag, _weak = response.get_etag()
    if tag is None:
        tag = etag_of(response.get_data())
        response.set_etag(tag)
    if request.if_none_match and request.if_none_match.contains(tag):
        response.status_code = 304
        response.set_data(b"")
        for header in ("Content-Type", "Content-Length"):
            response.headers.pop(header, None)
    return response


def init_etags(app: Flask) -> None:
    app.after_request(_tag)
