"""Conferences end to end: virtual phones joined through ``<Dial><Conference>`` and through the
Participants API, checked on what each phone heard (twilio.com/docs/voice/api/conference-resource;
twilio.com/docs/voice/api/conference-participant-resource; twilio.com/docs/voice/twiml/conference).

Each phone plays its own quiet tone in a loop; the call leg's outbound track
(``/phonograph/v1/Calls/{CallSid}/Tracks.wav``) is what its phone heard. A participant hears
everyone else but not itself; muted, it is not heard; held, it neither hears nor is heard and
gets the hold music (https://www.twilio.com/docs/voice/twiml/conference,
https://www.twilio.com/docs/voice/api/conference-participant-resource). Spans (a mute, a hold)
are measured in 20 ms frames against media-frame brackets taken around the requests.
"""

from __future__ import annotations

from functools import partial

import numpy as np

from phonograph.testing.webapp import WebApp
from tests.conftest import TestAccount
from tests.support.api import rest_error, unique_name
from tests.support.callflow import CALLER
from tests.support.calls import tracks
from tests.support.conferences import (
    FRAMES_PER_S,
    QUIET,
    Tones,
    assert_run_within,
    bracketed,
    conference_in,
    conference_named,
    conference_twiml,
    connected,
    dial_in,
    frames_between,
    join_all,
    list_error,
    longest_run,
    settle_calls,
    signed_params,
    silent_phone,
    the_run,
    tone_phone,
    tone_url,
    wait_until,
)
from tests.support.notifications import WARNING, call_notifications
from tests.support.recordings import wait_media_s

P1_HZ, P2_HZ, P3_HZ = 500.0, 900.0, 1400.0
PHONE_TONES = (P1_HZ, P2_HZ, P3_HZ)
HOLD_HZ = 2000.0
WAIT_HZ = 1700.0
AFTER_HZ = 2400.0
"""What a call plays after its ``<Dial>``: it shows the TwiML went on once the conference was left."""
ANNOUNCE_HZ = 2800.0
WHISPER_HZ = 3200.0
ALL_TONES = (*PHONE_TONES, HOLD_HZ, WAIT_HZ, AFTER_HZ)
EVENTS = "/conference-events"
TOGETHER_S = 2.0
"""Media seconds everyone is left together before a change: 1.5 s of it is asked for."""
CHANGE_S = 2.0
"""Media seconds a mute or a hold lasts."""
HEARD_FRAMES = int(1.5 * FRAMES_PER_S)
TRANSITION_FRAMES = FRAMES_PER_S // 2
"""Runs shorter than this are edges (a frame cut part way), not a span."""
CONFERENCE_FULL = 16024  # phonograph's warning: Twilio documents no code (docs/compatibility.md)
DUPLICATE_LABEL = 16025


def heard(account: TestAccount, call_sid: str) -> Tones:
    """Which tones each frame the call's phone heard (the leg's outbound) holds."""
    return Tones.of(tracks(account.http, call_sid)[1], ALL_TONES)


def others(own_hz: float) -> list[float]:
    return [hz for hz in PHONE_TONES if hz != own_hz]


def assert_hears_the_others_only(tones: Tones, own_hz: float) -> None:
    """Each phone hears the other two together for a while, and never itself."""
    assert tones.never(own_hz), f"it heard itself at {tones.loudest_dbfs(own_hz):.1f} dBFS"
    assert longest_run(tones.frames(present=others(own_hz))) >= HEARD_FRAMES


# --- <Dial><Conference>: hearing, mute, hold, kicks and the conference status callbacks -----------


