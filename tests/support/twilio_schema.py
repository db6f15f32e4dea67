"""Twilio's own response schemas (its OpenAPI files, tests/data/twilio-oai/) as a check on every
JSON answer phonograph gives on a path Twilio defines.

Each success body must validate against the schema of its operation (OpenAPI 3.0 ``nullable``
read as JSON Schema's ``null`` type, ``$ref`` resolved) and every object in it carry exactly the
schema's properties (a client generated from the schema expects every key, with ``null`` when
unset), save the few ``EXTRA_KEYS``.
Paths Twilio does not define (``/phonograph/…``, ``/v3``) and error bodies are not checked here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema_rs

OAI_DIR = Path(__file__).parent.parent / "data" / "twilio-oai"
OAI_FILES = ("twilio_api_v2010.json", "twilio_voice_v1.json", "twilio_voice_v2.json")


EXTRA_ENUM_VALUES: dict[str, tuple[str, ...]] = {
    # What Twilio sends for <Start><Recording>, though its OpenAPI enum lacks it
    # (docs/compatibility.md, Recordings).
    "recording_enum_source": ("StartCallRecordingTwiML",),
}


@dataclass(frozen=True)
class Operation:
    template: str
    pattern: re.Pattern[str]
    literal_chars: int  # the more literal a template, the better its match (Recording before {Type})
    schema: dict[str, Any]


def _as_json_schema(node: Any, components: dict[str, Any]) -> Any:
    """OpenAPI 3.0 → JSON Schema: refs inlined, ``nullable`` as a null type, formats dropped
    (Twilio's ``date-time-rfc-2822`` and ``phone-number`` are names, not checks)."""
    if isinstance(node, list):
        return [_as_json_schema(item, components) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        resolved = _as_json_schema(components[name], components)
        if "enum" in resolved:
            # OpenAPI 3.0 cannot say "nullable" beside a $ref, and Twilio's enums are all $refs,
            # though its own words make some null at times ("When a conference is in progress,
            # [reason_conference_ended] will be null"): a $ref'd enum may be null.
            values = [*resolved["enum"], *EXTRA_ENUM_VALUES.get(name, ()), None]
            resolved = {**resolved, "type": [resolved["type"], "null"], "enum": values}
        return resolved
    converted = {
        key: _as_json_schema(value, components)
        for key, value in node.items()
        if key not in ("nullable", "format") and not key.startswith("x-")
    }
    if node.get("nullable"):
        if "type" in converted:
            converted["type"] = [converted["type"], "null"]
        if "enum" in converted:
            converted["enum"] = [*converted["enum"], None]
    return converted


@cache
def operations() -> dict[str, list[Operation]]:
    """By method: every operation with a 2xx JSON answer."""
    found: dict[str, list[Operation]] = {}
    for name in OAI_FILES:
        spec = json.loads((OAI_DIR / name).read_text())
        components = spec["components"]["schemas"]
        for template, methods in spec["paths"].items():
            for method, operation in methods.items():
                if method not in ("get", "post", "delete"):
                    continue  # a path's own "servers", "description", "x-twilio"
                for status, answer in operation.get("responses", {}).items():
                    schema = answer.get("content", {}).get("application/json", {}).get("schema")
                    if not status.startswith("2") or schema is None:
                        continue
                    pattern = re.sub(r"\\\{[A-Za-z]+\\\}", "[^/]+", re.escape(template))
                    found.setdefault(method.upper(), []).append(
                        Operation(
                            template,
                            re.compile(pattern),
                            len(re.sub(r"\{[A-Za-z]+\}", "", template)),
                            _as_json_schema(schema, components),
                        )
                    )
    return found


def operation_for(method: str, path: str) -> Operation | None:
    matches = [op for op in operations().get(method, []) if op.pattern.fullmatch(path)]
    return max(matches, key=lambda op: op.literal_chars, default=None)


@cache
def _validator(template: str, method: str) -> Any:
    operation = next(op for op in operations()[method] if op.template == template)
    return jsonschema_rs.validator_for(operation.schema)


EXTRA_KEYS: dict[str, frozenset[str]] = {
    # Twilio's OpenAPI leaves ``subresource_uris`` out of a number's schema; phonograph keeps it
    # and serves the AssignedAddOns list it names (docs/compatibility.md).
    "/2010-04-01/Accounts/{AccountSid}/IncomingPhoneNumbers.json": frozenset({"subresource_uris"}),
    "/2010-04-01/Accounts/{AccountSid}/IncomingPhoneNumbers/{Sid}.json": frozenset({"subresource_uris"}),
}
"""Keys phonograph sends beyond an operation's schema (in its objects at any depth), with reasons."""


def _key_problems(schema: Any, body: Any, where: str, extra: frozenset[str]) -> list[str]:
    """Every object the schema describes has exactly the schema's keys, at every depth."""
    if not isinstance(schema, dict):
        return []
    found: list[str] = []
    properties = schema.get("properties")
    if isinstance(properties, dict) and properties and isinstance(body, dict):
        if missing := set(properties) - set(body):
            found.append(f"{where or '/'}: missing keys {sorted(missing)}")
        if unknown := set(body) - set(properties) - extra:
            found.append(f"{where or '/'}: keys Twilio does not define {sorted(unknown)}")
        for name, inner in properties.items():
            if name in body:
                found += _key_problems(inner, body[name], f"{where}/{name}", extra)
    items = schema.get("items")
    if items is not None and isinstance(body, list):
        for index, item in enumerate(body):
            found += _key_problems(items, item, f"{where}/{index}", extra)
    return found


def assert_twilio_shape(method: str, path: str, content_type: str, body: Callable[[], Any]) -> None:
    """A success answer's JSON ``body()`` is what Twilio's schema says for ``method path``; the
    test clients' response hooks call it (tests/support/api.py, tests/support/twilio_client.py)."""
    if not content_type.startswith("application/json"):
        return
    found = problems(method, path, body())
    assert not found, "\n".join(found)


def problems(method: str, path: str, body: Any) -> list[str]:
    """What is wrong with ``body`` as Twilio's answer to ``method path``; empty when nothing."""
    operation = operation_for(method, path)
    if operation is None:
        return []
    found = [
        f"{error.instance_path}: {error.message}"
        for error in _validator(operation.template, method).iter_errors(body)
    ]
    found += _key_problems(operation.schema, body, "", EXTRA_KEYS.get(operation.template, frozenset()))
    return [f"{method} {operation.template}: {problem}" for problem in found]


def set_fields(value: Any) -> Any:
    """``value`` with every ``null`` left out, and every object left empty by that: what a body
    says, whichever way it says "unset" (phonograph answers with every key, clients send fewer)."""
    if isinstance(value, dict):
        kept = {key: set_fields(inner) for key, inner in value.items() if inner is not None}
        return {key: inner for key, inner in kept.items() if inner != {}}
    if isinstance(value, list):
        return [set_fields(item) for item in value]
    return value
