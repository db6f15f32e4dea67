"""``<Dial><Number>`` end to end: child legs, bridged audio, the action request and its outcomes.

The parent call goes from the API to the app's caller-side virtual phone (it plays 400 Hz); its
TwiML dials a callee phone (it plays 600 Hz). While bridged, the parent leg sends the callee's
audio to the caller and the child leg sends the caller's audio to the callee
(https://www.twilio.com/docs/voice/twiml/dial).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from phonograph.testing.audio import active_spans, dominant_frequency_hz
from phonograph.testing.kit import add_phone, wait_for_call
from phonograph.testing.webapp import Hit, WebApp
from tests.conftest import TestAccount
from tests.support.calls import TRACKS_RATE_HZ, tone_wav, tracks

CALLER = "+15550200001"  # the parent call's far end: the caller, as the app sees it
CALLEE = "+15550200002"
OTHER_CALLEE = "+15550200003"
APP_NUMBER = "+15550209999"
CALLER_HZ = 400
CALLEE_HZ = 600
HANGUP = "<Response><Hangup/></Response>"
TONE_TOLERANCE_HZ = 5


def _tone(webapp: WebApp, frequency_hz: int, duration_s: float = 2.0) -> str:
    return webapp.respond(
        f"/tone-{frequency_hz}-{duration_s}.wav", tone_wav(frequency_hz, duration_s), content_type="audio/wav"
    )


def _looping_phone(
    account: TestAccount, webapp: WebApp, number: str, frequency_hz: int, **fields: Any
) -> None:
    """A phone that answers and plays ``frequency_hz`` until the call ends."""
    play = f"<Response><Play loop='0'>{_tone(webapp, frequency_hz)}</Play></Response>"
    add_phone(account.http, number, play, **{"answer_after_s": 0, **fields})


def _phone_that_hangs_up(
    account: TestAccount, webapp: WebApp, number: str, frequency_hz: int, seconds: int
) -> None:
    """A phone that answers, plays ``frequency_hz`` for ``seconds`` and hangs up."""
    play = f"<Response><Play>{_tone(webapp, frequency_hz, seconds)}</Play><Hangup/></Response>"
    add_phone(account.http, number, play, answer_after_s=0)


def _call(account: TestAccount, twiml: str) -> str:
    sid: str = account.client.calls.create(to=CALLER, from_=APP_NUMBER, twiml=twiml).sid
    return sid


def _children(account: TestAccount, parent_sid: str) -> list[Any]:
    return list(account.client.calls.list(parent_call_sid=parent_sid))


def _longest_active(samples: npt.NDArray[np.int16], min_s: float) -> npt.NDArray[np.int16]:
    """The longest stretch of sound, which must last ``min_s``: the bridged span of a track that
    is silent before and after the bridge."""
    spans = active_spans(samples, TRACKS_RATE_HZ)
    assert spans, "the track is silent"
    start, end = max(spans, key=lambda span: span[1] - span[0])
    assert end - start >= min_s, spans
    return samples[int(start * TRACKS_RATE_HZ) : int(end * TRACKS_RATE_HZ)]


def _assert_tone(samples: npt.NDArray[np.int16], frequency_hz: int) -> None:
    assert abs(dominant_frequency_hz(samples, TRACKS_RATE_HZ) - frequency_hz) < TONE_TOLERANCE_HZ


def _dial_outcome(hit: Hit) -> dict[str, str | None]:
    return {name: hit.param(name) for name in ("DialCallStatus", "DialBridged")}


def test_a_bridged_dial_carries_each_sides_audio_to_the_other_and_reports_to_the_action(
    account: TestAccount, webapp: WebApp
) -> None:
    _looping_phone(account, webapp, CALLER, CALLER_HZ)
    _phone_that_hangs_up(account, webapp, CALLEE, CALLEE_HZ, seconds=3)
    action = webapp.twiml("/dialed", HANGUP)
    parent_sid = _call(
        account, f"<Response><Dial action='{action}'><Number>{CALLEE}</Number></Dial></Response>"
    )

    [hit] = webapp.wait_for("/dialed")
    assert wait_for_call(account.client, parent_sid).status == "completed"
    [child] = _children(account, parent_sid)
    assert (child.direction, child.parent_call_sid, child.to, child._from) == (
        "outbound-dial",
        parent_sid,
        CALLEE,
        APP_NUMBER,
    )
    assert child.status == "completed"
    assert webapp.valid_signature(hit, account.auth_token)
    assert (hit.param("CallSid"), hit.param("DialCallSid")) == (parent_sid, child.sid)
    assert _dial_outcome(hit) == {"DialCallStatus": "completed", "DialBridged": "true"}
    duration_s = hit.param("DialCallDuration")
    assert duration_s is not None
    assert abs(int(duration_s) - 3) <= 1
    assert duration_s == child.duration

    parent_inbound, parent_outbound = tracks(account.http, parent_sid)
    child_inbound, child_outbound = tracks(account.http, child.sid)
    _assert_tone(parent_inbound, CALLER_HZ)
    _assert_tone(child_inbound, CALLEE_HZ)
    # Bridged: the caller hears the callee's tone, nearly all 3 s of it, and the callee the caller.
    _assert_tone(_longest_active(parent_outbound, 2.5), CALLEE_HZ)
    _assert_tone(_longest_active(child_outbound, 2.5), CALLER_HZ)


def test_the_child_call_comes_from_caller_id_when_given(account: TestAccount, webapp: WebApp) -> None:
    add_phone(account.http, CALLER, None, answer_after_s=0)
    add_phone(account.http, CALLEE, "<Response><Hangup/></Response>", answer_after_s=0)
    parent_sid = _call(
        account, f"<Response><Dial callerId='+15550208888'><Number>{CALLEE}</Number></Dial></Response>"
    )
    wait_for_call(account.client, parent_sid)
    [child] = _children(account, parent_sid)
    assert child._from == "+15550208888"


def _dial_to_phone(account: TestAccount, webapp: WebApp, answer: str, dial_attrs: str = "") -> Hit:
    add_phone(account.http, CALLER, None, answer_after_s=0)
    add_phone(account.http, CALLEE, None, answer=answer, answer_after_s=10 if answer == "answer" else 0)
    action = webapp.twiml("/dialed", HANGUP)
    parent_sid = _call(
        account, f"<Response><Dial action='{action}' {dial_attrs}><Number>{CALLEE}</Number></Dial></Response>"
    )
    [hit] = webapp.wait_for("/dialed")
    [child] = _children(account, parent_sid)
    assert hit.param("DialCallSid") == child.sid
    assert hit.param("DialCallStatus") == wait_for_call(account.client, child.sid).status
    assert hit.param("DialCallDuration") is None
    assert webapp.valid_signature(hit, account.auth_token)
    return hit


def test_a_busy_callee_reports_busy_and_not_bridged(account: TestAccount, webapp: WebApp) -> None:
    hit = _dial_to_phone(account, webapp, "busy")
    assert _dial_outcome(hit) == {"DialCallStatus": "busy", "DialBridged": "false"}


def test_a_callee_slower_than_the_dial_timeout_reports_no_answer(
    account: TestAccount, webapp: WebApp
) -> None:
    hit = _dial_to_phone(account, webapp, "answer", "timeout='2'")
    assert _dial_outcome(hit) == {"DialCallStatus": "no-answer", "DialBridged": "false"}


def test_a_failing_callee_reports_failed(account: TestAccount, webapp: WebApp) -> None:
    hit = _dial_to_phone(account, webapp, "failed")
    assert _dial_outcome(hit) == {"DialCallStatus": "failed", "DialBridged": "false"}


def test_without_an_action_the_next_verb_runs(account: TestAccount, webapp: WebApp) -> None:
    add_phone(account.http, CALLER, None, answer_after_s=0)
    _phone_that_hangs_up(account, webapp, CALLEE, CALLEE_HZ, seconds=1)
    after = webapp.twiml("/after", HANGUP)
    parent_sid = _call(
        account, f"<Response><Dial><Number>{CALLEE}</Number></Dial><Redirect>{after}</Redirect></Response>"
    )
    [hit] = webapp.wait_for("/after")
    assert (hit.param("CallSid"), hit.param("CallStatus")) == (parent_sid, "in-progress")
    assert hit.param("DialCallStatus") is None
    assert wait_for_call(account.client, parent_sid).status == "completed"
    [child] = _children(account, parent_sid)
    assert child.status == "completed"


def test_hangup_on_star_ends_the_child_and_the_parent_continues(account: TestAccount, webapp: WebApp) -> None:
    # The caller presses * a few times after a pause, so one press surely falls in the bridge.
    add_phone(
        account.http,
        CALLER,
        "<Response><Pause length='2'/><Play digits='*w*w*'/></Response>",
        answer_after_s=0,
    )
    _looping_phone(account, webapp, CALLEE, CALLEE_HZ)
    continued = webapp.twiml("/continued", HANGUP)
    action = webapp.twiml("/dialed", f"<Response><Redirect>{continued}</Redirect></Response>")
    parent_sid = _call(
        account,
        f"<Response><Dial hangupOnStar='true' action='{action}'><Number>{CALLEE}</Number></Dial></Response>",
    )
    [hit] = webapp.wait_for("/dialed")
    assert _dial_outcome(hit) == {"DialCallStatus": "completed", "DialBridged": "true"}
    assert hit.param("CallStatus") == "in-progress"
    [child] = _children(account, parent_sid)
    assert wait_for_call(account.client, child.sid).status == "completed"
    [after] = webapp.wait_for("/continued")
    assert after.param("CallSid") == parent_sid
    assert wait_for_call(account.client, parent_sid).status == "completed"


def test_time_limit_ends_the_child(account: TestAccount, webapp: WebApp) -> None:
    add_phone(account.http, CALLER, None, answer_after_s=0)
    _looping_phone(account, webapp, CALLEE, CALLEE_HZ)
    action = webapp.twiml("/dialed", HANGUP)
    parent_sid = _call(
        account,
        f"<Response><Dial timeLimit='2' action='{action}'><Number>{CALLEE}</Number></Dial></Response>",
    )
    [hit] = webapp.wait_for("/dialed")
    assert _dial_outcome(hit) == {"DialCallStatus": "completed", "DialBridged": "true"}
    assert hit.param("DialCallDuration") == "2"
    [child] = _children(account, parent_sid)
    assert (child.status, child.duration) == ("completed", "2")
    assert wait_for_call(account.client, parent_sid).status == "completed"


def test_two_numbers_ring_at_once_and_the_first_to_answer_wins(account: TestAccount, webapp: WebApp) -> None:
    add_phone(account.http, CALLER, None, answer_after_s=0)
    _looping_phone(account, webapp, CALLEE, CALLEE_HZ, answer_after_s=3)
    _phone_that_hangs_up(account, webapp, OTHER_CALLEE, 800, seconds=1)
    action = webapp.twiml("/dialed", HANGUP)
    parent_sid = _call(
        account,
        f"<Response><Dial action='{action}'><Number>{CALLEE}</Number>"
        f"<Number>{OTHER_CALLEE}</Number></Dial></Response>",
    )
    [hit] = webapp.wait_for("/dialed")
    wait_for_call(account.client, parent_sid)
    children = {child.to: child for child in _children(account, parent_sid)}
    assert set(children) == {CALLEE, OTHER_CALLEE}
    loser, winner = children[CALLEE], children[OTHER_CALLEE]
    assert (winner.status, loser.status) == ("completed", "canceled")
    assert loser.duration in (None, "0")
    assert hit.param("DialCallSid") == winner.sid
    assert _dial_outcome(hit) == {"DialCallStatus": "completed", "DialBridged": "true"}
    _, parent_outbound = tracks(account.http, parent_sid)
    _assert_tone(_longest_active(parent_outbound, 0.8), 800)


def test_the_caller_hanging_up_ends_the_child(account: TestAccount, webapp: WebApp) -> None:
    caller_tone = _tone(webapp, CALLER_HZ, 2)
    add_phone(
        account.http, CALLER, f"<Response><Play>{caller_tone}</Play><Hangup/></Response>", answer_after_s=0
    )
    _looping_phone(account, webapp, CALLEE, CALLEE_HZ)
    parent_sid = _call(account, f"<Response><Dial><Number>{CALLEE}</Number></Dial></Response>")
    assert wait_for_call(account.client, parent_sid).status == "completed"
    [child] = _children(account, parent_sid)
    done = wait_for_call(account.client, child.sid)
    assert done.status == "completed"
    assert done.end_time is not None


def test_number_status_callbacks_report_the_child_leg(account: TestAccount, webapp: WebApp) -> None:
    add_phone(account.http, CALLER, None, answer_after_s=0)
    _phone_that_hangs_up(account, webapp, CALLEE, CALLEE_HZ, seconds=1)
    events = webapp.respond("/child-events", b"")
    number = (
        f"<Number statusCallback='{events}' statusCallbackEvent='initiated ringing answered completed'>"
        f"{CALLEE}</Number>"
    )
    parent_sid = _call(account, f"<Response><Dial>{number}</Dial></Response>")
    hits = webapp.wait_for("/child-events", count=4)
    [child] = _children(account, parent_sid)
    assert [hit.param("CallStatus") for hit in hits] == ["initiated", "ringing", "in-progress", "completed"]
    assert [hit.param("SequenceNumber") for hit in hits] == ["0", "1", "2", "3"]
    for hit in hits:
        assert (hit.param("CallSid"), hit.param("ParentCallSid")) == (child.sid, parent_sid)
        assert hit.param("Direction") == "outbound-dial"
        assert webapp.valid_signature(hit, account.auth_token)
    wait_for_call(account.client, parent_sid)
    assert webapp.count("/child-events") == 4
