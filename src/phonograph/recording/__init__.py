"""Room ``recording``: taps, journal, pause/resume/stop, composition, encoding, configuration resolution.

Today it holds the Recording Configuration body and the recording enums; the recording issue (#4)
fills the rest.
"""

from phonograph.recording.configuration import RecordingConfiguration
from phonograph.recording.enums import CallbackMethod, Channels, RecordingEvent, Track, Trim

__all__ = [
    "CallbackMethod",
    "Channels",
    "RecordingConfiguration",
    "RecordingEvent",
    "Track",
    "Trim",
]
