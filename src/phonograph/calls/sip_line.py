"""Calls over SIP, as far ends. ``SipCallerLine``: a phone that called one of the account's SIP
Domains (sip/dialogs.py); its leg (direction ``inbound``) runs the domain's VoiceUrl (``inbound_app``).
``SipCalleeLine``: the target of a ``<Dial><Sip>`` (sip/outbound.py), rung like any far end.

The phone hears nothing until the app answers (Twilio: "If the instructions are <Say>, <Play>,
<Record>, <Dial>, or <Gather>, Twilio sends a 200 OK SIP response", and a ``<Redirect>`` stays in
180 Ringing, https://www.twilio.com/docs/voice/api/sip-twiml); a leg that ends before answering
refuses the INVITE: 486 for ``<Reject reason="busy">``, 603 for ``<Reject>``, 487 otherwise.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from urllib.parse import parse_qsl

from sipmessage import URI

from phonograph import twiml
from phonograph.calls.byoc import failover
from phonograph.calls.contracts import CallLeg
from phonograph.calls.far_ends import Answer
from phonograph.calls.legs import new_leg
from phonograph.calls.params import Params
from phonograph.calls.runtime import Runtime
from phonograph.calls.source import ProgramSource
from phonograph.calls.state import CallStatus, Direction
from phonograph.core import Clock, InvalidParameter, PhonographError
from phonograph.media import MediaClock, MediaLeg, connect
from phonograph.sip import Dialogs, EndReason, InboundCall, OutboundCall, SipTarget
from phonograph.store import (
    BYOC_TRUNKS,
    PHONE_ADDRESS_MAX_CHARS,
    ByocRepo,
    Call,
    IncomingPhoneNumberRepo,
    SipDomainRepo,
    SipRegistrationRepo,
)
from phonograph.webhooks import system_resolver

REFUSAL_CODE = {Answer.BUSY: 486, Answer.NO_ANSWER: 603}
"""The SIP answer to a ``<Reject>`` (reason ``busy`` / ``rejected``) as the first verb."""
ENDED_BEFORE_ANSWER_CODE = 487


class SipCallerLine:
    """The phone that called, as its leg sees it: it is calling, so it has answered already; the
    leg's answer is the phone's 200."""

    def __init__(self, call: InboundCall, media: MediaClock) -> None:
        self.call = call
        self.leg = call.stream.leg
        self._media = media
        self._answer: asyncio.Future[Answer] | None = None

    def attach(self, session: CallLeg) -> None:
        """Be ``session``'s far end from now on: the phone is heard on it at once (it sends no
        audio before its 200), and gets its 200 when the app answers."""
        self._answer = session.answer
        session.answer.add_done_callback(self._answered)
        self.call.on_end = lambda reason: self._phone_left(session, reason)
        connect(session.leg, self.leg)
        self._media.add(self.leg)

    def _answered(self, answer: asyncio.Future[Answer]) -> None:
        if answer.result() is Answer.ANSWER:
            self.call.answer()

    def _phone_left(self, session: CallLeg, reason: EndReason) -> None:
        """The phone's BYE ends the call like a hang-up; its CANCEL cancels a ringing leg."""
        self._media.remove(self.leg)
        session.far_end = None
        session.end(CallStatus.CANCELED if reason is EndReason.CANCELED else CallStatus.COMPLETED)

    async def ring(self, since_frame: int) -> Answer:
        return Answer.ANSWER

    def answered(self) -> None:
        pass

    async def hang_up(self) -> None:
        """The leg ended: BYE when the phone was answered; else the INVITE is refused."""
        self._media.remove(self.leg)
        answer = self._answer
        outcome = answer.result() if answer is not None and answer.done() else None
        if outcome is Answer.ANSWER:
            # A leg that ends as it answers gets here before ``_answered`` runs: the 200 first.
            self.call.answer()
            self.call.hang_up()
        elif outcome is not None and outcome in REFUSAL_CODE:
            self.call.reject(REFUSAL_CODE[outcome])
        else:
            self.call.reject(ENDED_BEFORE_ANSWER_CODE)


@dataclass(frozen=True)
class InboundApp:
    """Whom a SIP call is between and the app it runs: its domain's, or for a carrier calling in
    through its BYOC trunk's domain, the called number's or the trunk's."""

    to: str
    from_: str
    url: str | None
    method: str
    fallback_url: str | None
    fallback_method: str
    status_callback: str | None
    status_callback_method: str


_E164_USER = re.compile(r"\+?[1-9][0-9]{1,14}")


