"""Runs TwiML on one leg: one runner class per verb, found through one registry (docs/style.md rule 6).

The interpreter knows nothing about who is on the far end; runners reach the call only through
``VerbContext``, which a call session (or a virtual phone) implements.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, Generic, Protocol, TypeVar
from urllib.parse import urljoin

from phonograph import twiml
from phonograph.calls.params import Params
from phonograph.calls.recordings import LegRecordings
from phonograph.calls.source import ProgramSource
from phonograph.media import Clip, MediaClock, MediaLeg
from phonograph.recording import Channels, RecordingRequest, Track

V = TypeVar("V")
NOT_YET_EXECUTED = 12200  # Twilio's "schema validation warning": the verb is valid, the call goes on


class VerbContext(Protocol):
    """What a verb may do to its call."""

    @property
    def leg(self) -> MediaLeg: ...

    @property
    def media(self) -> MediaClock: ...

    @property
    def document_url(self) -> str | None: ...

    @property
    def recordings(self) -> LegRecordings | None:
        """The leg's recordings; None where nothing can be recorded (a virtual phone)."""

    def webhook_params(self) -> Params: ...

    async def speech(self, say: twiml.Say) -> Clip: ...

    async def audio(self, url: str) -> Clip: ...

    async def dial(self, dial: twiml.Dial) -> Params: ...

    async def hang_up(self) -> None: ...

    async def reject(self, reason: str) -> None: ...

    async def warn(self, code: int, message: str) -> None: ...


def resolve_url(ctx: VerbContext, url: str) -> str:
    """``url`` made absolute against the URL of the running document (TwiML allows relative URLs)."""
    return urljoin(ctx.document_url or "", url)


def twiml_request(
    ctx: VerbContext,
    element: twiml.Record | twiml.Dial | twiml.Recording | twiml.Conference,
    *,
    channels: Channels | None = None,
    track: Track | None = None,
) -> RecordingRequest:
    """The recording attributes ``element`` was written with (None = not written)."""
    callback = element.recording_status_callback
    return RecordingRequest(
        channels=channels,
        trim=element.trim,
        track=track,
        # TwiML URLs may be relative to the document.
        status_callback=None if callback is None else resolve_url(ctx, callback),
        status_callback_method=element.recording_status_callback_method,
        status_callback_events=element.recording_status_callback_event,
        configuration_id=element.recording_configuration_id,
    )


def action_source(ctx: VerbContext, action: str | None, method: str, extra: Params) -> ProgramSource | None:
    """Where an ``action`` request goes: the action URL, else the running document (Twilio's default)."""
    target = resolve_url(ctx, action) if action else ctx.document_url
    if not target:
        return None
    return ProgramSource(url=target, method=method, params=tuple(ctx.webhook_params() + extra))


async def play(ctx: VerbContext, clip: Clip, loop: int = 1) -> None:
    """Send ``clip`` on the leg and wait until it has been sent (or cut off)."""
    player = ctx.leg.start_clip(clip, loop)
    await player.done


async def within_media_ms(ctx: VerbContext, awaitable: Awaitable[Any], timeout_ms: float) -> bool:
    """Wait for ``awaitable`` at most ``timeout_ms`` of media time; True when it finished first."""
    work = asyncio.ensure_future(awaitable)
    timer = asyncio.ensure_future(ctx.media.sleep_ms(timeout_ms))
    try:
        await asyncio.wait({work, timer}, return_when=asyncio.FIRST_COMPLETED)
        return work.done()
    finally:
        for task in (work, timer):
            task.cancel()
        await asyncio.gather(work, timer, return_exceptions=True)


class VerbRunner(Generic[V]):
    """Runs one verb. Subclasses register with ``@runs(VerbClass)``."""

    def __init__(self, verb: V, ctx: VerbContext) -> None:
        self.verb = verb
        self.ctx = ctx

    async def run(self) -> None:
        raise NotImplementedError


RUNNERS: dict[type[Any], type[VerbRunner[Any]]] = {}


def runs(verb_type: type[V]) -> Callable[[type[VerbRunner[V]]], type[VerbRunner[V]]]:
    def register(runner: type[VerbRunner[V]]) -> type[VerbRunner[V]]:
        RUNNERS[verb_type] = runner
        return runner

    return register


class Interpreter:
    """Runs a document's verbs in order on ``ctx``; ``ReplaceProgram``/``EndProgram`` propagate."""

    def __init__(self, ctx: VerbContext) -> None:
        self.ctx = ctx

    async def run(self, document: twiml.Document) -> None:
        for verb in document.verbs:
            runner = RUNNERS.get(type(verb))
            if runner is None:
                # Valid TwiML that phonograph parses but does not run: the call goes on.
                await self.ctx.warn(NOT_YET_EXECUTED, f"<{type(verb).__name__}> is not executed yet; skipped")
                continue
            await runner(verb, self.ctx).run()
