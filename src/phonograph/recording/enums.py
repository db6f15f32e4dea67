"""Recording enums shared by every way to start a recording (twilio.com/docs/voice/api/call-resource;
twilio.com/docs/voice/api/recording; twilio.com/docs/configurations/recording-configuration-resource).

They are defined once in ``phonograph.core.recording_terms``, where the ``twiml`` room can reach them
too; this module keeps the names the ``recording`` room and its users import.
"""

from __future__ import annotations

from phonograph.core.recording_terms import CallbackMethod, Channels, RecordingEvent, Track, Trim

__all__ = ["CallbackMethod", "Channels", "RecordingEvent", "Track", "Trim"]