def test_three_phones_hear_each_other_but_not_themselves_through_mute_hold_and_kicks(
    account: TestAccount, webapp: WebApp
) -> None:
    events = webapp.respond(EVENTS, b"")
    hold_url = tone_url(webapp, HOLD_HZ)
    room = unique_name("room")
    subscribed = f"statusCallback='{events}' statusCallbackEvent='start end join leave mute hold'"
    phones = [tone_phone(account, webapp, hz) for hz in PHONE_TONES]
    conference_sid, calls = join_all(account, room, phones, conference_twiml(room, f"{QUIET} {subscribed}"))
    client = account.client
    conference = conference_in(client, conference_sid, "in-progress")
    assert conference.friendly_name == room
    participants = client.conferences(conference_sid).participants
    wait_media_s(account.owner, TOGETHER_S)

    mute = bracketed(account, lambda: participants(calls[0]).update(muted=True))
    assert [p.call_sid for p in participants.list(muted=True)] == [calls[0]]
    wait_media_s(account.owner, CHANGE_S)
    unmute = bracketed(account, lambda: participants(calls[0]).update(muted=False))
    wait_media_s(account.owner, 1)
    hold = bracketed(account, lambda: participants(calls[1]).update(hold=True, hold_url=hold_url))
    assert [p.call_sid for p in participants.list(hold=True)] == [calls[1]]
    wait_media_s(account.owner, CHANGE_S)
    unhold = bracketed(account, lambda: participants(calls[1]).update(hold=False))
    assert participants(calls[1]).fetch().hold is False
    wait_media_s(account.owner, 1)

    # Kicked one by one, the muted one last: the last kick ends the conference.
    for sid in reversed(calls):
        participants(sid).delete()
    ended = conference_in(client, conference_sid, "completed")
    assert (ended.reason_conference_ended, ended.call_sid_ending_conference) == (
        "last-participant-kicked",
        calls[0],
    )
    settle_calls(client, calls)

    tones = [heard(account, sid) for sid in calls]
    for listener, own_hz in zip(tones, PHONE_TONES, strict=True):
        assert_hears_the_others_only(listener, own_hz)
    # The mute: the other two lose the first phone's tone for its span, and keep each other.
    for listener, still_hz in ((tones[1], P3_HZ), (tones[2], P2_HZ)):
        run = the_run(listener.frames(present=[still_hz], absent=[P1_HZ]), TRANSITION_FRAMES)
        assert_run_within(run, frames_between(mute, unmute))
    # The hold: the held phone hears the hold tone and nobody; nobody hears it or the hold tone.
    held = tones[1]
    hold_span = frames_between(hold, unhold)
    run = the_run(held.frames(present=[HOLD_HZ], absent=[P1_HZ, P3_HZ]), TRANSITION_FRAMES)
    assert run[1] - run[0] <= hold_span[1], (run, hold_span)
    assert not held.frames(present=[HOLD_HZ, P1_HZ]).any()
    assert not held.frames(present=[HOLD_HZ, P3_HZ]).any()
    # HoldMethod defaults to GET (OpenAPI UpdateParticipant); the fetch is signed like any other.
    fetches = webapp.hits(hold_url.removeprefix(webapp.base_url))
    assert [(hit.method, hit.param("CallSid")) for hit in fetches] == [("GET", calls[1])]
    signed_params(webapp, fetches, account.auth_token)
    for listener, still_hz in ((tones[0], P3_HZ), (tones[2], P1_HZ)):
        assert listener.never(HOLD_HZ)
        run = the_run(listener.frames(present=[still_hz], absent=[P2_HZ]), TRANSITION_FRAMES)
        assert_run_within(run, hold_span)

    webapp.wait_for(EVENTS, lambda hit: hit.param("StatusCallbackEvent") == "conference-end")
    assert_conference_events(webapp, account, conference_sid, room, calls)


