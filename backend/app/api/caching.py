"""Cached answers for routes: the body made once per (household, data version, normalised query,
today), then served from the cache until the household's next write (docs/caching.md).

Lists too: a page of records is made once per (the households it reads, each one's data
version, normalised query), then served until one of those households is written to."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from flask import Response, current_app
from pydantic import BaseModel

from ..models import Household, User
from ..services import cache, clock, tenancy
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
    return _answer(household.id, household.data_version, key, model, compute)


def cached_page(
    user: User,
    name: str,
    query: BaseModel,
    model: type[BaseModel],
    compute: Callable[[], Any],
    household_id: int | None = None,
    moment: Any = None,
) -> Response:
    """One page of list ``name`` for ``query``: the households it reads are ``household_id``
    (already checked readable) or all of ``user``'s, and the key holds each one's data version,
    read before any of their data, and ``moment`` when the page depends on the time (see
    ``quarter_hour``). A page reads nothing else of the user's but which households they read,
    so two users reading the same households share it."""
    ids = [household_id] if household_id is not None else tenancy.readable_ids(user)
    found = tenancy.versions_of(ids)
    if not found:
        return _json(serialise(model, compute()))
    first = min(found)
    key = cache.normalised(name, query.model_dump(mode="json"), sorted(found.items()), moment)
    return _answer(first, found[first], key, model, compute)


def cached_item(
    household_id: int, name: str, item_id: int, model: type[BaseModel], compute: Callable[[], Any], moment: Any = None
) -> Response:
    """One object of ``household_id`` (already checked readable) from the cache: the version is
    read now, and ``compute`` reads the object again after it (what was read for the access
    check may be older than the version)."""
    version = tenancy.versions_of([household_id]).get(household_id, 0)
    return _answer(household_id, version, cache.normalised(name, item_id, moment), model, compute)


def _answer(household_id: int, version: int, key: str, model: type[BaseModel], compute: Callable[[], Any]) -> Response:
    """The body ``model`` makes of ``compute()``, from the cache under (household, version, key)."""
    return _json(cache.cached(household_id, key, lambda: serialise(model, compute()), version=version))


def _json(body: bytes) -> Response:
    return current_app.response_class(body, status=200, mimetype="application/json")


def quarter_hour() -> str:
    """The current UTC quarter of an hour: every time zone's offset is a whole number of
    quarters, so "today" anywhere is the same for all of it (a key part for pages whose
    figures run to today, e.g. budgets' progress)."""
    now = clock.now()
    return now.replace(minute=now.minute - now.minute % 15, second=0, microsecond=0).isoformat()
