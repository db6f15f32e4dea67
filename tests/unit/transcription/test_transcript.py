"""Segments of every channel → sentences in time order, and the transcript's text."""

from __future__ import annotations

from typing import Any

from phonograph.transcription import Segment
from phonograph.transcription.transcript import sentences, text_of

PARTICIPANTS: list[dict[str, Any]] = [
    {"type": "CUSTOMER", "address": "+15005550006", "name": "Ada", "audioChannelIndex": 1},
    {"type": "HUMAN_AGENT", "address": None, "name": None, "audioChannelIndex": 2},
]


def test_sentences_are_ordered_by_time_and_numbered() -> None:
    first = [Segment(3.0, 4.12345, "later", 0.81234), Segment(0.0, 1.0, "first", 0.5)]
    second = [Segment(0.0, 0.5, "same start", 1.0), Segment(1.5, 2.0, "middle", 0.25)]
    made = sentences([first, second], PARTICIPANTS)
    assert [(s["index"], s["channel"], s["text"]) for s in made] == [
        (0, 1, "first"),
        (1, 2, "same start"),
        (2, 2, "middle"),
        (3, 1, "later"),
    ]
    assert made[3] == {
        "index": 3,
        "channel": 1,
        "participant": {
            "type": "CUSTOMER",
            "audioChannelIndex": 1,
            "name": "Ada",
            "address": "+15005550006",
        },
        "text": "later",
        "startTime": 3.0,
        "endTime": 4.123,
        "confidence": 0.812,
    }
    assert text_of(made) == "first same start middle later"


def test_without_participants_a_sentence_has_none() -> None:
    made = sentences([[Segment(0.25, 1.0, "Hello.", 0.9)]], [])
    assert made == [
        {
            "index": 0,
            "channel": 1,
            "participant": None,
            "text": "Hello.",
            "startTime": 0.25,
            "endTime": 1.0,
            "confidence": 0.9,
        }
    ]


def test_nothing_heard_is_an_empty_transcript() -> None:
    assert sentences([[], []], PARTICIPANTS) == []
    assert text_of([]) == ""