def assert_conference_events(
    webapp: WebApp, account: TestAccount, conference_sid: str, room: str, calls: list[str]
) -> None:
    """Every subscribed event once, signed, in SequenceNumber order (twilio.com/docs/voice/twiml/conference;
    compatibility.md)."""
    params = signed_params(webapp, webapp.hits(EVENTS), account.auth_token)
    assert [p["SequenceNumber"] for p in params] == [str(n) for n in range(1, len(params) + 1)]
    assert [p["StatusCallbackEvent"] for p in params] == [
        "participant-join",
        "participant-join",
        "conference-start",
        "participant-join",
        "participant-mute",
        "participant-unmute",
        "participant-hold",
        "participant-unhold",
        "participant-leave",
        "participant-leave",
        "participant-leave",
        "conference-end",
    ]
    for p in params:
        assert (p["AccountSid"], p["ConferenceSid"], p["FriendlyName"]) == (account.sid, conference_sid, room)
    by_event: dict[str, list[dict[str, str]]] = {}
    for p in params:
        by_event.setdefault(p["StatusCallbackEvent"], []).append(p)
    assert [p["CallSid"] for p in by_event["participant-join"]] == calls
    leaves = by_event["participant-leave"]
    assert [p["CallSid"] for p in leaves] == list(reversed(calls))
    assert {p["ReasonParticipantLeft"] for p in leaves} == {"participant_was_kicked"}
    [mute], [unmute] = by_event["participant-mute"], by_event["participant-unmute"]
    assert (mute["CallSid"], mute["Muted"], unmute["CallSid"], unmute["Muted"]) == (
        calls[0],
        "true",
        calls[0],
        "false",
    )
    [hold], [unhold] = by_event["participant-hold"], by_event["participant-unhold"]
    assert (hold["CallSid"], hold["Hold"], unhold["CallSid"], unhold["Hold"]) == (
        calls[1],
        "true",
        calls[1],
        "false",
    )
    [end] = by_event["conference-end"]
    assert (end["ReasonConferenceEnded"], end["CallSidEndingConference"]) == (
        "last-participant-kicked",
        calls[0],
    )
    assert "CallSid" not in by_event["conference-start"][0]


# --- the Participants API ----------------------------------------------------------------------------


def test_participants_created_through_the_api_hear_each_other_and_are_found_by_call_sid_or_label(
    account: TestAccount, webapp: WebApp
) -> None:
    client = account.client
    room = unique_name("room")
    participants = client.conferences(room).participants
    created = [
        participants.create(
            from_=CALLER,
            to=tone_phone(account, webapp, hz),
            label=f"p{index}",
            beep="false",
            wait_url="",
            end_conference_on_exit=index == 1,
        )
        for index, hz in enumerate(PHONE_TONES, start=1)
    ]
    assert [p.status for p in created] == ["queued"] * 3
    assert [p.label for p in created] == ["p1", "p2", "p3"]
    conference_sid = created[0].conference_sid
    assert {p.conference_sid for p in created} == {conference_sid}
    calls = [p.call_sid for p in created]
    assert {p.call_sid for p in connected(client, conference_sid, 3)} == set(calls)

    conference = conference_in(client, conference_sid, "in-progress")
    assert (conference.friendly_name, conference.reason_conference_ended) == (room, None)
    [listed] = client.conferences.list(friendly_name=room, status="in-progress")
    assert listed.sid == conference_sid
    in_room = client.conferences(conference_sid).participants
    by_sid, by_label = in_room(calls[1]).fetch(), in_room("p2").fetch()
    for found in (by_sid, by_label):
        assert (found.call_sid, found.label, found.conference_sid, found.status) == (
            calls[1],
            "p2",
            conference_sid,
            "connected",
        )
        assert (found.muted, found.hold, found.end_conference_on_exit) == (False, False, False)
    assert in_room("p1").fetch().end_conference_on_exit is True
    wait_media_s(account.owner, TOGETHER_S)

    # Kicking the participant with endConferenceOnExit (named by its label) ends the conference;
    # the calls placed by Participants create end with it.
    in_room("p1").delete()
    ended = conference_in(client, conference_sid, "completed")
    assert (ended.reason_conference_ended, ended.call_sid_ending_conference) == (
        "participant-with-end-conference-on-exit-kicked",
        calls[0],
    )
    settle_calls(client, calls)
    error = rest_error(lambda: in_room(calls[1]).fetch())
    assert (error.status, error.code) == (404, 20404)
    assert in_room.list() == []
    for sid, own_hz in zip(calls, PHONE_TONES, strict=True):
        assert_hears_the_others_only(heard(account, sid), own_hz)


