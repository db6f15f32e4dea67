"""``<Dial>`` for a call session: ring every target at once, bridge the first to answer, and
report how it went (https://www.twilio.com/docs/voice/twiml/dial#attributes-action).

Each target is a child call leg (direction ``outbound-dial``, ``parent_call_sid`` = the dialling
call) routed like any call. While bridged, each leg sends what the other receives. The dial ends
when the child hangs up, its ``timeLimit`` passes, or the caller presses ``*`` with
``hangupOnStar``; the caller hanging up ends the child too. With ``record``, the parent leg is
recorded from ringing or from the answer until the dial ends: channel 1 is the parent's party
(its inbound track), channel 2 the dialled party (what the parent's caller hears).
"""

from __future__ import annotations

import asyncio
from typing import Protocol

from phonograph import twiml
from phonograph.calls.commands import JoinSettings
from phonograph.calls.conference_rooms import ConferenceElsewhere, Conferences
from phonograph.calls.contracts import CallLeg
from phonograph.calls.far_ends import Answer, FarEnd
from phonograph.calls.interpreter import VerbContext, resolve_url, twiml_request
from phonograph.calls.legs import enqueue_initiated, new_leg
from phonograph.calls.params import Params
from phonograph.calls.recordings import LegRecordings
from phonograph.calls.routing import may_present
from phonograph.calls.runtime import Runtime
from phonograph.calls.sip_line import SipCalleeLine
from phonograph.calls.source import ProgramSource
from phonograph.calls.state import CallStatus, Direction
from phonograph.media import Frame
from phonograph.recording import Channels, RecordingPlan, Source
from phonograph.store import Call, CallRepo, Recording

FROM_RINGING = (twiml.DialRecord.RECORD_FROM_RINGING, twiml.DialRecord.RECORD_FROM_RINGING_DUAL)


class Dialer(CallLeg, VerbContext, Protocol):
    """The session running ``<Dial>``: a leg whose TwiML is running, with its runtime, recordings and
    conferences, that places the child legs (calls/session.py's ``CallSession``)."""

    runtime: Runtime
    conferences: Conferences

    @property
    def recordings(self) -> LegRecordings: ...

    def new_session(
        self,
        call: Call,
        auth_token: str,
        program: ProgramSource | None,
        far_end: FarEnd | None = None,
        byoc: str | None = None,
    ) -> CallLeg: ...


def _address(target: twiml.Number | twiml.Sip) -> str:
    return target.number if isinstance(target, twiml.Number) else target.uri


def _child_call(parent: Dialer, dial: twiml.Dial, target: twiml.Number | twiml.Sip, caller_id: str) -> Call:
    return new_leg(
        account_sid=parent.call.account_sid,
        to=_address(target),
        from_=caller_id,
        direction=Direction.OUTBOUND_DIAL,
        now=parent.runtime.clock.now(),
        owner_node=parent.runtime.node_id,
        parent_call_sid=parent.call.sid,
        status_callback=target.status_callback,
        status_callback_method=str(target.status_callback_method),
        status_callback_events=[str(event) for event in target.status_callback_event],
        timeout_s=dial.timeout_s,
        time_limit_s=dial.time_limit_s,
        send_digits=target.send_digits if isinstance(target, twiml.Number) else None,
    )


async def _start_children(parent: Dialer, dial: twiml.Dial) -> tuple[list[CallLeg], dict[str, SipCalleeLine]]:
    """The child legs, started; and the SIP line of each child dialling a ``<Sip>`` over SIP (by
    CallSid), for what the dial reports."""
    targets = [target for target in dial.targets if isinstance(target, twiml.Number | twiml.Sip)]
    children, lines = [], {}
    caller_id, refused = dial.caller_id or parent.call.from_, False
    dialogs = parent.runtime.sip
    async with parent.runtime.db.transaction() as session:
        if dial.caller_id and not await may_present(session, parent.call.account_sid, dial.caller_id):
            # https://www.twilio.com/docs/api/errors/13214: the dial goes on from the caller's From.
            caller_id, refused = parent.call.from_, True
        for target in targets:
            call = await CallRepo(session).create(_child_call(parent, dial, target, caller_id))
            await enqueue_initiated(session, call, parent.runtime.clock.now())
            if isinstance(target, twiml.Sip) and dialogs is not None:
                line = SipCalleeLine(parent.runtime, dialogs, [target])
                child = parent.new_session(call, parent.auth_token, None, line)
                line.attach(child)
                lines[call.sid] = line
            else:
                byoc = target.byoc if isinstance(target, twiml.Number) else None
                child = parent.new_session(call, parent.auth_token, None, byoc=byoc)
            children.append(child)
    parent.runtime.outbox.notify()
    if refused:
        await parent.warn(
            13214, f"Dial: Invalid callerId value {dial.caller_id}: a number of another account"
        )
    for child in children:
        child.start()
    return children, lines


async def _first_answer(children: list[CallLeg]) -> CallLeg | None:
    pending = {asyncio.ensure_future(asyncio.shield(child.answer)): child for child in children}
    try:
        while pending:
            done, _ = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
            for future in done:
                child = pending.pop(future)
                if future.result() is Answer.ANSWER:
                    return child
        return None
    finally:
        for future in pending:
            future.cancel()


async def _recording_plan(parent: Dialer, dial: twiml.Dial) -> RecordingPlan | None:
    """``record``: None for do-not-record; ``-dual`` asks for two channels
    (twilio.com/docs/voice/twiml/dial)."""
    if dial.record is twiml.DialRecord.DO_NOT_RECORD:
        return None
    request = twiml_request(
        parent, dial, channels=Channels.DUAL if dial.record.dual else None, track=dial.recording_track
    )
    return await parent.recordings.plan_for_twiml(Source.DIAL_VERB, request)


