"""``<Say>`` voice and language attributes → espeak-ng voices; every mapped voice exists."""

from __future__ import annotations

import pytest

from phonograph.media import espeak_voice_name, is_female
from phonograph.media.tts import _ESPEAK
from phonograph.media.voices import _ESPEAK_LANGUAGES, _ESPEAK_PRIMARY, espeak_language_for


@pytest.mark.parametrize(
    ("voice", "language", "expected"),
    [
        ("man", "en-US", "en-us"),
        ("woman", "en-US", "en-us+f3"),
        ("alice", "en-GB", "en+f3"),
        ("man", "es-MX", "es-419"),
        ("woman", "fr-FR", "fr+f3"),
        ("man", "pt-BR", "pt-br"),
        ("man", "zh-CN", "cmn"),
        ("man", "sw-KE", "sw"),
        ("man", "xx-YY", "en-us"),
        ("man", "", "en-us"),
        ("Polly.Joanna", "en-US", "en-us+f3"),
        ("Polly.Joanna-Neural", "en-US", "en-us+f3"),
        ("Polly.Céline", "fr-FR", "fr+f3"),
        ("Polly.Matthew-Generative", "en-US", "en-us"),
        ("Google.de-DE-Standard-A", "en-US", "de+f3"),
        ("Google.de-DE-Standard-B", "en-US", "de"),
        ("Google.en-US-Chirp3-HD-Aoede", "en-US", "en-us+f3"),
        ("Google.en-US-Chirp3-HD-Charon", "en-US", "en-us"),
        ("someone", "ja-JP", "ja"),
    ],
)
def test_voice_names(voice: str, language: str, expected: str) -> None:
    assert espeak_voice_name(voice, language) == expected


def test_gender() -> None:
    assert is_female("WOMAN")
    assert is_female(" alice ")
    assert not is_female("man")
    assert not is_female("Polly.Brian")
    assert not is_female("unknown")


@pytest.mark.parametrize("name", sorted(set(_ESPEAK_LANGUAGES.values()) | _ESPEAK_PRIMARY))
def test_every_mapped_espeak_voice_exists(name: str) -> None:
    with _ESPEAK.lock:
        lib = _ESPEAK._loaded()
        assert lib.espeak_SetVoiceByName(f"{name}+f3".encode()) == 0


def test_region_fallback() -> None:
    assert espeak_language_for("de-LU") == "de"
    assert espeak_language_for("EN_us") == "en-us"
