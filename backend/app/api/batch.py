"""Batch creation: up to 1,000 create bodies in one request, all or nothing.

Any create model and any function that adds one item in the current transaction (without
committing) make a batch route: ``models`` builds its request and response shapes, and
``create_all`` adds every item and commits once. Problems with an item are answered with
its place: ``["body", "items", i, field]`` (field rules and id checks come from validation,
which lists every bad item; a rule a service checks names the first item it breaks).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, Field, create_model

from ..errors import FieldError, InvalidField
from ..extensions import db
from .common import OutSchema, Schema

MAX_ITEMS = 1000
T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)


def models(create: type[BaseModel], out: type[BaseModel], name: str) -> tuple[type[Schema], type[OutSchema]]:
    """The request ``{items: [create, ...]}`` and response ``{created, items: [out, ...]}`` of a batch."""
    items: Any = Annotated[list[create], Field(min_length=1, max_length=MAX_ITEMS)]  # type: ignore[valid-type]
    request = create_model(
        f"{name}Batch",
        __base__=Schema,
        items=(items, Field(description=f"1 to {MAX_ITEMS} items, each as for the single create")),
    )
    response = create_model(
        f"{name}BatchResult",
        __base__=OutSchema,
        created=(int, Field(description="How many items were created")),
        items=(list[out], ...),  # type: ignore[valid-type]
    )
    return request, response


def create_all(items: Sequence[M], add_one: Callable[[M], T]) -> dict[str, Any]:
    """Add every item with ``add_one`` in one transaction; the first refusal undoes them all."""
    created = []
    for index, item in enumerate(items):
        try:
            created.append(add_one(item))
        except InvalidField as exc:
            db.session.rollback()
            raise FieldError.single(["body", "items", index, exc.field], exc.message, exc.type) from None
    db.session.commit()
    return {"created": len(created), "items": created}
