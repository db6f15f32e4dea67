"""What the calls room's modules know of a live call leg: the ``CallLeg`` protocol, which
calls/session.py's ``CallSession`` implements, and ``NewSession``, how a module that places a leg of its
own (a ``<Dial>`` child, the callee of one of the server's numbers) asks for one.

Dialling, routing, conferences and the per-leg recordings sit below the session in the room's
layers (docs/architecture.md, "The calls room"): they see a session only through this protocol and
are handed a ``NewSession`` by the session that needs them, so none imports calls/session.py.
"""

from __future__ import annotations

import asyncio
from typing import Any, Protocol

from phonograph import twiml
from phonograph.calls.far_ends import Answer, FarEnd
from phonograph.calls.params import Params
from phonograph.calls.source import ProgramSource
from phonograph.calls.state import CallStatus
from phonograph.media import Clip, MediaLeg
from phonograph.store import Call


class CallLeg(Protocol):
    """One live call leg: its row, its live status, its media leg, and how it ends."""

    call: Call
    status: CallStatus
    auth_token: str
    far_end: FarEnd | None
    answer: asyncio.Future[Answer]
    """Resolved when the leg answers or refuses (what a caller ringing it waits for)."""
    end_frame: int | None
    """The media frame the leg's end was asked on, once it was."""
    sip_auth: tuple[str, str] | None
    """Digest credentials for a ``sip:`` To (Calls create's ``SipAuthUsername``/``Password``)."""
    byoc: str | None
    """The BYOC trunk a number that is not the server's goes out through (``Byoc``, ``<Number byoc>``)."""

    @property
    def leg(self) -> MediaLeg: ...

    def start(self) -> None: ...

    def end(self, status: CallStatus) -> None: ...

    async def wait(self) -> None: ...

    async def far_end_hung_up(self) -> None: ...

    def replace_program(self, source: ProgramSource) -> None: ...

    def restart_time_limit(self) -> None: ...

    def webhook_params(self) -> Params: ...

    async def speech(self, say: twiml.Say) -> Clip: ...

    async def audio(self, url: str) -> Clip: ...

    async def warn(self, code: int, message: str, **request: Any) -> None: ...


class NewSession(Protocol):
    """A session, not yet started, for the stored ``call`` running ``program`` (None: the leg runs
    no TwiML of its own, as a ``<Dial>`` child) towards ``far_end`` (None: found when it rings)."""

    def __call__(
        self,
        call: Call,
        auth_token: str,
        program: ProgramSource | None,
        far_end: FarEnd | None = None,
        byoc: str | None = None,
    ) -> CallLeg: ...
