"""The API documentation page: a current Swagger UI from the swagger-ui-bundle package.

The page loads nothing from elsewhere (every asset comes from the installed package, the
fonts are the browser's), reads no configuration from its own URL (Swagger UI 4 ignores
``?url=`` and ``?configUrl=`` unless told otherwise; we tell it nothing), and answers with
a Content-Security-Policy that allows only this origin. The document it shows is
``/apispec.json``, generated from the routes' Pydantic models (see openapi.py).
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, redirect, send_from_directory
from swagger_ui_bundle import swagger_ui_path  # type: ignore[import-untyped]

bp = Blueprint("apidocs", __name__)

OWN = Path(__file__).resolve().parent / "static" / "apidocs"
# Swagger UI's React components set inline styles; nothing else needs more than 'self'.
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
ASSETS = ("swagger-ui.css", "swagger-ui-bundle.js", "favicon-32x32.png", "favicon-16x16.png")


@bp.after_request
def _policy(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = CSP
    response.headers.setdefault("Cache-Control", "no-cache")
    return response


@bp.get("/apidocs")
def docs_redirect() -> Response:
    return redirect("/apidocs/", 308)  # type: ignore[return-value]  # a path, never built from Host


@bp.get("/apidocs/")
def docs_page() -> Response:
    return send_from_directory(OWN, "index.html", mimetype="text/html")


@bp.get("/apidocs/meterbook.js")
def docs_config() -> Response:
    return send_from_directory(OWN, "meterbook.js", mimetype="text/javascript")


@bp.get("/apidocs/<any(" + ", ".join(f'"{name}"' for name in ASSETS) + "):name>")
def docs_asset(name: str) -> Response:
    return send_from_directory(Path(str(swagger_ui_path)), name)