async def run_dial(parent: Dialer, dial: twiml.Dial) -> Params:
    conferences = [target for target in dial.targets if isinstance(target, twiml.Conference)]
    if conferences:
        return await _run_conference(parent, dial, conferences[0])
    unsupported = [target for target in dial.targets if not isinstance(target, twiml.Number | twiml.Sip)]
    if unsupported or not dial.targets:
        await parent.warn(13201, "<Dial> has no Number, Sip or Conference that phonograph can call")
        return [("DialCallStatus", CallStatus.FAILED.value), ("DialBridged", "false")]
    plan = await _recording_plan(parent, dial)
    recording: Recording | None = None
    winner: CallLeg | None = None
    children, lines = await _start_children(parent, dial)
    try:
        if plan is not None and dial.record in FROM_RINGING:
            recording = await parent.recordings.start(plan)
        winner = await _first_answer(children)
        for child in children:
            if child is not winner:
                child.end(CallStatus.CANCELED)
        if winner is not None:
            if plan is not None and recording is None:
                recording = await parent.recordings.start(plan)
            await _bridge(parent, winner, dial)
    finally:
        if recording is not None:
            # On the frame the dialled party hung up on, not once its leg is torn down.
            await parent.recordings.stop(recording.sid, None if winner is None else winner.end_frame)
        for child in children:
            child.end(CallStatus.COMPLETED)
        await asyncio.gather(*(child.wait() for child in children))
    reported = winner or children[-1]
    params: Params = [
        ("DialCallStatus", reported.status.value),
        ("DialCallSid", reported.call.sid),
        ("DialBridged", "true" if winner is not None else "false"),
    ]
    if winner is not None:
        params.append(("DialCallDuration", str(winner.call.duration_s or 0)))
    line = lines.get(reported.call.sid)
    if line is not None and line.call_id is not None:
        # https://www.twilio.com/docs/voice/twiml/sip: the SIP Call-ID, the INVITE's final answer
        # and its X- headers.
        params.append(("DialSipCallId", line.call_id))
        if line.code is not None:
            params.append(("DialSipResponseCode", str(line.code)))
        params += [(f"DialSipHeader_{name}", value) for name, value in line.final_headers]
    if recording is not None:
        # Only when this <Dial> recorded (https://www.twilio.com/docs/voice/twiml/dial#attributes-action).
        params += [("RecordingUrl", parent.recordings.url(recording)), ("RecordingSid", recording.sid)]
    return params


async def _bridge(parent: Dialer, child: CallLeg, dial: twiml.Dial) -> None:
    def on_frame(inbound: Frame, _outbound: Frame) -> None:
        if inbound.dtmf is not None and inbound.dtmf.end and inbound.dtmf.digit == "*":
            child.end(CallStatus.COMPLETED)

    parent.leg.bridge, child.leg.bridge = child.leg, parent.leg
    if dial.hangup_on_star:
        parent.leg.listeners.append(on_frame)
    try:
        await child.wait()
    finally:
        parent.leg.bridge = child.leg.bridge = None
        if on_frame in parent.leg.listeners:
            parent.leg.listeners.remove(on_frame)


async def _run_conference(parent: Dialer, dial: twiml.Dial, conference: twiml.Conference) -> Params:
    """``<Dial><Conference>``: be in the room until leaving it; then the TwiML goes on. ``<Dial
    record>`` records the parent leg meanwhile: channel 1 the caller, channel 2 the conference's
    audio (twilio.com/docs/voice/twiml/dial)."""
    plan = await _recording_plan(parent, dial)
    recording = None if plan is None else await parent.recordings.start(plan)
    try:
        await parent.conferences.join(parent, join_settings(parent, conference))
    except ConferenceElsewhere as refused:
        # The <Dial> ends at once and the TwiML goes on, as after a conference that ended.
        await parent.warn(refused.code, refused.message)
    finally:
        if recording is not None:
            await parent.recordings.stop(recording.sid)
    if recording is None:
        return []
    return [("RecordingUrl", parent.recordings.url(recording)), ("RecordingSid", recording.sid)]


def join_settings(ctx: VerbContext, conference: twiml.Conference) -> JoinSettings:
    """The ``<Conference>`` attributes as the conference room takes them
    (twilio.com/docs/voice/twiml/conference)."""
    beep = conference.beep
    recording = None
    if conference.record is twiml.ConferenceRecord.RECORD_FROM_START:
        recording = twiml_request(ctx, conference)
    return JoinSettings(
        name=conference.name,
        label=conference.participant_label,
        muted=conference.muted,
        beep_on_enter=beep in (twiml.ConferenceBeep.TRUE, twiml.ConferenceBeep.ON_ENTER),
        beep_on_exit=beep in (twiml.ConferenceBeep.TRUE, twiml.ConferenceBeep.ON_EXIT),
        start_conference_on_enter=conference.start_conference_on_enter,
        end_conference_on_exit=conference.end_conference_on_exit,
        wait_url=conference.wait_url if not conference.wait_url else resolve_url(ctx, conference.wait_url),
        wait_method=conference.wait_method.value,
        max_participants=conference.max_participants,
        region=None if conference.region is None else conference.region.value,
        coaching=conference.coach is not None,
        call_sid_to_coach=conference.coach,
        status_callback=None
        if conference.status_callback is None
        else resolve_url(ctx, conference.status_callback),
        status_callback_method=conference.status_callback_method.value,
        status_callback_events=tuple(event.value for event in conference.status_callback_event),
        recording=recording,
    )
