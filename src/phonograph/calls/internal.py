"""A call between two numbers on this server: the callee is a second call leg (direction
``inbound``) that runs the number's VoiceUrl; each leg is the other's far end, so two TwiML apps
hear each other with real audio."""

from __future__ import annotations

import asyncio

from phonograph.calls.contracts import CallLeg, NewSession
from phonograph.calls.far_ends import Answer
from phonograph.calls.legs import new_leg
from phonograph.calls.runtime import Runtime
from phonograph.calls.source import ProgramSource
from phonograph.calls.state import CallStatus, Direction
from phonograph.media import MediaLeg
from phonograph.store import AccountRepo, CallRepo, IncomingPhoneNumber


class CallerLine:
    """The calling leg, as the callee leg sees it: it has already 'answered' (it is calling)."""

    def __init__(self, caller: CallLeg) -> None:
        self.caller = caller
        self.leg = caller.leg

    async def ring(self, since_frame: int) -> Answer:
        return Answer.ANSWER

    def answered(self) -> None:
        pass

    async def hang_up(self) -> None:
        await self.caller.far_end_hung_up()


class InternalLine:
    """One of the server's numbers, as the caller sees it; ringing it starts the callee leg."""

    def __init__(
        self, runtime: Runtime, caller: CallLeg, number: IncomingPhoneNumber, new_session: NewSession
    ) -> None:
        self._runtime = runtime
        self._new_session = new_session
        self._caller = caller
        self._number = number
        self._callee: CallLeg | None = None
        self.leg = MediaLeg(number.phone_number)

    async def ring(self, since_frame: int) -> Answer:
        # The callee leg answers when its own TwiML does, in its own media time.
        number, now = self._number, self._runtime.clock.now()
        async with self._runtime.db.transaction() as session:
            account = await AccountRepo(session).get(number.account_sid)
            assert account is not None, "a number's account exists"
            call = await CallRepo(session).create(
                new_leg(
                    account_sid=number.account_sid,
                    to=number.phone_number,
                    from_=self._caller.call.from_,
                    direction=Direction.INBOUND,
                    now=now,
                    owner_node=self._runtime.node_id,
                    status=CallStatus.RINGING,
                    phone_number_sid=number.sid,
                    start_time=now,
                    url=number.voice_url,
                    method=number.voice_method,
                    fallback_url=number.voice_fallback_url,
                    fallback_method=number.voice_fallback_method,
                    # A number's StatusCallback hears only about the end of the call (the default).
                    status_callback=number.status_callback,
                    status_callback_method=number.status_callback_method,
                    timeout_s=self._caller.call.timeout_s,
                )
            )
        program = ProgramSource(
            url=number.voice_url,
            method=number.voice_method,
            fallback_url=number.voice_fallback_url,
            fallback_method=number.voice_fallback_method,
        )
        callee = self._new_session(call, account.auth_token, program, CallerLine(self._caller))
        self._callee = callee
        self.leg = callee.leg
        callee.start()
        return await asyncio.shield(callee.answer)

    def answered(self) -> None:
        pass

    async def hang_up(self) -> None:
        if self._callee is not None:
            self._callee.far_end = None
            self._callee.end(CallStatus.COMPLETED)
