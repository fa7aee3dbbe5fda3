"""Build the OpenAPI 3.0 document from the routes' Pydantic models."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from .api.common import ErrorResponse

REF = "#/components/schemas/{model}"
_PARAM = re.compile(r"<(?:(?P<conv>[a-z]+):)?(?P<name>\w+)>")


def _nullable(schema: Any) -> Any:
    """Rewrite JSON Schema (OpenAPI 3.1 style) into strict OpenAPI 3.0."""
    if isinstance(schema, list):
        return [_nullable(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    schema = dict(schema)
    for key in ("anyOf", "oneOf"):
        options = schema.get(key)
        if isinstance(options, list) and {"type": "null"} in options:
            rest = [opt for opt in options if opt != {"type": "null"}]
            schema.pop(key)
            if len(rest) == 1 and "$ref" not in rest[0]:
                schema.update(rest[0])
            elif len(rest) == 1:
                schema["allOf"] = rest
            else:
                schema[key] = rest
            schema["nullable"] = True
    if schema.get("type") == "null":
        schema.pop("type")
        schema["nullable"] = True
    if "const" in schema:
        schema["enum"] = [schema.pop("const")]
    for bound, flag in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
        if isinstance(schema.get(bound), (int, float)) and not isinstance(schema.get(bound), bool):
            schema[flag] = schema.pop(bound)
            schema[bound] = True
    return {key: value if key in ("default", "example", "enum") else _nullable(value) for key, value in schema.items()}


def _path(rule: str) -> tuple[str, list[dict[str, Any]]]:
    params = []
    for match in _PARAM.finditer(rule):
        kind = {"int": "integer"}.get(match.group("conv") or "", "string")
        params.append({"name": match.group("name"), "in": "path", "required": True, "schema": {"type": kind}})
    return _PARAM.sub(r"{\g<name>}", rule), params


def build_spec(app: Flask, title: str, version: str) -> dict[str, Any]:
    operations: list[tuple[str, str, str, dict[str, Any]]] = []
    wanted: set[tuple[type[BaseModel], JsonSchemaMode]] = {(ErrorResponse, "serialization")}
    for rule in app.url_map.iter_rules():
        view = app.view_functions.get(rule.endpoint)
        info = getattr(view, "__openapi__", None)
        if info is None:
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            operations.append((rule.rule, method.lower(), rule.endpoint, info))
            if info.get("body"):
                wanted.add((info["body"], "validation"))
            if info.get("response"):
                wanted.add((info["response"], "serialization"))

    ordered = sorted(wanted, key=lambda item: (item[0].__name__, item[1]))
    refs, defs = models_json_schema(ordered, ref_template=REF)
    schemas = _nullable(defs.get("$defs", {}))

    def ref(model: type[BaseModel], mode: JsonSchemaMode) -> dict[str, Any]:
        return dict(refs[(model, mode)])

    error_ref = {"application/json": {"schema": ref(ErrorResponse, "serialization")}}
    paths: dict[str, dict[str, Any]] = {}
    for rule_text, method, endpoint, info in sorted(operations):
        path, params = _path(rule_text)
        view = app.view_functions[endpoint]
        doc = (view.__doc__ or "").strip().splitlines()
        op: dict[str, Any] = {
            "operationId": f"{endpoint.replace('.', '_')}_{method}",
            "summary": doc[0] if doc else endpoint,
            "tags": info.get("tags") or [endpoint.split(".")[0]],
        }
        if len(doc) > 1:
            op["description"] = "\n".join(line.strip() for line in doc[1:]).strip()
        if info.get("query"):
            query_schema = _nullable(info["query"].model_json_schema(ref_template=REF))
            required = set(query_schema.get("required", []))
            for name, raw_prop in query_schema.get("properties", {}).items():
                prop = dict(raw_prop)
                description = prop.pop("description", None)
                param: dict[str, Any] = {"name": name, "in": "query", "required": name in required, "schema": prop}
                if description:
                    param["description"] = description
                if prop.get("type") == "array":
                    param["style"] = "form"
                    param["explode"] = True
                params.append(param)
        if params:
            op["parameters"] = params
        if info.get("upload"):
            part = info["upload"]
            op["requestBody"] = {
                "required": True,
                "content": {
                    "multipart/form-data": {
                        "schema": {
                            "type": "object",
                            "required": [part["name"]],
                            "properties": {
                                part["name"]: {"type": "string", "format": "binary", "description": part["description"]}
                            },
                        }
                    }
                },
            }
        if info.get("body"):
            op["requestBody"] = {
                "required": not info.get("body_optional", False),
                "content": {"application/json": {"schema": ref(info["body"], "validation")}},
            }
        responses: dict[str, Any] = {}
        for status, description in sorted(info.get("responses", {}).items()):
            entry: dict[str, Any] = {"description": description}
            if status == info.get("status"):
                if info.get("response") is not None:
                    entry["content"] = {"application/json": {"schema": ref(info["response"], "serialization")}}
                for media_type, schema in info.get("media", {}).items():
                    entry.setdefault("content", {})[media_type] = {"schema": schema}
            elif status >= 400:
                entry["content"] = error_ref
            responses[str(status)] = entry
        responses.setdefault("500", {"description": "Unexpected error", "content": error_ref})
        responses.setdefault(
            "503", {"description": "The database (or a service it needs) is unavailable; retry", "content": error_ref}
        )
        op["responses"] = responses
        if info.get("auth"):
            op["security"] = [{"bearerAuth": []}]
        paths.setdefault(path, {})[method] = op

    return {
        "openapi": "3.0.3",
        "info": {
            "title": title,
            "version": version,
            "description": "Meterbook REST API. Every error uses one envelope.",
        },
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},
        },
    }
