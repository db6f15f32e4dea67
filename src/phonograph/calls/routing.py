"""Where a call goes: one of the server's own numbers (its VoiceUrl answers), one of the account's
virtual phones, or — for any other number — a silent line that answers after 1 s."""

from __future__ import annotations

from typing import TYPE_CHECKING

from phonograph.calls.far_ends import FarEnd, SilentLine
from phonograph.calls.runtime import Runtime
from phonograph.store import IncomingPhoneNumberRepo, VirtualPhoneRepo

if TYPE_CHECKING:
    from phonograph.calls.session import CallSession


async def far_end_for(runtime: Runtime, caller: CallSession) -> FarEnd:
    from phonograph.calls.internal import InternalLine
    from phonograph.calls.phone import VirtualPhoneLine

    to = caller.call.to
    async with runtime.db.transaction() as session:
        number = await IncomingPhoneNumberRepo(session).get_by_number(to)
        phone = await VirtualPhoneRepo(session).get_by_number(caller.call.account_sid, to)
    if number is not None and number.voice_url:
        return InternalLine(runtime, caller, number)
    if phone is not None:
        return VirtualPhoneLine(runtime, caller, phone)
    return SilentLine(runtime.media, to)