def _e164(uri: str) -> str | None:
    """The E.164 number a carrier's SIP URI carries in its user part (``sip:+14155550100@…``)."""
    try:
        user = URI.parse(uri).user or ""
    except ValueError:
        return None
    return ("+" + user.lstrip("+")) if _E164_USER.fullmatch(user) else None


async def inbound_app(runtime: Runtime, call: InboundCall) -> InboundApp:
    """A call to a SIP Domain runs its VoiceUrl between the SIP URIs (``To`` the Request-URI,
    ``From`` the From URI), as Twilio gives them (https://www.twilio.com/docs/voice/api/sip-twiml).
    A domain that names a BYOC trunk carries the carrier's calls: between E.164 numbers, to the
    VoiceUrl of the called number when it is one of the account's, else to the trunk's
    (https://www.twilio.com/docs/voice/bring-your-own-carrier-byoc: "receive incoming calls to your
    Phone Numbers from your BYOC carrier")."""
    arrival, domain = call.arrival, call.arrival.domain
    to, from_ = arrival.request_uri, arrival.from_uri
    if domain.byoc_trunk_sid is not None:
        to_number, from_number = _e164(to), _e164(from_)
        async with runtime.db.read() as session:
            trunk = await ByocRepo(session, BYOC_TRUNKS).get_for_account(
                domain.account_sid, domain.byoc_trunk_sid
            )
            number = (
                None if to_number is None else await IncomingPhoneNumberRepo(session).get_by_number(to_number)
            )
        to, from_ = to_number or to, from_number or from_
        if number is not None and number.account_sid == domain.account_sid and number.voice_url:
            return InboundApp(
                to,
                from_,
                number.voice_url,
                number.voice_method,
                number.voice_fallback_url,
                number.voice_fallback_method,
                number.status_callback,
                number.status_callback_method,
            )
        if trunk is not None:
            return InboundApp(
                to,
                from_,
                trunk.voice_url,
                trunk.voice_method,
                trunk.voice_fallback_url,
                trunk.voice_fallback_method,
                trunk.status_callback_url,
                trunk.status_callback_method,
            )
    return InboundApp(
        to,
        from_,
        domain.voice_url,
        domain.voice_method,
        domain.voice_fallback_url,
        domain.voice_fallback_method,
        domain.voice_status_callback_url,
        domain.voice_status_callback_method,
    )


def sip_leg(call: InboundCall, app: InboundApp, clock: Clock, node_id: str) -> Call:
    """The row of the leg a SIP call runs."""
    if not app.url:
        # Nothing can take the call: the INVITE gets 480 (sip/dialogs.py).
        raise InvalidParameter(f"SIP Domain {call.arrival.domain.sid} has no VoiceUrl for this call")
    if max(len(app.to), len(app.from_)) > PHONE_ADDRESS_MAX_CHARS:
        raise InvalidParameter(f"a SIP URI longer than {PHONE_ADDRESS_MAX_CHARS} characters")
    now = clock.now()
    return new_leg(
        account_sid=call.arrival.domain.account_sid,
        to=app.to,
        from_=app.from_,
        direction=Direction.INBOUND,
        now=now,
        owner_node=node_id,
        status=CallStatus.RINGING,
        start_time=now,
        url=app.url,
        method=app.method,
        fallback_url=app.fallback_url,
        fallback_method=app.fallback_method,
        status_callback=app.status_callback,
        status_callback_method=app.status_callback_method,
    )


def sip_program(app: InboundApp) -> ProgramSource:
    return ProgramSource(
        url=app.url, method=app.method, fallback_url=app.fallback_url, fallback_method=app.fallback_method
    )


def sip_params(call: InboundCall) -> Params:
    """What Twilio adds for a call from a SIP Domain to every request about it."""
    arrival = call.arrival
    params: Params = [
        ("SipDomain", arrival.domain.domain_name),
        ("SipDomainSid", arrival.domain.sid),
        ("SipCallId", arrival.call_id),
        ("SipSourceIp", arrival.source[0]),
    ]
    if arrival.username is not None:
        params.append(("SipUsername", arrival.username))
    params += [(f"SipHeader_{name}", value) for name, value in arrival.x_headers]
    return params


SIP_ANSWER = {
    486: Answer.BUSY,
    600: Answer.BUSY,
    408: Answer.NO_ANSWER,
    480: Answer.NO_ANSWER,
    487: Answer.NO_ANSWER,
}
"""How a callee's final answer ends the leg (486 busy, 480/408 no-answer, any other failure
``failed``: https://www.twilio.com/docs/voice/twiml/sip); a 487 is phonograph's own CANCEL."""


