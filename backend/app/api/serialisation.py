"""Response bodies: a view's result through its Pydantic model, to JSON bytes."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel


def serialise(model: type[BaseModel], result: Any) -> bytes:
    """The JSON body of ``result`` through ``model`` (pydantic's own serialiser: one pass)."""
    answer = result if isinstance(result, model) else model.model_validate(result, from_attributes=True)
    return answer.model_dump_json(by_alias=True).encode()
