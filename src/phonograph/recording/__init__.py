"""Room ``recording``: taps, journal, pause/resume/stop, composition, encoding, configuration resolution."""

from phonograph.core.recording_terms import recording_path
from phonograph.recording.compose import SILENCE_PEAK, Composition, Layout, compose
from phonograph.recording.configuration import RecordingConfiguration
from phonograph.recording.encode import MP3_CONTENT_TYPE, WAV_CONTENT_TYPE, encode_mp3, encode_wav
from phonograph.recording.enums import CallbackMethod, Channels, RecordingEvent, Track, Trim
from phonograph.recording.plan import RecordingPlan, RecordingRequest, resolve_plan
from phonograph.recording.recorder import DELAY_FRAMES
from phonograph.recording.service import RecordingService
from phonograph.recording.state import (
    LIVE,
    UNFINISHED,
    ConfigurationNotFound,
    ConfigurationWithParameters,
    IllegalRecordingTransition,
    MoreThanOneActive,
    PauseBehavior,
    RecordingNotFound,
    RecordingStatus,
    Source,
)
from phonograph.recording.transcriptions import promise_transcriptions

__all__ = [
    "DELAY_FRAMES",
    "LIVE",
    "MP3_CONTENT_TYPE",
    "SILENCE_PEAK",
    "UNFINISHED",
    "WAV_CONTENT_TYPE",
    "CallbackMethod",
    "Channels",
    "Composition",
    "ConfigurationNotFound",
    "ConfigurationWithParameters",
    "IllegalRecordingTransition",
    "Layout",
    "MoreThanOneActive",
    "PauseBehavior",
    "RecordingConfiguration",
    "RecordingEvent",
    "RecordingNotFound",
    "RecordingPlan",
    "RecordingRequest",
    "RecordingService",
    "RecordingStatus",
    "Source",
    "Track",
    "Trim",
    "compose",
    "encode_mp3",
    "encode_wav",
    "promise_transcriptions",
    "recording_path",
    "resolve_plan",
]
