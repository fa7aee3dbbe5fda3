from __future__ import annotations

import json
import re
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient


def test_spec_lists_every_api_route(app: Flask, client: FlaskClient) -> None:
    spec = client.get("/apispec.json").get_json()
    assert spec["openapi"] == "3.0.3"
    documented = {(path, method) for path, ops in spec["paths"].items() for method in ops}
    for rule in app.url_map.iter_rules():
        if not (rule.rule.startswith("/api/") or rule.rule.startswith("/health")):
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}:
            assert (path, method.lower()) in documented, (path, method)


def test_spec_schemas_come_from_the_models(client: FlaskClient) -> None:
    from app.api.records.schemas import RecordCreate

    spec = client.get("/apispec.json").get_json()
    op = spec["paths"]["/api/records"]["post"]
    assert op["requestBody"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/RecordCreate"}
    assert set(spec["components"]["schemas"]["RecordCreate"]["properties"]) == set(RecordCreate.model_fields)
    assert op["security"] == [{"bearerAuth": []}]
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    listing = spec["paths"]["/api/records"]["get"]
    type_param = next(p for p in listing["parameters"] if p["name"] == "type")
    assert type_param["schema"]["type"] == "array" and type_param["explode"] is True
    assert spec["paths"]["/api/auth/login"]["post"].get("security") is None
    assert "422" in op["responses"] and op["responses"]["422"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ErrorResponse"
    }


def test_spec_is_strict_openapi_30(client: FlaskClient) -> None:
    raw = client.get("/apispec.json").get_data(as_text=True)
    assert '"type": "null"' not in raw and '"type":"null"' not in raw
    assert "$defs" not in raw


def test_swagger_ui_is_served(client: FlaskClient) -> None:
    response = client.get("/apidocs/")
    assert response.status_code == 200
    assert b"swagger" in response.data.lower()


def test_cli_dumps_the_served_document(app: Flask, client: FlaskClient, tmp_path: Path) -> None:
    target = tmp_path / "openapi.json"
    result = app.test_cli_runner().invoke(args=["openapi", "dump", str(target)])
    assert result.exit_code == 0, result.output
    assert json.loads(target.read_text(encoding="utf-8")) == client.get("/apispec.json").get_json()
