"""Properties of ``twiml.parse``: a serialized document parses back to the same value, and no input,
however broken, raises anything but ``TwimlError``."""

from __future__ import annotations

from xml.sax.saxutils import quoteattr

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from phonograph.twiml import ELEMENTS, UNSUPPORTED, Document, TwimlError, parse
from phonograph.twiml.ssml import SSML_TAGS
from tests.unit.twiml.codec import to_xml
from tests.unit.twiml.strategies import documents


def parses_or_refuses(document: str | bytes) -> None:
    """Parse ``document``; a ``TwimlError`` is an acceptable answer, any other exception fails the test."""
    refusal: TwimlError | None = None
    try:
        parse(document)
    except TwimlError as exc:
        refusal = exc
    if refusal is not None:
        assert refusal.status == 400
        assert refusal.message


@settings(max_examples=150, deadline=None)
@given(documents)
def test_a_serialized_document_parses_back_to_the_same_value(document: Document) -> None:
    assert parse(to_xml(document)) == document


@settings(max_examples=50, deadline=None)
@given(documents)
def test_bytes_and_text_parse_alike(document: Document) -> None:
    text = to_xml(document)
    assert parse(text.encode("utf-8")) == parse(text)


@given(st.binary(max_size=512))
def test_arbitrary_bytes_raise_only_twiml_error(data: bytes) -> None:
    parses_or_refuses(data)


@given(st.text(max_size=512))
def test_arbitrary_text_raises_only_twiml_error(text: str) -> None:
    parses_or_refuses(text)


LONE_SURROGATES = st.lists(st.integers(min_value=0xD800, max_value=0xDFFF).map(chr), min_size=1, max_size=3)


@given(LONE_SURROGATES.map("".join))
def test_text_with_lone_surrogates_is_refused(surrogates: str) -> None:
    with pytest.raises(TwimlError, match="not valid Unicode"):
        parse(f"<Response><Say>{surrogates}</Say></Response>")


@settings(deadline=None)
@given(documents, st.data())
def test_damaged_documents_raise_only_twiml_error(document: Document, data: st.DataObject) -> None:
    text = to_xml(document)
    start = data.draw(st.integers(min_value=0, max_value=len(text)))
    end = data.draw(st.integers(min_value=start, max_value=min(len(text), start + 40)))
    insert = data.draw(
        st.text(max_size=20) | st.sampled_from(["<", ">", "&", '"', "</Say>", "<Say>", "&amp;"])
    )
    parses_or_refuses(text[:start] + insert + text[end:])


_TAGS = st.sampled_from(sorted({*ELEMENTS, *UNSUPPORTED, *SSML_TAGS, "Response", "say", "Unknown"}))
_ATTRIBUTE_NAMES = st.sampled_from(
    [
        "loop", "voice", "digits", "length", "input", "timeout", "speechTimeout", "numDigits",
        "finishOnKey", "method", "action", "reason", "record", "trim", "recordingStatusCallbackEvent",
        "recordingTrack", "maxLength", "playBeep", "transcribe", "beep", "muted", "waitUrl",
        "maxParticipants", "region", "participantLabel", "sendDigits", "statusCallbackEvent", "channels",
        "track", "ringTone", "alias",
    ]
)  # fmt: skip
_ATTRIBUTE_VALUES = st.sampled_from(
    ["", "0", "-1", "1", "true", "FALSE", "GET", "auto", "both", "#"]
) | st.text(max_size=8)


def _element(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    attributes = st.dictionaries(_ATTRIBUTE_NAMES, _ATTRIBUTE_VALUES, max_size=3).map(
        lambda found: "".join(f" {name}={quoteattr(value)}" for name, value in found.items())
    )
    texts = st.sampled_from(["", "text", "+14155551212", "sip:a@b", " "])
    content = st.lists(children | texts, max_size=3)
    return st.builds(
        lambda tag, attrs, inner: f"<{tag}{attrs}>{''.join(inner)}</{tag}>", _TAGS, attributes, content
    )


_ELEMENTS = st.recursive(st.just(""), _element, max_leaves=8)


@settings(max_examples=200, deadline=None)
@given(st.lists(_ELEMENTS, max_size=4))
def test_well_formed_nonsense_raises_only_twiml_error(elements: list[str]) -> None:
    parses_or_refuses(f"<Response>{''.join(elements)}</Response>")
