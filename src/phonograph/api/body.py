"""Request bodies, read with a size limit and parsed into plain values at the edge."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl

from fastapi import Request

from phonograph.core import MalformedBody, PayloadTooLarge
from phonograph.core.wire import is_storable_text

MAX_BODY_BYTES = 64 * 1024
MAX_JSON_DEPTH = 32
"""Deeper than any body Twilio defines (a configuration is four levels deep): a deeper one is
refused before validation, and Python's parser is never driven into its recursion limit."""


async def read_body(request: Request, limit_bytes: int = MAX_BODY_BYTES) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit_bytes:
        raise PayloadTooLarge(f"The request body is larger than {limit_bytes} bytes")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit_bytes:
            raise PayloadTooLarge(f"The request body is larger than {limit_bytes} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


async def read_form(request: Request) -> list[tuple[str, str]]:
    """The form-encoded parameters, in order, repeated names kept
    (twilio.com/docs/usage/requests-to-twilio)."""
    raw = await read_body(request)
    try:
        text = raw.decode("utf-8")
        return parse_qsl(text, keep_blank_values=True, strict_parsing=bool(text))
    except (UnicodeDecodeError, ValueError) as exc:
        raise MalformedBody("The request body is not valid application/x-www-form-urlencoded") from exc


async def read_json_object(request: Request) -> dict[str, Any]:
    raw = await read_body(request)
    try:
        value = json.loads(raw)
    except (UnicodeDecodeError, ValueError) as exc:
        raise MalformedBody(f"The request body is not valid JSON: {exc}") from exc
    except RecursionError:
        raise MalformedBody(f"The request body is nested more than {MAX_JSON_DEPTH} levels deep") from None
    if not isinstance(value, dict):
        raise MalformedBody("The request body must be a JSON object")
    _check_storable(value)
    return value


def _check_storable(document: dict[str, Any]) -> None:
    """Every key and string in ``document`` can be stored as text (``is_storable_text``: JSON's
    ``\\u0000`` and ``\\ud800`` escapes cannot), and it is not too deep. Walked with a stack, not
    recursion, for the same reason as the depth."""
    stack: list[tuple[Any, int]] = [(document, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            raise MalformedBody(f"The request body is nested more than {MAX_JSON_DEPTH} levels deep")
        if isinstance(value, dict):
            for key, item in value.items():
                _check_text(key)
                stack.append((item, depth + 1))
        elif isinstance(value, list):
            stack.extend((item, depth + 1) for item in value)
        elif isinstance(value, str):
            _check_text(value)


def _check_text(text: str) -> None:
    if not is_storable_text(text):
        raise MalformedBody("The request body has a string with a NUL character or a lone surrogate")
