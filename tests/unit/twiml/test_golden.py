"""The TwiML golden corpus (tests/golden/twiml): every good document parses to its JSON value for value;
every bad one fails with its Twilio code and a message holding the expected fragments."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from phonograph.twiml import MAX_DOCUMENT_BYTES, TwimlError, parse
from tests.unit.twiml.codec import to_json

CORPUS = Path(__file__).resolve().parents[2] / "golden" / "twiml"
GOOD = sorted((CORPUS / "good").glob("*.xml"))
BAD = sorted((CORPUS / "bad").glob("*.xml"))


def test_the_corpus_is_complete() -> None:
    assert len(GOOD) >= 25
    assert len(BAD) >= 25
    for document in (*GOOD, *BAD):
        assert document.with_suffix(".json").is_file(), f"{document.name} has no expected .json"


@pytest.mark.parametrize("document", GOOD, ids=lambda path: path.stem)
def test_good_document(document: Path) -> None:
    expected = json.loads(document.with_suffix(".json").read_text(encoding="utf-8"))
    assert to_json(parse(document.read_bytes())) == expected


@pytest.mark.parametrize("document", BAD, ids=lambda path: path.stem)
def test_bad_document(document: Path) -> None:
    expected = json.loads(document.with_suffix(".json").read_text(encoding="utf-8"))
    with pytest.raises(TwimlError) as caught:
        parse(document.read_bytes())
    assert caught.value.code == expected["code"], caught.value.message
    assert caught.value.status == 400
    for fragment in expected["message_contains"]:
        assert fragment in caught.value.message


@pytest.mark.parametrize("document", GOOD[:3], ids=lambda path: path.stem)
def test_text_and_bytes_parse_alike(document: Path) -> None:
    raw = document.read_bytes()
    assert parse(raw.decode("utf-8-sig")) == parse(raw)


def test_a_document_over_64_kib_is_refused_with_11750() -> None:
    padding = " " * (MAX_DOCUMENT_BYTES - len("<Response><Say>x</Say></Response>"))
    at_limit = f"<Response><Say>x</Say>{padding}</Response>"
    assert len(at_limit.encode()) == MAX_DOCUMENT_BYTES
    assert parse(at_limit).verbs
    with pytest.raises(TwimlError) as caught:
        parse(at_limit + " ")
    assert caught.value.code == 11750
    assert "65537 bytes" in caught.value.message


def test_the_size_limit_counts_utf8_bytes_of_text() -> None:
    # 'é' is two bytes in UTF-8: a str of 40,000 characters can be 80,000 bytes on the wire.
    with pytest.raises(TwimlError) as caught:
        parse("<Response><Say>" + "é" * 40_000 + "</Say></Response>")
    assert caught.value.code == 11750
