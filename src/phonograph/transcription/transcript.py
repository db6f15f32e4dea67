"""The transcript: the engine's segments of every channel as sentences in time order.

A sentence (what ``sentences`` stores and ``/phonograph/v1/Transcriptions/{id}`` serves; the
shape is in docs/compatibility.md)::

    {"index": 0, "channel": 1,
     "participant": {"type": "CUSTOMER", "audioChannelIndex": 1, "name": null, "address": null} | null,
     "text": "…", "startTime": 0.0, "endTime": 2.8, "confidence": 0.91}

Times are seconds from the start of the recording, to the millisecond.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from phonograph.transcription.engine import Segment

Sentence = dict[str, Any]


def sentences(
    channels: Sequence[Sequence[Segment]], participants: Sequence[Mapping[str, Any]]
) -> list[Sentence]:
    """``channels[i]`` holds the segments heard on ``audioChannelIndex`` i + 1."""
    by_channel = {int(entry["audioChannelIndex"]): entry for entry in participants}
    heard = [(segment, index + 1) for index, segments in enumerate(channels) for segment in segments]
    heard.sort(key=lambda item: (item[0].start_s, item[1], item[0].end_s))
    return [
        {
            "index": index,
            "channel": channel,
            "participant": _participant(by_channel.get(channel)),
            "text": segment.text,
            "startTime": round(segment.start_s, 3),
            "endTime": round(segment.end_s, 3),
            "confidence": round(segment.confidence, 3),
        }
        for index, (segment, channel) in enumerate(heard)
    ]


def _participant(entry: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if entry is None:
        return None
    return {
        "type": entry.get("type"),
        "audioChannelIndex": int(entry["audioChannelIndex"]),
        "name": entry.get("name"),
        "address": entry.get("address"),
    }


def text_of(transcript: Sequence[Mapping[str, Any]]) -> str:
    """The whole transcript: the sentences' text joined by single spaces."""
    return " ".join(str(sentence["text"]) for sentence in transcript if sentence["text"])