UNREACHABLE_SIP_TARGET = 13224
"""Twilio's "Dial: Invalid number or not supported" (https://www.twilio.com/docs/api/errors/13224),
for a ``<Sip>`` URI phonograph cannot call; the dial's child fails."""


class SipCalleeLine:
    """A ``<Dial><Sip>`` target: ringing it sends the INVITE (to an address the outbound policy
    allows); its answer is the callee's final response. ``call_id`` and ``code`` are what the
    ``<Dial>`` reports (``DialSipCallId``, ``DialSipResponseCode``)."""

    def __init__(
        self, runtime: Runtime, dialogs: Dialogs, sips: Sequence[twiml.Sip], from_host: str | None = None
    ) -> None:
        """``sips``: where to try, in turn (one ``<Sip>``, or a BYOC trunk's targets: calls/byoc.py);
        ``from_host``: the From URI's host (a trunk's From domain)."""
        self.leg = MediaLeg(sips[0].uri)
        self.call_id: str | None = None
        self._runtime = runtime
        self._dialogs = dialogs
        self._sips = sips
        self._from_host = from_host
        self._call: OutboundCall | None = None
        self._caller: CallLeg | None = None

    def attach(self, caller: CallLeg) -> None:
        """``caller`` is the leg ringing this target (told when the callee hangs up)."""
        self._caller = caller

    async def ring(self, since_frame: int) -> Answer:
        """The first target's answer, or the next target's when it failed over (5xx, 408, or
        nothing could be sent: calls/byoc.py)."""
        caller = self._caller
        assert caller is not None, "attached before it rings"
        answer = Answer.FAILED
        for sip in self._sips:
            answer = await self._ring(caller, sip)
            code = self.code
            if answer is Answer.ANSWER or (code is not None and not failover(code)):
                break
        return answer

    async def _ring(self, caller: CallLeg, sip: twiml.Sip) -> Answer:
        self._call, self.call_id = None, None
        headers, problems = uri_headers(sip.uri.partition("?")[2])
        for code, message in problems:
            await caller.warn(code, message)
        try:
            target = await sip_target(self._runtime, sip, caller.call.account_sid, caller.call.from_, headers)
            call = await self._dialogs.place(replace(target, from_host=self._from_host))
        except NotRegistered as error:
            await caller.warn(error.code, error.message)
            return Answer.NO_ANSWER
        except PhonographError as error:
            await caller.warn(error.code, error.message)
            return Answer.FAILED
        self._call, self.call_id = call, call.call_id
        try:
            code = await asyncio.shield(call.final)
        except asyncio.CancelledError:
            call.cancel()  # the caller's Timeout, or it hung up first
            raise
        if call.stream is None:
            return SIP_ANSWER.get(code, Answer.FAILED)
        self.leg = call.stream.leg
        call.on_end = self._callee_left
        return Answer.ANSWER

    def _callee_left(self) -> None:
        """The callee's BYE: the leg ends like any far end's hang-up."""
        caller = self._caller
        assert caller is not None
        self._runtime.media.remove(self.leg)
        self._runtime.tasks.spawn(caller.far_end_hung_up(), name=f"sip bye {self.call_id}")

    @property
    def final_headers(self) -> tuple[tuple[str, str], ...]:
        """The ``X-`` headers of the callee's final answer."""
        return () if self._call is None else self._call.final_headers

    @property
    def code(self) -> int | None:
        """The callee's final answer to the INVITE, once it came."""
        call = self._call
        return call.final.result() if call is not None and call.final.done() else None

    def answered(self) -> None:
        self._runtime.media.add(self.leg)

    async def hang_up(self) -> None:
        self._runtime.media.remove(self.leg)
        if self._call is not None:
            self._call.hang_up()


URI_HEADERS = frozenset({"user-to-user", "remote-party-id", "p-preferred-identity", "p-called-party-id"})
"""The headers besides ``X-…`` a ``<Sip>`` URI may set (https://www.twilio.com/docs/api/errors/13252)."""
MAX_URI_HEADERS_CHARS = 1024
"""https://www.twilio.com/docs/api/errors/21227"""
_HEADER_NAME = re.compile(r"[A-Za-z0-9\-.!%*_+`'~]+")


