"""Decorators that validate requests and shape responses with Pydantic models.

Each decorator also records what it knows on the view (``__openapi__``), so the
OpenAPI document is generated from the very models that do the validating.
"""

from __future__ import annotations

import contextlib
import functools
import typing
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from flask import Response, current_app, request
from flask_jwt_extended import verify_jwt_in_request
from pydantic import BaseModel, ValidationError
from werkzeug.datastructures import FileStorage

from ..errors import APIError, FieldError, InvalidField, pydantic_details
from ..ratelimit import hit, per_ip, per_user
from ..security import current_user, personal_token_used
from .common import page_body
from .serialisation import serialise

F = TypeVar("F", bound=Callable[..., Any])
M = TypeVar("M", bound=BaseModel)


def annotate(func: Callable[..., Any], **info: Any) -> None:
    """Add to the OpenAPI fragment a view carries (read by ``openapi.build_spec``)."""
    spec = dict(getattr(func, "__openapi__", {}))
    for key, value in info.items():
        if key in ("responses", "alternatives"):
            spec[key] = {**spec.get(key, {}), **value}
        else:
            spec[key] = value
    func.__openapi__ = spec  # type: ignore[attr-defined]


Context = Callable[[], dict[str, Any]]


def parse_json(model: type[M], raw: bytes | None = None, context: dict[str, Any] | None = None) -> M:
    """Validate a JSON request body against ``model`` with the contract's errors."""
    if raw is None:
        if not request.is_json:
            raise APIError(
                415, "unsupported_media_type", "The request body must be JSON (Content-Type: application/json)."
            )
        limit = int(current_app.config["MAX_JSON_BYTES"])
        if request.content_length is not None and request.content_length > limit:
            raise APIError(413, "payload_too_large", f"The request body is larger than {limit} bytes.")
        raw = request.get_data(cache=True)
        if len(raw) > limit:
            raise APIError(413, "payload_too_large", f"The request body is larger than {limit} bytes.")
    if not raw.strip():
        raise APIError(400, "invalid_json", "The request body is empty; a JSON object is expected.")
    try:
        return model.model_validate_json(raw, context=context)
    except ValidationError as exc:
        if any(err["type"] == "json_invalid" for err in exc.errors()):
            raise APIError(400, "invalid_json", "The request body is not valid JSON.") from None
        raise APIError(422, "validation_error", "The request body is invalid.", pydantic_details(exc, "body")) from None


@functools.cache
def _list_fields(model: type[BaseModel]) -> frozenset[str]:
    """The query names of ``model``'s list fields (read once per model: its fields are fixed)."""
    names = set()
    for name, field in model.model_fields.items():
        origin = typing.get_origin(field.annotation)
        args = typing.get_args(field.annotation)
        if origin is list or any(typing.get_origin(a) is list for a in args):
            names.add(field.alias or name)
    return frozenset(names)


def parse_query(model: type[M], context: dict[str, Any] | None = None) -> M:
    lists = _list_fields(model)
    data: dict[str, Any] = {}
    for key in request.args:
        values = request.args.getlist(key)
        data[key] = values if key in lists else values[0]
    try:
        return model.model_validate(data, context=context)
    except ValidationError as exc:
        raise APIError(
            422, "validation_error", "The query parameters are invalid.", pydantic_details(exc, "query")
        ) from None


def parse_upload(name: str) -> FileStorage:
    """The uploaded file of multipart part ``name``, with the contract's 413/415/422 errors."""
    if request.mimetype != "multipart/form-data":
        raise APIError(
            415, "unsupported_media_type", f"Send the file as multipart/form-data, in a part named '{name}'."
        )
    limit = int(current_app.config["MAX_CONTENT_LENGTH"])
    if request.content_length is not None and request.content_length > limit:
        raise APIError(413, "payload_too_large", f"The upload is larger than {limit // (1024 * 1024)} MiB.")
    upload = request.files.get(name)
    if upload is None:
        raise FieldError.single(["body", name], f"A file is required in the multipart part '{name}'.", "missing")
    return upload


def upload(name: str, description: str) -> Callable[[F], F]:
    """Take a file from a multipart/form-data body and pass it to the view as keyword ``name``."""

    def decorator(func: F) -> F:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            return func(*args, **{name: parse_upload(name)}, **kwargs)

        annotate(
            wrapper,
            upload={"name": name, "description": description},
            responses={413: "File too large", 415: "Not multipart/form-data, or not UTF-8 text", 422: "Invalid file"},
        )
        return typing.cast(F, wrapper)

    return decorator


def media(content: dict[str, dict[str, Any]]) -> Callable[[F], F]:
    """Document further media types of the success response (e.g. a CSV download)."""

    def decorator(func: F) -> F:
        annotate(func, media=content)
        return func

    return decorator


