"""Request bodies, read with a size limit and parsed into plain values at the edge."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl

from fastapi import Request

from phonograph.core import MalformedBody, PayloadTooLarge

MAX_BODY_BYTES = 64 * 1024


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
    """The form-encoded parameters, in order, repeated names kept (spec §1)."""
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
    if not isinstance(value, dict):
        raise MalformedBody("The request body must be a JSON object")
    return value
