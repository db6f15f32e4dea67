"""Turn pydantic's validation errors into one ``InvalidParameter`` whose message names the field."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from phonograph.core import InvalidParameter

M = TypeVar("M", bound=BaseModel)


def _field_path(location: tuple[int | str, ...]) -> str:
    path = ""
    for part in location:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path


def _describe(error: Any) -> str:
    if error["type"] == "missing" or (error["input"] is None and error["type"].endswith("_type")):
        return "is required"
    if error["type"] == "extra_forbidden":
        return "is not a known field"
    message: str = error["msg"]
    return message.removeprefix("Value error, ")


def validate(model: type[M], data: Any, prefix: tuple[str, ...] = ()) -> M:
    """``model`` parsed from ``data``, or ``InvalidParameter`` naming the first offending field."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        path = _field_path((*prefix, *error["loc"]))
        raise InvalidParameter(
            f"Invalid '{path}': {_describe(error)}" if path else _describe(error)
        ) from None
