"""Test-side codecs for parsed TwiML: to JSON (the golden corpus) and back to XML (the round-trip property).

``to_xml`` is generic over the dataclasses: the tag is the class name, a field becomes the camelCase
attribute of its name without the unit suffix ``_s`` (``time_limit_s`` -> ``timeLimit``), ``children`` and
``targets`` become nested elements, and the fields in ``BODY_FIELDS`` become the element's text.
"""

from __future__ import annotations

from dataclasses import fields, is_dataclass
from enum import Enum
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from phonograph.twiml import Conference, Document, Number, Play, Redirect, Say, Sip

BODY_FIELDS: dict[type, str] = {
    Say: "text",
    Play: "url",
    Redirect: "url",
    Number: "number",
    Sip: "uri",
    Conference: "name",
}
NESTED_FIELDS = frozenset({"children", "targets"})
_ATTRIBUTE_ESCAPES = {"\n": "&#10;", "\r": "&#13;", "\t": "&#9;"}


def to_json(value: object) -> Any:
    """A JSON-ready form of a parsed value: dataclasses become ``{"type": ..., field: ...}``."""
    if is_dataclass(value) and not isinstance(value, type):
        body: dict[str, Any] = {"type": type(value).__name__}
        for field in fields(value):
            body[field.name] = to_json(getattr(value, field.name))
        return body
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, tuple | list):
        return [to_json(item) for item in value]
    return value


def to_xml(document: Document) -> str:
    """Serialize the verbs of ``document`` as a TwiML document that parses back to the same verbs."""
    inner = "".join(_element(verb) for verb in document.verbs)
    return f'<?xml version="1.0" encoding="UTF-8"?><Response>{inner}</Response>'


def attribute_name(field_name: str) -> str:
    base = field_name.removesuffix("_s")
    head, *rest = base.split("_")
    return head + "".join(word.capitalize() for word in rest)


def _element(node: object) -> str:
    assert is_dataclass(node)
    assert not isinstance(node, type)
    tag = type(node).__name__
    body_field = BODY_FIELDS.get(type(node))
    attributes: list[str] = []
    content = ""
    for field in fields(node):
        value = getattr(node, field.name)
        if field.name == body_field:
            content += escape(value) if value is not None else ""
        elif field.name in NESTED_FIELDS:
            content += "".join(_element(child) for child in value)
        elif value is not None and value != ():
            attributes.append(f" {attribute_name(field.name)}={_attribute_value(value)}")
    return f"<{tag}{''.join(attributes)}>{content}</{tag}>"


def _attribute_value(value: object) -> str:
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, Enum):
        text = str(value.value)
    elif isinstance(value, tuple):
        text = " ".join(str(item.value) for item in value)
    else:
        text = str(value)
    return quoteattr(text, _ATTRIBUTE_ESCAPES)
