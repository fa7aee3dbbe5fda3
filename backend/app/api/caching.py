"""Cached answers for routes: the body made once per (household, data version, normalised query,
today), then served from the cache until the household's next write (docs/caching.md)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from flask import Response, current_app
from pydantic import BaseModel

from ..models import Household
from ..services import cache
from .serialisation import serialise


def cached_answer(
    household: Household,
    name: str,
    query: BaseModel,
    today: date,
    model: type[BaseModel],
    compute: Callable[[], Any],
    scope: str = "member",
) -> Response:
    """The answer of route ``name`` for ``query`` in ``household``, from the cache when it has one.

    The key holds everything the answer depends on besides the household's data (whose
    version ``household`` was read with, before any of its data): the route, the validated
    query, "today" in the household's time zone and ``scope`` (e.g. a share link's view).
    The household's time zone, currency and billing day are its data: a change bumps the version.
    """
    key = cache.normalised(name, scope, query.model_dump(mode="json"), today.isoformat())
    body = cache.cached(household.id, key, lambda: serialise(model, compute()), version=household.data_version)
    return current_app.response_class(body, status=200, mimetype="application/json")
