"""Text to speech for ``<Say>``: the engine protocol and an espeak-ng engine over ctypes.

espeak-ng keeps global state and is not thread-safe, so one process-wide lock covers setting the
voice and synthesizing. So that one call's long text cannot starve every other call's prompt, text
is spoken in pieces of a few sentences (``speech_pieces``), each under the lock on its own: a
short ``<Say>`` waits for about one piece of someone else's, not their whole text. The ``<Say>``
runner plays piece by piece, so a long text also starts playing after its first piece.

Synthesis blocks: callers run it in a worker thread. Its 22,050 Hz output is resampled to the
8 kHz media clock and peak-normalised to about -3 dBFS. IVR prompts repeat, so pieces are kept in
an LRU cache bounded in bytes (``PHONOGRAPH_SAY_CACHE_MB``).
"""

from __future__ import annotations

import ctypes
import re
import threading
from typing import TYPE_CHECKING, Protocol

import espeakng_loader
import numpy as np

from phonograph.core.errors import InternalError
from phonograph.core.lru import ByteLru
from phonograph.media.frames import Pcm, silence
from phonograph.media.resample import resample
from phonograph.media.voices import (
    DEFAULT_LANGUAGE,
    DEFAULT_VOICE,
    FALLBACK_ESPEAK_LANGUAGE,
    espeak_voice_name,
)

if TYPE_CHECKING:
    _ShortPointer = ctypes._Pointer[ctypes.c_short]

# speak_lib.h constants.
_AUDIO_OUTPUT_SYNCHRONOUS = 2
_POS_CHARACTER = 1
_ESPEAK_CHARS_UTF8 = 1
_EE_OK = 0

_PEAK_DBFS = -3.0
_PEAK = 10 ** (_PEAK_DBFS / 20)
DEFAULT_CACHE_BYTES = 64 * 1024 * 1024  # about 70 minutes of speech at 8 kHz
# About 15 s of speech and 15 ms of espeak-ng's time on this project's 2-core machine: most IVR
# prompts are one piece (spoken exactly as before), and another call waits at most this long.
MAX_PIECE_CHARS = 250
_SENTENCE_END = re.compile(r"(?<=[.!?;:])\s+")

# int SynthCallback(short *wav, int numsamples, espeak_EVENT *events)
_SynthCallback = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p)


class SpeechEngine(Protocol):
    """Turns ``<Say>`` text into 8 kHz PCM; ``voice`` and ``language`` are Twilio's attributes."""

    def synthesize(self, text: str, voice: str, language: str) -> Pcm: ...


def speech_pieces(text: str) -> list[str]:
    """``text`` cut into pieces of whole sentences of at most ``MAX_PIECE_CHARS`` characters (a
    longer sentence at spaces, a longer word anywhere), in order; none for blank text. Cutting a
    piece again gives that piece back."""
    sentences: list[str] = []
    for sentence in _SENTENCE_END.split(text.strip()):
        sentences += _packed(_word_parts(sentence)) if len(sentence) > MAX_PIECE_CHARS else [sentence]
    return _packed(sentences)


def _word_parts(sentence: str) -> list[str]:
    """The sentence's words, a word longer than ``MAX_PIECE_CHARS`` cut into parts that fit."""
    return [
        word[at : at + MAX_PIECE_CHARS]
        for word in sentence.split()
        for at in range(0, len(word), MAX_PIECE_CHARS)
    ]


def _packed(parts: list[str]) -> list[str]:
    """``parts`` (none longer than ``MAX_PIECE_CHARS``) joined by spaces into as few strings of at
    most ``MAX_PIECE_CHARS`` as taking them in order allows."""
    pieces: list[str] = []
    for part in filter(None, parts):
        if pieces and len(pieces[-1]) + 1 + len(part) <= MAX_PIECE_CHARS:
            pieces[-1] += " " + part
        else:
            pieces.append(part)
    return pieces


