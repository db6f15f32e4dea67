"""What a conference plays from a URL: ``waitUrl``, ``holdUrl`` and ``announceUrl``.

Each may answer with an audio file, or with TwiML whose ``<Play>``, ``<Say>`` and ``<Pause>``
make the sound (https://www.twilio.com/docs/voice/twiml/conference#attributes-waitUrl); other
verbs are skipped. The audio is made into one clip, which a wait or hold loops. A URL that cannot
be had plays nothing: the loader has already reported it to the account's Notifications.
"""

from __future__ import annotations

from phonograph import twiml
from phonograph.calls.contracts import CallLeg
from phonograph.calls.loader import ApplicationFailure, DocumentLoader
from phonograph.calls.runtime import Runtime
from phonograph.calls.source import ProgramSource
from phonograph.media import SAMPLE_RATE_HZ, Clip, hold_music, silence


async def clip_from_url(runtime: Runtime, session: CallLeg, url: str | None, method: str) -> Clip:
    """The audio of ``url`` for ``session``'s call; None is phonograph's hold music, "" silence."""
    if url is None:
        return hold_music()
    if not url:
        return Clip(silence(0))
    call = session.call
    loader = DocumentLoader(runtime, call.account_sid, call.sid, session.auth_token)
    try:
        loaded = await loader.load(
            ProgramSource(url=url, method=method, params=tuple(session.webhook_params()))
        )
    except ApplicationFailure:
        return Clip(silence(0))
    if loaded.audio is not None:
        return loaded.audio
    return await _document_clip(session, loaded.document)


async def _document_clip(session: CallLeg, document: twiml.Document) -> Clip:
    clips: list[Clip] = []
    for verb in document.verbs:
        if isinstance(verb, twiml.Say):
            clips += [await session.speech(verb)] * max(1, verb.loop)
        elif isinstance(verb, twiml.Play) and verb.url:
            clips += [await session.audio(verb.url)] * max(1, verb.loop)
        elif isinstance(verb, twiml.Pause):
            clips.append(Clip(silence(verb.length_s * SAMPLE_RATE_HZ)))
    return Clip.concat(clips)
