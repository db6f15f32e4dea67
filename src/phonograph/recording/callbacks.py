"""Recording status callbacks: exactly Twilio's parameters (twilio.com/docs/voice/api/recording), queued in
the outbox.

https://www.twilio.com/docs/voice/api/recording#recordingstatuscallback
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from phonograph.core import rfc2822
from phonograph.core.recording_terms import recording_path
from phonograph.recording.state import RecordingStatus
from phonograph.store import OutboxRepo, Recording

Params = list[tuple[str, str]]


def callback_params(recording: Recording, status: RecordingStatus, public_url: str) -> Params:
    params: Params = [("AccountSid", recording.account_sid)]
    if recording.call_sid:
        params.append(("CallSid", recording.call_sid))
    if recording.conference_sid:
        params.append(("ConferenceSid", recording.conference_sid))
    params += [
        ("RecordingSid", recording.sid),
        ("RecordingUrl", public_url + recording_path(recording.account_sid, recording.sid)),
        ("RecordingStatus", status.value),
        ("RecordingChannels", str(recording.channels)),
        ("RecordingStartTime", rfc2822(recording.start_time)),
        ("RecordingSource", recording.source),
        ("RecordingTrack", recording.track),
        # Twilio sends 0 when there is no error (twilio.com/docs/voice/api/recording, a third-party live
        # test).
        ("ErrorCode", str(recording.error_code or 0)),
    ]
    if status is RecordingStatus.COMPLETED:
        params.append(("RecordingDuration", str(recording.duration_s or 0)))
    return params


async def enqueue_callback(
    session: AsyncSession, recording: Recording, status: RecordingStatus, public_url: str, now: datetime
) -> bool:
    """Queue the callback for ``status`` if the recording asked for it; True when one was queued."""
    if not recording.status_callback or status.value not in recording.status_callback_events:
        return False
    await OutboxRepo(session).enqueue(
        account_sid=recording.account_sid,
        ordering_key=recording.sid,
        url=recording.status_callback,
        method=recording.status_callback_method,
        params=callback_params(recording, status, public_url),
        now=now,
    )
    return True
