"""Where a call goes: one of the server's own numbers (its VoiceUrl answers), one of the account's
virtual phones, a SIP URI over SIP (when the server takes SIP: calls/sip_line.py), a BYOC trunk's
targets when the call names a trunk (calls/byoc.py), or — for any other number — a silent line that
answers after 1 s. And which caller IDs an account may present."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from phonograph import twiml
from phonograph.calls.byoc import BYOC_ROUTING_FAILED, trunk_route
from phonograph.calls.contracts import CallLeg, NewSession
from phonograph.calls.far_ends import FarEnd, SilentLine
from phonograph.calls.internal import InternalLine
from phonograph.calls.phone import VirtualPhoneLine
from phonograph.calls.runtime import Runtime
from phonograph.calls.sip_line import SipCalleeLine
from phonograph.store import IncomingPhoneNumberRepo, VirtualPhoneRepo


async def far_end_for(runtime: Runtime, caller: CallLeg, new_session: NewSession) -> FarEnd:
    """``caller``'s far end; ``new_session`` makes the callee leg of one of the server's numbers."""
    to = caller.call.to
    if to.startswith("sip:") and runtime.sip is not None:
        # Calls create with To=sip:… (https://www.twilio.com/docs/voice/api/call-resource).
        username, password = caller.sip_auth or (None, None)
        line = SipCalleeLine(runtime, runtime.sip, [twiml.Sip(uri=to, username=username, password=password)])
        line.attach(caller)
        return line
    async with runtime.db.transaction() as session:
        number = await IncomingPhoneNumberRepo(session).get_by_number(to)
        phone = await VirtualPhoneRepo(session).get_by_number(caller.call.account_sid, to)
    if number is not None and number.voice_url:
        return InternalLine(runtime, caller, number, new_session)
    if phone is not None:
        return VirtualPhoneLine(runtime, caller, phone)
    if caller.byoc is not None:
        dialogs = runtime.sip
        route = await trunk_route(runtime.db, caller.call.account_sid, caller.byoc, to)
        if dialogs is not None and route is not None:
            line = SipCalleeLine(runtime, dialogs, route.sips, from_host=route.from_host)
            line.attach(caller)
            return line
        why = "SIP is off" if dialogs is None else "it has no enabled target"
        await caller.warn(
            BYOC_ROUTING_FAILED, f"BYOC trunk {caller.byoc} cannot be dialled ({why}): {to} is a silent line"
        )
    return SilentLine(runtime.media, to)


async def may_present(session: AsyncSession, account_sid: str, caller_id: str) -> bool:
    """Whether ``account_sid`` may call from ``caller_id``: any number but one that another account
    owns on this server. Twilio allows only an own number or a verified caller ID (error 21210); a
    test double must also place calls from numbers nobody owns, but a tenant must never make a
    signed webhook say it comes from another tenant's number (docs/security.md)."""
    owned = await IncomingPhoneNumberRepo(session).get_by_number(caller_id)
    return owned is None or owned.account_sid == account_sid