class _Espeak:
    """The process's one espeak-ng library, initialised on first use and used only under ``lock``."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self._lib: ctypes.CDLL | None = None
        self._rate_hz = 0
        self._chunks: list[Pcm] = []
        # Kept on the instance: ctypes frees a callback that nothing references.
        self._callback = _SynthCallback(self._collect)

    def speak(self, text: str, voice_name: str) -> tuple[Pcm, int]:
        """The samples of ``text`` spoken by ``voice_name`` and their sample rate in Hz."""
        with self.lock:
            lib = self._loaded()
            self._set_voice(lib, voice_name)
            self._chunks = []
            encoded = text.encode("utf-8") + b"\0"
            status = lib.espeak_Synth(
                encoded, len(encoded), 0, _POS_CHARACTER, 0, _ESPEAK_CHARS_UTF8, None, None
            )
            if status != _EE_OK:
                raise InternalError(f"espeak-ng failed to synthesize speech (status {status})")
            chunks, self._chunks = self._chunks, []
            samples = np.concatenate(chunks) if chunks else silence(0)
            return samples, self._rate_hz

    def _loaded(self) -> ctypes.CDLL:
        if self._lib is not None:
            return self._lib
        lib = ctypes.CDLL(espeakng_loader.get_library_path())
        lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
        lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
        lib.espeak_SetSynthCallback.argtypes = [_SynthCallback]
        lib.espeak_Synth.argtypes = [
            ctypes.c_void_p, ctypes.c_size_t, ctypes.c_uint, ctypes.c_int,
            ctypes.c_uint, ctypes.c_uint, ctypes.c_void_p, ctypes.c_void_p,
        ]  # fmt: skip
        data_path = espeakng_loader.get_data_path().encode()
        rate_hz = int(lib.espeak_Initialize(_AUDIO_OUTPUT_SYNCHRONOUS, 0, data_path, 0))
        if rate_hz <= 0:
            raise InternalError("espeak-ng could not be initialised")
        lib.espeak_SetSynthCallback(self._callback)
        self._lib, self._rate_hz = lib, rate_hz
        return lib

    @staticmethod
    def _set_voice(lib: ctypes.CDLL, voice_name: str) -> None:
        if lib.espeak_SetVoiceByName(voice_name.encode()) == _EE_OK:
            return
        if lib.espeak_SetVoiceByName(FALLBACK_ESPEAK_LANGUAGE.encode()) != _EE_OK:
            raise InternalError(f"espeak-ng has neither voice {voice_name!r} nor the fallback")

    def _collect(self, wav: _ShortPointer | None, count: int, _events: int | None) -> int:
        if wav and count > 0:
            self._chunks.append(np.ctypeslib.as_array(wav, shape=(count,)).astype(np.int16))
        return 0  # 0 = go on synthesizing


_ESPEAK = _Espeak()


class EspeakEngine:
    """``SpeechEngine`` over espeak-ng; safe to call from many threads (pieces are serialised)."""

    def __init__(self, cache_bytes: int = DEFAULT_CACHE_BYTES) -> None:
        self._cache: ByteLru[tuple[str, str], Pcm] = ByteLru(cache_bytes, lambda pcm: int(pcm.nbytes))
        self._cache_lock = threading.Lock()

    def synthesize(self, text: str, voice: str = DEFAULT_VOICE, language: str = DEFAULT_LANGUAGE) -> Pcm:
        """``text`` spoken at 8 kHz, read-only; a repeated one-piece prompt is the same array."""
        # Keyed by the espeak voice it resolves to, so ``woman`` and ``alice`` share entries.
        voice_name = espeak_voice_name(voice, language)
        pieces = [self._piece(piece, voice_name) for piece in speech_pieces(text.replace("\0", " "))]
        if len(pieces) == 1:
            return pieces[0]
        whole = np.concatenate(pieces) if pieces else silence(0)
        whole.setflags(write=False)
        return whole

    def _piece(self, text: str, voice_name: str) -> Pcm:
        key = (text, voice_name)
        with self._cache_lock:
            cached = self._cache.get(key)
            if cached is not None:
                return cached
        samples, rate_hz = _ESPEAK.speak(text, voice_name)
        pcm = _normalised(resample(samples, rate_hz))
        pcm.setflags(write=False)
        with self._cache_lock:
            # Another thread may have spoken the same prompt meanwhile: every caller gets one array.
            cached = self._cache.get(key)
            if cached is not None:
                return cached
            self._cache.put(key, pcm)
        return pcm


def _normalised(samples: Pcm) -> Pcm:
    """``samples`` scaled so that the peak sits at ``_PEAK_DBFS`` (after resampling, whose
    low-pass filter changes the peak)."""
    peak = int(np.max(np.abs(samples.astype(np.int32)))) if len(samples) else 0
    if peak == 0:
        return samples
    gain = _PEAK * 32767 / peak
    scaled: Pcm = np.clip(np.rint(samples * gain), -32768, 32767).astype(np.int16)
    return scaled