# --- how a conference ends, and what the calls do after --------------------------------------------


def test_a_participant_with_end_conference_on_exit_hanging_up_ends_it_and_the_others_go_on(
    account: TestAccount, webapp: WebApp
) -> None:
    client = account.client
    room = unique_name("room")
    after = f"<Play>{tone_url(webapp, AFTER_HZ)}</Play>"
    stayers = [tone_phone(account, webapp, hz) for hz in (P1_HZ, P2_HZ)]
    conference_sid, calls = join_all(account, room, stayers, conference_twiml(room, after=after))
    # The moderator's phone plays its tone for 5 s and hangs up.
    moderator_phone = tone_phone(account, webapp, P3_HZ, hang_up_after_s=5)
    moderator = dial_in(
        account, moderator_phone, conference_twiml(room, f"{QUIET} endConferenceOnExit='true'")
    )

    ended = conference_in(client, conference_sid, "completed")
    assert (ended.reason_conference_ended, ended.call_sid_ending_conference) == (
        "participant-with-end-conference-on-exit-left",
        moderator,
    )
    settle_calls(client, [moderator, *calls])
    for sid in calls:
        tones = heard(account, sid)
        in_conference = np.flatnonzero(tones.frames(present=[P3_HZ]))
        afterwards = np.flatnonzero(tones.frames(present=[AFTER_HZ], absent=PHONE_TONES))
        assert len(in_conference) >= HEARD_FRAMES
        # The <Play> after <Dial> ran once the conference had ended: all of its second.
        assert len(afterwards) >= int(0.9 * FRAMES_PER_S)
        assert in_conference[-1] < afterwards[0]


def test_participants_that_do_not_start_the_conference_hear_the_wait_url_until_one_that_does_joins(
    account: TestAccount, webapp: WebApp
) -> None:
    client = account.client
    room = unique_name("room")
    wait_url = tone_url(webapp, WAIT_HZ)
    waiting = f"beep='false' startConferenceOnEnter='false' waitUrl='{wait_url}'"
    phones = [tone_phone(account, webapp, hz) for hz in (P1_HZ, P2_HZ)]
    conference_sid, calls = join_all(account, room, phones, conference_twiml(room, waiting))
    wait_media_s(account.owner, TOGETHER_S)
    assert client.conferences(conference_sid).fetch().status == "init"

    starter = dial_in(account, tone_phone(account, webapp, P3_HZ), conference_twiml(room))
    conference_in(client, conference_sid, "in-progress")
    connected(client, conference_sid, 3)
    wait_media_s(account.owner, TOGETHER_S)
    client.conferences(conference_sid).update(status="completed")
    ended = conference_in(client, conference_sid, "completed")
    assert (ended.reason_conference_ended, ended.call_sid_ending_conference) == (
        "conference-ended-via-api",
        None,
    )
    settle_calls(client, [*calls, starter])

    # The wait URL was fetched (waitMethod defaults to POST) like any request about the call.
    fetches = webapp.hits(wait_url.removeprefix(webapp.base_url))
    assert fetches
    assert {hit.method for hit in fetches} == {"POST"}
    assert {hit.param("CallSid") for hit in fetches} <= set(calls)
    signed_params(webapp, fetches, account.auth_token)
    for sid, own_hz in zip(calls, (P1_HZ, P2_HZ), strict=True):
        tones = heard(account, sid)
        other_hz = P2_HZ if own_hz == P1_HZ else P1_HZ
        # Waiting: the wait tone and nobody; then the room and no wait tone.
        waited = tones.frames(present=[WAIT_HZ], absent=[other_hz, P3_HZ])
        in_room = tones.frames(present=[other_hz, P3_HZ], absent=[WAIT_HZ])
        assert longest_run(waited) >= HEARD_FRAMES
        assert longest_run(in_room) >= HEARD_FRAMES
        assert np.flatnonzero(tones.frames(present=[WAIT_HZ]))[-1] < np.flatnonzero(in_room)[0]
        assert tones.never(own_hz)
    assert heard(account, starter).never(WAIT_HZ)


