"""The speech-to-text settings: PHONOGRAPH_STT_MODEL, _THREADS, _WORKERS and _QUEUE."""

from __future__ import annotations

from pathlib import Path

import pytest

from phonograph.settings import Settings, SettingsError


def test_defaults(tmp_path: Path) -> None:
    settings = Settings.from_env({}, data_dir=tmp_path)
    assert (settings.stt_model, settings.stt_threads, settings.stt_workers, settings.stt_queue) == (
        "base.en",
        2,
        1,
        100,
    )


def test_values_from_the_environment(tmp_path: Path) -> None:
    env = {
        "PHONOGRAPH_STT_MODEL": "/models/whisper-small",
        "PHONOGRAPH_STT_THREADS": "8",
        "PHONOGRAPH_STT_WORKERS": "3",
        "PHONOGRAPH_STT_QUEUE": "1000",
    }
    settings = Settings.from_env(env, data_dir=tmp_path)
    assert (settings.stt_model, settings.stt_threads, settings.stt_workers, settings.stt_queue) == (
        "/models/whisper-small",
        8,
        3,
        1000,
    )


@pytest.mark.parametrize("name", ["PHONOGRAPH_STT_THREADS", "PHONOGRAPH_STT_WORKERS", "PHONOGRAPH_STT_QUEUE"])
@pytest.mark.parametrize("value", ["0", "-1", "two", "1.5"])
def test_counts_must_be_whole_and_positive(tmp_path: Path, name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=name):
        Settings.from_env({name: value}, data_dir=tmp_path)