@contextlib.contextmanager
def located(location: str) -> Iterator[None]:
    """Give a service's ``InvalidField`` its place in the request: ``[location, field]``."""
    try:
        yield
    except InvalidField as exc:
        raise FieldError.single([location, exc.field], exc.message, exc.type) from None


def body(model: type[BaseModel], context: Context | None = None) -> Callable[[F], F]:
    """Validate the JSON body and pass it to the view as its first argument; ``context`` builds
    the validation context (e.g. id checks), so those problems join the field rules' 422."""

    def decorator(func: F) -> F:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            data = parse_json(model, context=context() if context else None)
            with located("body"):
                return func(data, *args, **kwargs)

        annotate(wrapper, body=model, responses={400: "Malformed JSON", 415: "Not JSON", 422: "Validation error"})
        return typing.cast(F, wrapper)

    return decorator


def query(model: type[BaseModel], context: Context | None = None) -> Callable[[F], F]:
    """Validate the query string and pass it to the view as a keyword ``query`` (``context`` as for ``body``)."""

    def decorator(func: F) -> F:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            parsed = parse_query(model, context=context() if context else None)
            with located("query"):
                return func(*args, query=parsed, **kwargs)

        annotate(wrapper, query=model, responses={422: "Validation error"})
        return typing.cast(F, wrapper)

    return decorator


def response(model: type[BaseModel] | None, status: int = 200, description: str = "Success") -> Callable[[F], F]:
    """Serialise what the view returns through ``model``; ``None`` means an empty body."""

    def decorator(func: F) -> F:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            result = func(*args, **kwargs)
            if isinstance(result, Response):
                return result
            headers = None
            if isinstance(result, tuple):
                result, headers = result
            if model is None:
                out = Response(status=status)
            else:
                out = current_app.response_class(serialise(model, result), status=status, mimetype="application/json")
            if headers:
                out.headers.update(headers)
            return out

        annotate(wrapper, response=model, status=status, responses={status: description})
        return typing.cast(F, wrapper)

    return decorator


def paginated(model: type[BaseModel]) -> Callable[[F], F]:
    """Serialise one page through ``model``: the view returns ``(items, total)`` for its
    ``query`` (a ``Pagination``) and this builds ``{items, page, per_page, total, pages}``.

    Place it under ``@query``, which passes the validated ``query`` through it. A view may
    instead return the page made already (a ``Response``: ``caching.cached_page``), from
    what ``page_body`` builds.
    """

    def decorator(func: F) -> F:
        @functools.wraps(func)
        def envelope(*args: Any, **kwargs: Any) -> Any:
            result = func(*args, **kwargs)
            if isinstance(result, Response):
                return result  # made already (a cached page)
            return page_body(result, kwargs["query"])

        return response(model)(typing.cast(F, envelope))

    return decorator


def other_responses(
    responses: dict[int, str], alternatives: dict[int, type[BaseModel]] | None = None
) -> Callable[[F], F]:
    """Document further statuses the view answers with: errors (the envelope), and ``alternatives``,
    success answers with a body of their own (a ``dry_run``'s 200), which the view returns as a ``Response``."""

    def decorator(func: F) -> F:
        annotate(func, responses=responses, alternatives=alternatives or {})
        return func

    return decorator


def authenticated(func: F) -> F:
    """Require a valid, unrevoked access token (a personal one was checked before the view)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not personal_token_used():
            verify_jwt_in_request(locations=["headers"])
        per_user(current_user().id)
        return func(*args, **kwargs)

    annotate(
        wrapper, auth=True, responses={401: "Missing, invalid, expired or revoked token", 429: "Too many requests"}
    )
    return typing.cast(F, wrapper)


def public(func: F) -> F:
    annotate(func, auth=False)
    return func


def tags(*names: str) -> Callable[[F], F]:
    def decorator(func: F) -> F:
        annotate(func, tags=list(names))
        return func

    return decorator


def limit_user(setting: str, scope: str) -> Callable[[F], F]:
    """Count the request per signed-in user against the limits in ``setting`` (after ``authenticated``)."""

    def decorator(func: F) -> F:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            hit(setting, f"{scope}:user", str(current_user().id))
            return func(*args, **kwargs)

        annotate(wrapper, responses={429: "Too many requests (see Retry-After)"})
        return typing.cast(F, wrapper)

    return decorator


def limit_ip(setting: str, scope: str) -> Callable[[F], F]:
    """Count the request per client IP before anything else runs (even a malformed body counts)."""

    def decorator(func: F) -> F:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            per_ip(setting, scope)
            return func(*args, **kwargs)

        annotate(wrapper, responses={429: "Too many requests (see Retry-After)"})
        return typing.cast(F, wrapper)

    return decorator