def uri_headers(query: str) -> tuple[tuple[tuple[str, str], ...], list[tuple[int, str]]]:
    """The headers the ``?…`` part of a ``<Sip>`` URI sets, and the warnings (code, message) for
    those left out: a name Twilio does not take (13252), a value with a control character (21229:
    a CR or LF would write headers of its own into the INVITE), all of them when the part is 1,024
    characters or more (21227)."""
    if len(query) >= MAX_URI_HEADERS_CHARS:
        return (), [
            (21227, f"the <Sip> URI's headers are {len(query)} characters; fewer than 1024 are taken")
        ]
    headers: list[tuple[str, str]] = []
    problems: list[tuple[int, str]] = []
    for name, value in parse_qsl(query, keep_blank_values=True):
        lowered = name.lower()
        if not _HEADER_NAME.fullmatch(name) or not (lowered.startswith("x-") or lowered in URI_HEADERS):
            problems.append((13252, f"Dial: Invalid header name {name[:40]!r}: use the x- prefix"))
        elif any(ord(character) < 0x20 or ord(character) == 0x7F for character in value):
            problems.append((21229, f"Invalid SIP Header {name}: illegal characters in its value"))
        else:
            headers.append((name, value))
    return tuple(headers), problems


async def sip_target(
    runtime: Runtime, sip: twiml.Sip, account_sid: str, caller_id: str, headers: tuple[tuple[str, str], ...]
) -> SipTarget:
    """Where ``sip``'s URI reaches. A user of one of the account's SIP Domains is reached at the
    contact it registered last, along the flow it registered from (the address its REGISTER came
    from: a phone behind NAT is reachable only there); any other host is resolved. Either way the
    address must be one the outbound policy allows (docs/security.md). ``?X-…=`` parts of the URI
    become ``headers`` of the INVITE (``uri_headers`` chose them)."""
    text = sip.uri.partition("?")[0]
    try:
        uri = URI.parse(text)
    except ValueError:
        raise _unreachable(f"<Sip> URI {sip.uri[:80]!r} is not a SIP URI") from None
    transport = (uri.parameters.get("transport") or "udp").lower()
    if uri.scheme != "sip" or transport not in ("udp", "tcp"):
        raise _unreachable(f"phonograph dials sip: over UDP or TCP, not {uri.scheme} {transport}")
    registered = await _registered(runtime, uri, account_sid)
    if registered is not None:
        uri, (host, port) = registered
        addresses = [host]
        transport = "tcp" if (uri.parameters.get("transport") or "").lower() == "tcp" else "udp"
    else:
        host, port = uri.host, uri.port or 5060
        try:
            addresses = await system_resolver(host, port)
        except OSError:
            addresses = []
    allowed = [address for address in addresses if runtime.outbound.permits(address)]
    if not allowed:
        raise _unreachable(f"<Sip> host {host} resolves to no address phonograph may call")
    user = caller_id.removeprefix("sip:").split("@")[0] or "phonograph"
    return SipTarget(uri, (allowed[0], port), user, headers, sip.username, sip.password, transport=transport)


async def _registered(runtime: Runtime, uri: URI, account_sid: str) -> tuple[URI, tuple[str, int]] | None:
    """The contact and source address ``uri``'s user registered last, when ``uri`` names one of
    the account's SIP Domains (None for a host that is no domain here); ``NotRegistered`` when it
    has none, ``OtherAccountsDomain`` for another account's domain."""
    now = runtime.clock.now()
    async with runtime.db.read() as session:
        domain = await SipDomainRepo(session).get_by_name(uri.host.lower())
        if domain is None:
            return None
        if domain.account_sid != account_sid:
            raise OtherAccountsDomain(f"{uri.host} is a SIP Domain of another account")
        contacts = await SipRegistrationRepo(session).active(domain.sid, uri.user or "", now)
    if not contacts:
        raise NotRegistered(f"{uri.user}@{uri.host} has no registered contact")
    latest = contacts[-1]
    host, _, port = latest.source.rpartition(":")
    return URI.parse(latest.contact.strip("<>")), (host.strip("[]"), int(port))


class OtherAccountsDomain(PhonographError):
    """Twilio's 32214 (https://www.twilio.com/docs/api/errors/32214): dialing a SIP Domain of
    another account; the leg fails, and nothing is sent (not even a DNS lookup of the name)."""

    code = 32214
    status = 400


class NotRegistered(PhonographError):
    """A user of one of the account's SIP Domains with no contact registered: the dial's child
    is not answered (Twilio's SIP registration: calls to an unregistered user fail to connect)."""

    code = UNREACHABLE_SIP_TARGET
    status = 404


def _unreachable(message: str) -> InvalidParameter:
    return InvalidParameter(message, code=UNREACHABLE_SIP_TARGET)
