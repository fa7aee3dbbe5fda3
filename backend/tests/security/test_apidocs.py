"""The documentation page: a current Swagger UI, nothing from elsewhere, no ?url=, a CSP."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from swagger_ui_bundle import swagger_ui_path

EXTERNAL = re.compile(r"(?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}", re.IGNORECASE)


def test_the_page_is_swagger_ui_4_or_later_from_the_package(client: FlaskClient) -> None:
    version = re.fullmatch(r"swagger-ui-(\d+)\.(\d+)\.(\d+)", Path(str(swagger_ui_path)).name)
    assert version is not None and int(version.group(1)) >= 4
    bundle = client.get("/apidocs/swagger-ui-bundle.js")
    assert bundle.status_code == 200
    assert bundle.data == (Path(str(swagger_ui_path)) / "swagger-ui-bundle.js").read_bytes()


def test_the_page_ignores_its_query(client: FlaskClient) -> None:
    plain = client.get("/apidocs/")
    hostile = client.get("/apidocs/?url=https://attacker.example/spec.json&configUrl=https://attacker.example/c.json")
    assert plain.status_code == hostile.status_code == 200
    assert plain.data == hostile.data
    config = client.get("/apidocs/meterbook.js").get_data(as_text=True)
    assert 'url: "/apispec.json"' in config
    assert "queryConfigEnabled: false" in config
    assert "location" not in config and "search" not in config  # nothing read from the page's URL


def test_nothing_is_loaded_from_elsewhere(client: FlaskClient) -> None:
    page = client.get("/apidocs/").get_data(as_text=True)
    assert EXTERNAL.findall(page) == []
    assert "None;" not in page  # flasgger's template wrote `let auth_config = None;`
    for asset in re.findall(r'(?:src|href)="([^"]+)"', page):
        assert "/" not in asset, asset  # every asset is served next to the page
        assert client.get(f"/apidocs/{asset}").status_code == 200, asset
    css = client.get("/apidocs/swagger-ui.css").get_data(as_text=True)
    assert [u for u in EXTERNAL.findall(css) if u != "http://www.w3.org"] == []  # SVG namespaces only
    assert "@import" not in css
    assert "validatorUrl: null" in client.get("/apidocs/meterbook.js").get_data(as_text=True)


@pytest.mark.parametrize("path", ["/apidocs/", "/apidocs/meterbook.js", "/apidocs/swagger-ui-bundle.js"])
def test_the_page_has_a_content_security_policy(client: FlaskClient, path: str) -> None:
    policy = client.get(path).headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy
    assert "script-src 'self';" in policy
    assert "connect-src 'self';" in policy
    assert "frame-ancestors 'none'" in policy


def test_only_the_assets_the_page_uses_are_served(client: FlaskClient) -> None:
    for path in (
        "/apidocs/index.html",
        "/apidocs/swagger-initializer.js",
        "/apidocs/../config.py",
        "/flasgger_static/x",
    ):
        assert client.get(path).status_code == 404, path


def test_redirects_are_paths_not_the_host_header(client: FlaskClient, make_app: Any) -> None:
    docs = client.get("/apidocs", headers={"Host": "attacker.example"})
    assert (docs.status_code, docs.headers["Location"]) == (308, "/apidocs/")

    fresh: Flask = make_app()

    @fresh.get("/_probe/slash/")
    def _probe() -> str:
        return "ok"

    other = fresh.test_client().get("/_probe/slash?x=1", headers={"Host": "attacker.example"})
    assert (other.status_code, other.headers["Location"]) == (308, "/_probe/slash/?x=1")


def test_the_spec_is_still_served(client: FlaskClient) -> None:
    spec = client.get("/apispec.json").get_json()
    assert spec["openapi"] == "3.0.3"
    assert "/api/auth/login" in spec["paths"]
