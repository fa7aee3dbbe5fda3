"""Build the OpenAPI 3.0 document from the routes' Pydantic models."""

from __future__ import annotations

import re
from collections.abc import Mapping
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


Operation = tuple[str, str, str, dict[str, Any]]
Refs = Mapping[tuple[Any, JsonSchemaMode], dict[str, Any]]
IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "Send the request again with the same key (24 h) to get the first answer again, "
    "with Idempotent-Replayed: true, and no second write; the same key with another body answers 409",
    "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[!-~]+$"},
}
RATE_LIMIT_HEADERS = {
    "X-RateLimit-Limit": "Requests allowed in the window of the tightest limit this request counted against",
    "X-RateLimit-Remaining": "Requests left in that window",
    "X-RateLimit-Reset": "When that window ends (Unix time, seconds)",
}


def _collect(app: Flask) -> tuple[list[Operation], set[tuple[type[BaseModel], JsonSchemaMode]]]:
    """Every documented (rule, method) and the models their schemas need."""
    operations: list[Operation] = []
    wanted: set[tuple[type[BaseModel], JsonSchemaMode]] = {(ErrorResponse, "serialization")}
    for rule in app.url_map.iter_rules():
        info = getattr(app.view_functions.get(rule.endpoint), "__openapi__", None)
        if info is None:
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            operations.append((rule.rule, method.lower(), rule.endpoint, info))
            if info.get("body"):
                wanted.add((info["body"], "validation"))
            if info.get("response"):
                wanted.add((info["response"], "serialization"))
            for model in info.get("alternatives", {}).values():
                wanted.add((model, "serialization"))
    return sorted(operations), wanted


def _query_params(model: type[BaseModel]) -> list[dict[str, Any]]:
    query_schema = _nullable(model.model_json_schema(ref_template=REF))
    required = set(query_schema.get("required", []))
    params = []
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
    return params


def _upload_body(part: dict[str, Any]) -> dict[str, Any]:
    field = {"type": "string", "format": "binary", "description": part["description"]}
    properties = {part["name"]: field, **part.get("fields", {})}  # further form fields beside the file
    schema: dict[str, Any] = {"type": "object", "required": [part["name"]], "properties": properties}
    if "fields" in part:  # a form of known fields: others are refused
        schema["additionalProperties"] = False
    return {"required": True, "content": {"multipart/form-data": {"schema": schema}}}


def _request_body(info: dict[str, Any], refs: Refs) -> dict[str, Any] | None:
    if info.get("body"):
        return {
            "required": not info.get("body_optional", False),
            "content": {"application/json": {"schema": dict(refs[(info["body"], "validation")])}},
        }
    if info.get("upload"):
        return _upload_body(info["upload"])
    return None


def _responses(info: dict[str, Any], refs: Refs) -> dict[str, Any]:
    error_ref = {"application/json": {"schema": dict(refs[(ErrorResponse, "serialization")])}}
    limited = 429 in info.get("responses", {})
    responses: dict[str, Any] = {}
    for status, description in sorted(info.get("responses", {}).items()):
        entry: dict[str, Any] = {"description": description}
        if status == info.get("status"):
            if info.get("response") is not None:
                schema = dict(refs[(info["response"], "serialization")])
                if status in info.get("alternatives", {}):  # the same status answers either shape
                    schema = {"oneOf": [schema, dict(refs[(info["alternatives"][status], "serialization")])]}
                entry["content"] = {"application/json": {"schema": schema}}
            for media_type, schema in info.get("media", {}).items():
                entry.setdefault("content", {})[media_type] = {"schema": schema}
        elif status in info.get("alternatives", {}):
            model = info["alternatives"][status]
            entry["content"] = {"application/json": {"schema": dict(refs[(model, "serialization")])}}
        elif status >= 400:
            entry["content"] = error_ref
        if limited and (status == info.get("status") or status == 429):
            entry["headers"] = {
                name: {"description": text, "schema": {"type": "integer"}} for name, text in RATE_LIMIT_HEADERS.items()
            }
        responses[str(status)] = entry
    responses.setdefault("500", {"description": "Unexpected error", "content": error_ref})
    responses.setdefault(
        "503", {"description": "The database (or a service it needs) is unavailable; retry", "content": error_ref}
    )
    return responses


def _operation(app: Flask, operation: Operation, refs: Refs) -> tuple[str, dict[str, Any]]:
    rule_text, method, endpoint, info = operation
    path, params = _path(rule_text)
    doc = (app.view_functions[endpoint].__doc__ or "").strip().splitlines()
    op: dict[str, Any] = {
        "operationId": f"{endpoint.replace('.', '_')}_{method}",
        "summary": doc[0] if doc else endpoint,
        "tags": info.get("tags") or [endpoint.split(".")[0]],
    }
    if len(doc) > 1:
        op["description"] = "\n".join(line.strip() for line in doc[1:]).strip()
    if info.get("query"):
        params.extend(_query_params(info["query"]))
    if info.get("idempotent"):
        params.append(IDEMPOTENCY_KEY)
    if params:
        op["parameters"] = params
    body = _request_body(info, refs)
    if body is not None:
        op["requestBody"] = body
    op["responses"] = _responses(info, refs)
    if info.get("auth"):
        op["security"] = [{"bearerAuth": []}]
    return path, op


def build_spec(app: Flask, title: str, version: str) -> dict[str, Any]:
    operations, wanted = _collect(app)
    ordered = sorted(wanted, key=lambda item: (item[0].__name__, item[1]))
    refs, defs = models_json_schema(ordered, ref_template=REF)
    paths: dict[str, dict[str, Any]] = {}
    for operation in operations:
        path, op = _operation(app, operation, refs)
        paths.setdefault(path, {})[operation[1]] = op
    return {
        "openapi": "3.0.3",
        "info": {
            "title": title,
            "version": version,
            "description": "Meterbook REST API. Every error uses one envelope.",
        },
        "paths": paths,
        "components": {
            "schemas": _nullable(defs.get("$defs", {})),
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},
        },
    }
