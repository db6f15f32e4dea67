"""The registry against Twilio's SDK: every element the SDK can write is parsed, refused by name as
unsupported, or SSML; and every attribute its builders accept for a parsed element is read."""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from typing import Any

import pytest
from twilio.twiml import TwiML, lower_camel
from twilio.twiml import voice_response as sdk

from phonograph.twiml import ELEMENTS, UNSUPPORTED, TwimlError, parse
from phonograph.twiml.ssml import SSML_TAGS


def sdk_tags() -> set[str]:
    """The tag of every element class in the SDK's voice_response module."""
    tags = set()
    for name, cls in inspect.getmembers(sdk, inspect.isclass):
        if issubclass(cls, TwiML) and cls.__module__ == sdk.__name__:
            found = re.search(r'self\.name = "([^"]+)"', inspect.getsource(cls.__init__))
            tags.add(found.group(1) if found else name)
    return tags


def test_every_sdk_element_is_parsed_refused_by_name_or_ssml() -> None:
    unaccounted = sdk_tags() - set(ELEMENTS) - UNSUPPORTED - SSML_TAGS - {"Response"}
    assert unaccounted == set()


def test_parsed_and_unsupported_elements_are_disjoint() -> None:
    assert set(ELEMENTS).isdisjoint(UNSUPPORTED)


@pytest.mark.parametrize("tag", sorted(UNSUPPORTED))
def test_an_unsupported_element_is_refused_as_unsupported(tag: str) -> None:
    with pytest.raises(TwimlError, match="not supported by phonograph"):
        parse(f"<Response><{tag}/></Response>")


# (SDK builder, the parameter that becomes the element's text, a valid text, the parent's tags)
BUILDERS: list[tuple[Callable[..., Any], str | None, str, tuple[str, ...]]] = [
    (sdk.VoiceResponse.say, "message", "Hi", ()),
    (sdk.VoiceResponse.play, "url", "a.mp3", ()),
    (sdk.VoiceResponse.pause, None, "", ()),
    (sdk.VoiceResponse.gather, None, "", ()),
    (sdk.VoiceResponse.hangup, None, "", ()),
    (sdk.VoiceResponse.reject, None, "", ()),
    (sdk.VoiceResponse.redirect, "url", "/next", ()),
    (sdk.VoiceResponse.record, None, "", ()),
    (sdk.VoiceResponse.dial, "number", "+14155551212", ()),
    (sdk.VoiceResponse.start, None, "<Recording/>", ()),
    (sdk.VoiceResponse.stop, None, "<Recording/>", ()),
    (sdk.Gather.say, "message", "Hi", ("Gather",)),
    (sdk.Gather.play, "url", "a.mp3", ("Gather",)),
    (sdk.Gather.pause, None, "", ("Gather",)),
    (sdk.Dial.number, "phone_number", "+14155551212", ("Dial",)),
    (sdk.Dial.sip, "sip_url", "sip:a@example.com", ("Dial",)),
    (sdk.Dial.conference, "name", "Room", ("Dial",)),
    (sdk.Start.recording, None, "", ("Start",)),
]


def _builder_id(value: object) -> str:
    return str(getattr(value, "__qualname__", ""))


@pytest.mark.parametrize(("builder", "body", "text", "parents"), BUILDERS, ids=_builder_id)
def test_every_sdk_attribute_of_a_parsed_element_is_read(
    builder: Callable[..., Any], body: str | None, text: str, parents: tuple[str, ...]
) -> None:
    signature = inspect.signature(builder)
    parameters = [name for name in signature.parameters if name not in ("self", "kwargs", body)]
    names = [lower_camel(TwiML.MAP.get(name, name)) for name in parameters]
    tag = re.sub(r"^.*\.", "", builder.__qualname__).capitalize()
    # An empty value reads as "not given", so every attribute is present without tripping validation.
    attributes = "".join(f' {name}=""' for name in names)
    element = f"<{tag}{attributes}>{text}</{tag}>"
    for parent in reversed(parents):
        element = f"<{parent}>{element}</{parent}>"
    document = parse(f"<Response>{element}</Response>")
    assert [warning.message for warning in document.warnings if "unknown attribute" in warning.message] == []