def test_announcements_reach_everyone_or_one_participant_and_speakers_are_reported(
    account: TestAccount, webapp: WebApp
) -> None:
    """The conference's ``AnnounceUrl`` (audio) is heard by everyone, a participant's (TwiML with
    ``<Play>``) by that participant only; each ends with ``announcement-end``. Every phone talks
    (its tone), so each gets ``participant-speech-start``."""
    events = webapp.respond(EVENTS, b"")
    room = unique_name("room")
    subscribed = f"statusCallback='{events}' statusCallbackEvent='speaker announcement'"
    phones = [tone_phone(account, webapp, hz) for hz in (P1_HZ, P2_HZ)]
    conference_sid, calls = join_all(account, room, phones, conference_twiml(room, f"{QUIET} {subscribed}"))
    client = account.client
    conference_in(client, conference_sid, "in-progress")
    wait_media_s(account.owner, 1)

    client.conferences(conference_sid).update(announce_url=tone_url(webapp, ANNOUNCE_HZ, 1.0))
    whisper = webapp.twiml(
        "/whisper", f"<Response><Play>{tone_url(webapp, WHISPER_HZ, 1.0)}</Play></Response>"
    )
    client.conferences(conference_sid).participants(calls[0]).update(announce_url=whisper)
    wait_media_s(account.owner, 2.5)
    client.conferences(conference_sid).update(status="completed")
    conference_in(client, conference_sid, "completed")
    settle_calls(client, calls)

    first, second = (Tones.of(tracks(account.http, sid)[1], (ANNOUNCE_HZ, WHISPER_HZ)) for sid in calls)
    assert longest_run(first.frames(present=[ANNOUNCE_HZ])) >= FRAMES_PER_S // 2
    assert longest_run(second.frames(present=[ANNOUNCE_HZ])) >= FRAMES_PER_S // 2
    assert longest_run(first.frames(present=[WHISPER_HZ])) >= FRAMES_PER_S // 2
    assert second.never(WHISPER_HZ)

    params = signed_params(webapp, webapp.hits(EVENTS), account.auth_token)
    by_event: dict[str, list[dict[str, str]]] = {}
    for param in params:
        assert param["ConferenceSid"] == conference_sid
        by_event.setdefault(param["StatusCallbackEvent"], []).append(param)
    assert {param["CallSid"] for param in by_event["participant-speech-start"]} == set(calls)
    assert len(by_event["announcement-end"]) == 2
    assert set(by_event) <= {"participant-speech-start", "participant-speech-stop", "announcement-end"}


# --- refused and skipped --------------------------------------------------------------------------


