"""The pause ledger: where each pause of a recording lies in its stored media.

The recorder notes each pause in journaled frames (recording/recorder.py, ``Pause``) and the stop
event carries them (``pauses``, JSON). Once the recording is composed, each is placed in the
media's own time, after any trimmed head: a ``silence`` pause is the band of zeros it wrote
(``start_s`` to ``end_s``), a ``skip`` pause a point where media time was cut out (``start_s`` =
``end_s``). ``paused_s`` is how long the call's media ran while it lasted. A recording finalized
after a crash has no stop event, and no ledger.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from phonograph.media import SAMPLE_RATE_HZ, SAMPLES_PER_FRAME

FRAME_S = SAMPLES_PER_FRAME / SAMPLE_RATE_HZ


def encode_pauses(pauses: Sequence[Sequence[int | str]]) -> str:
    """The stop event's ``pauses`` field: ``[behavior, start_frame, end_frame, media_frames]`` each."""
    return json.dumps([list(pause) for pause in pauses], separators=(",", ":"))


def pause_ledger(
    events: Sequence[dict[str, Any]], head_samples: int, stored_samples: int
) -> list[dict[str, Any]]:
    """The ledger of a journal's stop event, placed in media that begins ``head_samples`` into the
    journaled audio and holds ``stored_samples``; pauses wholly trimmed away are left out."""
    raw = next((event.get("pauses") for event in events if event.get("event") == "stop"), None)
    if not isinstance(raw, str):
        return []
    ledger: list[dict[str, Any]] = []
    for behavior, start_frame, end_frame, media_frames in json.loads(raw):
        start = start_frame * SAMPLES_PER_FRAME - head_samples
        end = end_frame * SAMPLES_PER_FRAME - head_samples
        if end < 0 or start > stored_samples:
            continue
        ledger.append(
            {
                "behavior": behavior,
                "start_s": round(max(start, 0) / SAMPLE_RATE_HZ, 3),
                "end_s": round(min(end, stored_samples) / SAMPLE_RATE_HZ, 3),
                "paused_s": round(media_frames * FRAME_S, 3),
            }
        )
    return ledger
