"""Room ``media``: 20 ms PCM frames, G.711, tones, DTMF, decoding, resampling, TTS, the media clock.

Imports only ``phonograph.core``, numpy, soxr, miniaudio and espeakng_loader."""

from phonograph.media.clock import MediaClock, TickStats
from phonograph.media.decode import DecodedAudio, UnsupportedAudio, decode_audio, decode_channels
from phonograph.media.frames import (
    FRAME_MS,
    SAMPLE_RATE_HZ,
    SAMPLES_PER_FRAME,
    SILENT_FRAME,
    Clip,
    DtmfEvent,
    Frame,
    Pcm,
    frames_in,
    silence,
)
from phonograph.media.g711 import Codes, alaw_decode, alaw_encode, ulaw_decode, ulaw_encode
from phonograph.media.leg import (
    ClipPlayer,
    FrameListener,
    FrameSource,
    MediaLeg,
    connect,
    disconnect,
    run_frame,
)
from phonograph.media.mixer import SPEAKING_PEAK, Mixer
from phonograph.media.resample import resample
from phonograph.media.tones import (
    DTMF_FREQUENCIES_HZ,
    PAUSE_MS,
    InvalidDigits,
    conference_beep,
    dtmf_clip,
    dtmf_tone,
    hold_music,
    tone,
)
from phonograph.media.tts import DEFAULT_CACHE_BYTES as DEFAULT_SAY_CACHE_BYTES
from phonograph.media.tts import EspeakEngine, SpeechEngine, speech_pieces
from phonograph.media.voices import DEFAULT_LANGUAGE, DEFAULT_VOICE, espeak_voice_name, is_female

__all__ = [
    "DEFAULT_LANGUAGE",
    "DEFAULT_SAY_CACHE_BYTES",
    "DEFAULT_VOICE",
    "DTMF_FREQUENCIES_HZ",
    "FRAME_MS",
    "PAUSE_MS",
    "SAMPLES_PER_FRAME",
    "SAMPLE_RATE_HZ",
    "SILENT_FRAME",
    "SPEAKING_PEAK",
    "Clip",
    "ClipPlayer",
    "Codes",
    "DecodedAudio",
    "DtmfEvent",
    "EspeakEngine",
    "Frame",
    "FrameListener",
    "FrameSource",
    "InvalidDigits",
    "MediaClock",
    "MediaLeg",
    "Mixer",
    "Pcm",
    "SpeechEngine",
    "TickStats",
    "UnsupportedAudio",
    "alaw_decode",
    "alaw_encode",
    "conference_beep",
    "connect",
    "decode_audio",
    "decode_channels",
    "disconnect",
    "dtmf_clip",
    "dtmf_tone",
    "espeak_voice_name",
    "frames_in",
    "hold_music",
    "is_female",
    "resample",
    "run_frame",
    "silence",
    "speech_pieces",
    "tone",
    "ulaw_decode",
    "ulaw_encode",
]