def test_another_accounts_conference_is_not_found_and_a_taken_label_is_refused(
    account: TestAccount, other_account: TestAccount
) -> None:
    client = account.client
    room = unique_name("room")
    ringing = silent_phone(account, answer_after_s=600)
    first = client.conferences(room).participants.create(from_=CALLER, to=ringing, label="alice")
    conference_sid = first.conference_sid
    assert client.conferences(conference_sid).fetch().status == "init"

    foreign = other_account.client.conferences(conference_sid)
    for attempt in (
        foreign.fetch,
        lambda: foreign.update(status="completed"),
        lambda: foreign.participants(first.call_sid).fetch(),
        lambda: foreign.participants("alice").fetch(),
        lambda: foreign.participants("alice").update(muted=True),
        lambda: foreign.participants(first.call_sid).delete(),
        lambda: foreign.participants.create(from_=CALLER, to=ringing),
        lambda: foreign.recordings("Twilio.CURRENT").update(status="paused"),
    ):
        error = rest_error(attempt)
        assert (error.status, error.code) == (404, 20404)
    assert list_error(foreign.participants.list) == (404, 20404)
    assert list_error(foreign.recordings.list) == (404, 20404)
    assert other_account.client.calls.list() == []
    assert other_account.client.conferences.list() == []

    # A Label already in the conference: 400 16025, whether the conference is named by SID or name.
    taken = {"from_": CALLER, "to": silent_phone(account), "label": "alice"}
    for conference in (conference_sid, room):
        error = rest_error(partial(client.conferences(conference).participants.create, **taken))
        assert (error.status, error.code) == (400, DUPLICATE_LABEL)
    assert [call.sid for call in client.calls.list()] == [first.call_sid]
    assert client.conferences(conference_sid).participants("alice").fetch().status == "queued"

    # Kicking a participant still ringing cancels its call; nobody is left, so the conference ends.
    client.conferences(conference_sid).participants("alice").delete()
    settle_calls(client, [first.call_sid], "canceled")
    assert conference_in(client, conference_sid, "completed").sid == conference_sid


def test_a_caller_over_max_participants_or_with_a_taken_label_skips_the_conference(
    account: TestAccount, webapp: WebApp
) -> None:
    client = account.client
    room = unique_name("room")
    after = f"<Play>{tone_url(webapp, AFTER_HZ)}</Play>"
    members = []
    for label, hz in (("alice", P1_HZ), ("bob", P2_HZ)):
        twiml = conference_twiml(room, f"{QUIET} maxParticipants='2' participantLabel='{label}'", after)
        members.append(dial_in(account, tone_phone(account, webapp, hz), twiml))
        conference_sid = conference_named(client, room).sid
        connected(client, conference_sid, len(members))

    over = dial_in(
        account,
        tone_phone(account, webapp, P3_HZ),
        conference_twiml(room, f"{QUIET} maxParticipants='2'", after),
    )
    taken = dial_in(
        account,
        tone_phone(account, webapp, P3_HZ),
        conference_twiml(room, f"{QUIET} participantLabel='alice'", after),
    )
    # Each skips the conference with a warning, and its TwiML goes on with the <Play> after <Dial>.
    settle_calls(client, [over, taken])
    assert {p.call_sid for p in connected(client, conference_sid, 2)} == set(members)
    for sid, code in ((over, CONFERENCE_FULL), (taken, DUPLICATE_LABEL)):
        assert [(n.error_code, n.log) for n in call_notifications(client, sid)] == [(code, WARNING)]
        tones = heard(account, sid)
        assert longest_run(tones.frames(present=[AFTER_HZ])) >= int(0.9 * FRAMES_PER_S)
        assert tones.never(P1_HZ)
        assert tones.never(P2_HZ)

    client.conferences(conference_sid).update(status="completed")
    settle_calls(client, members)


def test_a_participant_still_ringing_when_the_conference_ends_joins_no_other_conference(
    account: TestAccount,
) -> None:
    """The conference a Participants create dials into ends before the call is answered: the call
    must not, once answered, start a new conference of the same name (compatibility.md, "End")."""
    client = account.client
    room = unique_name("room")
    late = silent_phone(account, answer_after_s=2)
    created = client.conferences(room).participants.create(from_=CALLER, to=late)
    client.conferences(created.conference_sid).update(status="completed")
    assert conference_in(client, created.conference_sid, "completed").reason_conference_ended == (
        "conference-ended-via-api"
    )

    def over() -> str | None:
        status: str = client.calls(created.call_sid).fetch().status
        return status if status not in ("queued", "ringing", "in-progress") else None

    wait_until(over, f"call {created.call_sid} to end with its conference", timeout_s=5)
    assert [c.sid for c in client.conferences.list(friendly_name=room)] == [created.conference_sid]
