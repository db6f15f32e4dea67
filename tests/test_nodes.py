"""Several ``phonograph serve`` processes on one PostgreSQL and one S3 store (SeaweedFS): a node
settles only what it owns (store/repos/nodes.py), so starting a second node leaves the first one's
live calls alone; a node killed with ``kill -9`` is taken over by another once its lease lapses,
which ends its calls and recordings with their callbacks; and a node that stalled past its lease
and was taken over exits at its next heartbeat, without writing a second final callback."""

from __future__ import annotations

import signal
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest
from twilio.rest import Client

from phonograph.calls.engine import ROUTED_LAG_FRAMES
from phonograph.core import new_secret, new_sid
from phonograph.recording.shipping import SEGMENT_INTERVAL_S, segment_key
from phonograph.testing.kit import (
    add_phone,
    fresh_number,
    recording_audio,
    twilio_client,
    wait_for_call,
    wait_for_recording,
)
from phonograph.testing.server import ServerProcess
from phonograph.testing.webapp import WebApp
from tests.conftest import transcription_env
from tests.support.callflow import CALLER
from tests.support.conferences import conference_twiml
from tests.support.postgres import PostgresServer
from tests.support.recordings import FRAMES_PER_MEDIA_S, media_frames
from tests.support.seaweedfs import SeaweedServer
from tests.test_recording_controls import (
    RATE_HZ,
    SAMPLES_PER_FRAME,
    TONE_HZ,
    assert_tone,
    frequency_share,
    tone_url,
)
from tests.test_recording_crash import KILL_SLACK_S, assert_all_tone

pytestmark = pytest.mark.postgres

LEASE_S = 3.0
"""Short, so that a takeover comes soon; long enough that a busy machine's heartbeat (every
second) does not miss it."""
WAIT_S = 60.0
STAY = "<Response><Pause length='600'/></Response>"
SPEAK_AND_STAY = "<Response><Say>Recorded on one node.</Say><Pause length='600'/></Response>"
EXIT_LEASE_LOST = 75  # app.py
KILLED_AFTER_S = 6.0
LOSS_MAX_S = SEGMENT_INTERVAL_S + ROUTED_LAG_FRAMES / FRAMES_PER_MEDIA_S + 1.0
"""A killed node loses what it had not shipped: one segment interval, the frames its recorders keep
back for routed controls while other nodes are up (calls/engine.py), plus the journal's flush
interval and one PUT."""


@dataclass
class Node:
    name: str
    process: ServerProcess
    client: Client
    http: httpx.Client


class Cluster:
    """Nodes started one by one on one database, one media store and one main account."""

    def __init__(self, root: Path, database_url: str, seaweed: SeaweedServer) -> None:
        self.root = root
        self.seaweed, self.prefix = seaweed, f"nodes-{uuid.uuid4().hex}"
        self.account_sid, self.auth_token = new_sid("AC"), new_secret()
        self.env = {
            "PHONOGRAPH_DATABASE_URL": database_url,
            "PHONOGRAPH_STORAGE_URL": seaweed.url(self.prefix),
            "PHONOGRAPH_ACCOUNT_SID": self.account_sid,
            "PHONOGRAPH_AUTH_TOKEN": self.auth_token,
            # Real time: what a kill loses is measured in media seconds.
            "PHONOGRAPH_SPEED": "1",
            "PHONOGRAPH_NODE_LEASE_S": str(LEASE_S),
            **seaweed.env(),
        }
        self.nodes: list[Node] = []

    def start(self, name: str, **env: str) -> Node:
        env = {**self.env, **env, "PHONOGRAPH_NODE_ID": name}
        process = ServerProcess(self.root / name, env).start()
        node = Node(
            name,
            process,
            twilio_client(process.base_url, self.account_sid, self.auth_token),
            httpx.Client(base_url=process.base_url, auth=(self.account_sid, self.auth_token), timeout=30),
        )
        self.nodes.append(node)
        return node

    def stored(self, key: str) -> bytes | None:
        return self.seaweed.read_object(self.prefix, key)

    def close(self) -> None:
        for node in self.nodes:
            node.http.close()
            if node.process.running:
                node.process.stop()


@pytest.fixture
def cluster(tmp_path: Path, postgres: PostgresServer, seaweedfs: SeaweedServer) -> Iterator[Cluster]:
    made = Cluster(tmp_path, postgres.create_database(f"nodes_{uuid.uuid4().hex[:12]}"), seaweedfs)
    yield made
    made.close()


def nodes(node: Node) -> dict[str, dict[str, Any]]:
    answer = node.http.get("/phonograph/v1/Nodes")
    assert answer.status_code == 200, answer.text
    return {listed["node_id"]: listed for listed in answer.json()["nodes"]}


def recorded_call(node: Node, webapp: WebApp) -> tuple[str, str]:
    """(call SID, recording SID) of a call placed through ``node`` to a phone that stays on the
    line, recorded from the start, its callbacks to the web app."""
    number = fresh_number()
    add_phone(node.http, number, SPEAK_AND_STAY, answer_after_s=0)
    made = node.client.calls.create(
        to=number,
        from_=CALLER,
        twiml=STAY,
        record=True,
        status_callback=webapp.url("/call-status"),
        recording_status_callback=webapp.url("/recording-status"),
        recording_status_callback_event=["completed", "absent"],
    )
    wait_for_call(node.client, made.sid, ("in-progress",))
    deadline = time.monotonic() + WAIT_S
    while not (recordings := node.client.calls(made.sid).recordings.list()):
        assert time.monotonic() < deadline, "no recording"
        time.sleep(0.05)
    return made.sid, str(recordings[0].sid)


def wait_until(condition: Any, what: str) -> None:
    deadline = time.monotonic() + WAIT_S
    while not condition():
        assert time.monotonic() < deadline, f"waited {WAIT_S}s for {what}"
        time.sleep(0.05)


def test_a_second_node_leaves_the_first_nodes_live_calls_alone(cluster: Cluster, webapp: WebApp) -> None:
    a = cluster.start("node-a")
    call_sid, recording_sid = recorded_call(a, webapp)
    b = cluster.start("node-b")
    # b is ready: it registered, and settled what it owned (nothing) before it answered /healthz.
    assert b.client.calls(call_sid).fetch().status == "in-progress"
    assert b.client.recordings(recording_sid).fetch().status == "in-progress"
    for node in (a, b):
        health = node.http.get("/healthz")
        assert (health.status_code, health.json()) == (
            200,
            {"status": "ok", "node_id": node.name, "holds_lease": True},
        )
    listed = nodes(b)
    assert set(listed) == {"node-a", "node-b"}
    assert all(node["holds_lease"] and node["taken_over_by"] is None for node in listed.values())
    wait_until(lambda: nodes(b)["node-a"]["live_calls"] >= 1, "node-a to report its call")
    # The owner ends its call as usual: completed once, with its recording.
    a.client.calls(call_sid).update(status="completed")
    assert wait_for_call(b.client, call_sid).status == "completed"
    assert wait_for_recording(b.client, recording_sid).status == "completed"


def test_a_killed_node_is_taken_over_and_its_recording_finalized_from_shipped_segments(
    cluster: Cluster, webapp: WebApp
) -> None:
    a = cluster.start("node-a")
    b = cluster.start("node-b")
    number = fresh_number()
    add_phone(a.http, number, f"<Response><Play loop='0'>{tone_url(webapp, TONE_HZ)}</Play></Response>")
    call_sid = a.client.calls.create(
        to=number, from_=CALLER, twiml=STAY, status_callback=webapp.url("/call-status")
    ).sid
    wait_for_call(a.client, call_sid, ("in-progress",))
    started = media_frames(a.http)
    sid = (
        a.client.calls(call_sid)
        .recordings.create(recording_status_callback=webapp.url("/recording-status"))
        .sid
    )
    killed_at = started + int(KILLED_AFTER_S * FRAMES_PER_MEDIA_S)
    wait_until(lambda: media_frames(a.http) >= killed_at, "the recording to run")
    killed_at = media_frames(a.http)
    a.process.kill()
    # Nobody restarts a: b's heartbeat sees its lease lapse, claims its rows, and finalizes the
    # recording from the segments a shipped to the store.
    assert wait_for_call(b.client, call_sid).status == "completed"
    assert wait_for_recording(b.client, sid).status == "completed"
    [samples] = recording_audio(b.http, cluster.account_sid, sid).samples
    recorded_s, length_s = (killed_at - started) / FRAMES_PER_MEDIA_S, len(samples) / RATE_HZ
    assert recorded_s - LOSS_MAX_S <= length_s <= recorded_s + KILL_SLACK_S, (length_s, recorded_s)
    assert_all_tone(samples)
    [completed] = webapp.wait_for("/recording-status")
    assert (completed.param("RecordingSid"), completed.param("RecordingStatus")) == (sid, "completed")
    [ended] = webapp.wait_for("/call-status", lambda hit: hit.param("CallStatus") == "completed")
    assert ended.param("CallSid") == call_sid
    listed = nodes(b)
    assert listed["node-a"]["taken_over_by"] == "node-b"
    assert not listed["node-a"]["holds_lease"]
    # Finalized, its segments are gone from the store; one callback went out.
    assert cluster.stored(segment_key(sid, 0)) is None
    assert webapp.count("/recording-status") == 1


def test_a_stalled_node_that_was_taken_over_exits_without_writing_again(
    cluster: Cluster, webapp: WebApp
) -> None:
    a = cluster.start("node-a")
    b = cluster.start("node-b")
    call_sid, _recording_sid = recorded_call(a, webapp)
    a.process.send(signal.SIGSTOP)
    try:
        wait_until(lambda: nodes(b)["node-a"]["taken_over_by"] == "node-b", "b to take a over")
        assert wait_for_call(b.client, call_sid).status == "completed"
    finally:
        a.process.send(signal.SIGCONT)
    # a's next heartbeat finds its lease gone: it stops at once, before its calls end again.
    assert a.process.wait() == EXIT_LEASE_LOST
    webapp.wait_for("/call-status", lambda hit: hit.param("CallStatus") == "completed")
    assert [hit.param("CallStatus") for hit in webapp.hits("/call-status")] == ["completed"]


ROUTING_DELAY_S = 0.6
"""Held back by the bus before the owner runs a routed command (PHONOGRAPH_BUS_DELAY_MS): longer
than any request takes here, shorter than the second of frames the owner keeps (calls/engine.py)."""


def silent_frames(samples: np.ndarray) -> list[int]:
    """The indexes of the recording's all-zero frames (what a ``silence`` pause writes)."""
    frames = samples[: len(samples) // SAMPLES_PER_FRAME * SAMPLES_PER_FRAME].reshape(-1, SAMPLES_PER_FRAME)
    return [int(index) for index in np.flatnonzero(~frames.any(axis=1))]


def test_controls_through_other_nodes_cut_where_they_arrived_despite_the_routing_delay(
    cluster: Cluster, webapp: WebApp
) -> None:
    delay = {"PHONOGRAPH_BUS_DELAY_MS": str(int(ROUTING_DELAY_S * 1000))}
    a, b, c = (cluster.start(name, **delay) for name in ("node-a", "node-b", "node-c"))
    number = fresh_number()
    add_phone(a.http, number, f"<Response><Play loop='0'>{tone_url(webapp, TONE_HZ)}</Play></Response>")
    call_sid = a.client.calls.create(to=number, from_=CALLER, twiml=STAY).sid  # a owns it
    wait_for_call(c.client, call_sid, ("in-progress",))
    recordings = a.client.calls(call_sid).recordings

    def frames_around(send: Any) -> tuple[int, int, Any]:
        """a's media frame before a control is sent, the frame after its answer, and the answer."""
        before = media_frames(a.http)
        answer = send()
        return before, media_frames(a.http), answer

    start_lo, start_hi, recording = frames_around(recordings.create)
    wait_until(lambda: media_frames(a.http) >= start_hi + FRAMES_PER_MEDIA_S, "a second of recording")
    pause_lo, pause_hi, paused = frames_around(
        lambda: (
            b.client.calls(call_sid)
            .recordings(recording.sid)
            .update(status="paused", pause_behavior="silence")
        )
    )
    assert paused.status == "paused"
    wait_until(lambda: media_frames(a.http) >= pause_hi + FRAMES_PER_MEDIA_S, "a second of pause")
    resume_lo, resume_hi, resumed = frames_around(
        lambda: c.client.calls(call_sid).recordings("Twilio.CURRENT").update(status="in-progress")
    )
    assert (resumed.sid, resumed.status) == (recording.sid, "in-progress")
    wait_until(lambda: media_frames(a.http) >= resume_hi + FRAMES_PER_MEDIA_S, "a second more")
    recordings(recording.sid).update(status="stopped")
    assert wait_for_recording(c.client, recording.sid).status == "completed"

    [samples] = recording_audio(c.http, cluster.account_sid, recording.sid).samples
    silent = silent_frames(samples)
    assert silent == list(range(silent[0], silent[-1] + 1)), "one silent stretch"
    # A routed control arrived no earlier than the frame read before it was sent, and at least the
    # routing delay before the frame read after its answer; the start, local to a, arrived within
    # its own window. Cut when handled rather than on arrival, the silence would begin at least
    # ``delayed`` frames after ``pause_lo``, past the first bound.
    delayed = int(ROUTING_DELAY_S * FRAMES_PER_MEDIA_S)
    first, length = silent[0], len(silent)
    assert pause_lo - start_hi - 1 <= first <= pause_hi - delayed - start_lo + 1, (first, delayed)
    assert resume_lo - (pause_hi - delayed) - 1 <= length <= resume_hi - delayed - pause_lo + 1
    heard = np.concatenate(
        [samples[: first * SAMPLES_PER_FRAME], samples[(silent[-1] + 1) * SAMPLES_PER_FRAME :]]
    )
    assert_tone(heard, TONE_HZ)


def test_a_conference_is_controlled_through_any_node_and_its_audio_stays_on_one(
    cluster: Cluster, webapp: WebApp
) -> None:
    a, b, c = (cluster.start(name) for name in ("node-a", "node-b", "node-c"))
    low, high = fresh_number(), fresh_number()
    for number, tone_hz in ((low, TONE_HZ), (high, 2 * TONE_HZ)):
        add_phone(a.http, number, f"<Response><Play loop='0'>{tone_url(webapp, tone_hz)}</Play></Response>")
    room = f"room-{uuid.uuid4().hex}"
    a.client.calls.create(  # a holds the conference's mixer
        to=low, from_=CALLER, twiml=conference_twiml(room, "beep='false' record='record-from-start'")
    )
    # One participant: the conference waits (init) for a second.
    wait_until(lambda: b.client.conferences.list(friendly_name=room, status="init"), "the conference")
    [conference] = b.client.conferences.list(friendly_name=room, status="init")
    # Dialled through b: the call is placed by a, where the mixer is, so both are heard together.
    added = b.client.conferences(conference.sid).participants.create(from_=CALLER, to=high, beep="false")
    participants = c.client.conferences(conference.sid).participants
    # Both in: the conference starts, and with it its recording.
    wait_until(lambda: c.client.conferences(conference.sid).recordings.list(), "the conference recording")
    assert participants(added.call_sid).update(muted=True).muted is True
    through_b = b.client.conferences(conference.sid)
    assert through_b.participants(added.call_sid).update(muted=False).muted is False
    recording = c.client.conferences(conference.sid).recordings("Twilio.CURRENT").update(status="paused")
    assert recording.status == "paused"
    assert through_b.recordings(recording.sid).update(status="in-progress").status == "in-progress"
    # A call b runs cannot join a's conference (that would split it): its <Dial> ends at once
    # with a warning and its TwiML goes on.
    outsider = b.client.calls.create(
        to=low, from_=CALLER, twiml=conference_twiml(room, "beep='false'", after="<Hangup/>")
    ).sid
    assert wait_for_call(b.client, outsider).status == "completed"
    assert [n.error_code for n in b.client.calls(outsider).notifications.list()] == ["20503"]
    assert len(participants.list()) == 2
    started = media_frames(a.http)
    wait_until(lambda: media_frames(a.http) >= started + 2 * FRAMES_PER_MEDIA_S, "two seconds together")
    assert c.client.conferences(conference.sid).update(status="completed").status == "completed"
    assert wait_for_recording(b.client, recording.sid).status == "completed"
    [samples] = recording_audio(b.http, cluster.account_sid, recording.sid).samples
    assert frequency_share(samples, TONE_HZ) > 0.2
    assert frequency_share(samples, 2 * TONE_HZ) > 0.2


def test_a_stopping_node_drains_its_calls_and_still_takes_their_controls(cluster: Cluster) -> None:
    a = cluster.start("node-a", PHONOGRAPH_DRAIN_S="60")
    b = cluster.start("node-b")
    number = fresh_number()
    add_phone(a.http, number, STAY, answer_after_s=0)
    four_seconds = "<Response><Pause length='4'/><Hangup/></Response>"
    call_sid = a.client.calls.create(to=number, from_=CALLER, twiml=four_seconds, record=True).sid
    wait_for_call(a.client, call_sid, ("in-progress",))
    wait_until(lambda: b.client.calls(call_sid).recordings.list(), "the recording")
    a.process.send(signal.SIGTERM)
    wait_until(lambda: nodes(b)["node-a"]["draining"], "a to say it drains")
    # a answers no new request, but a control sent to b still reaches its call.
    paused = b.client.calls(call_sid).recordings("Twilio.CURRENT").update(status="paused")
    assert paused.status == "paused"
    assert a.process.wait() == 0
    # The call ran its TwiML to the end rather than being cut at the SIGTERM.
    ended = b.client.calls(call_sid).fetch()
    assert (ended.status, int(ended.duration)) == ("completed", 4)
    assert not nodes(b)["node-a"]["holds_lease"]


SHARED_WORK = (
    "<Response><Say>Two nodes share the work, and neither of them sends a callback twice.</Say>"
    "<Hangup/></Response>"
)
"""Long enough for <Record transcribe> (2 s at least)."""


def test_callbacks_and_transcriptions_of_two_nodes_each_go_out_once(cluster: Cluster, webapp: WebApp) -> None:
    """The outbox and the transcription queue are tables both nodes' workers claim from: every
    call's final callback and every transcription's callback goes out exactly once, whichever
    node made it and whichever delivers it."""
    webapp.respond("/transcribed", b"")
    webapp.respond("/call-status", b"")
    nodes_ = [cluster.start(name, **transcription_env()) for name in ("node-a", "node-b")]
    number = fresh_number()
    add_phone(nodes_[0].http, number, SHARED_WORK)
    record = (
        "<Response><Record playBeep='false' transcribe='true' "
        f"transcribeCallback='{webapp.url('/transcribed')}'/></Response>"
    )
    status = webapp.url("/call-status")
    calls = [
        nodes_[index % 2]
        .client.calls.create(to=number, from_=CALLER, twiml=record, status_callback=status)
        .sid
        for index in range(6)
    ]
    ended = webapp.wait_for("/call-status", count=len(calls), timeout_s=WAIT_S)
    transcribed = webapp.wait_for("/transcribed", count=len(calls), timeout_s=3 * WAIT_S)
    time.sleep(0.5)  # anything sent twice would have arrived by now
    assert sorted(str(hit.param("CallSid")) for hit in webapp.hits("/call-status")) == sorted(calls)
    assert all(hit.param("CallStatus") == "completed" for hit in ended)
    assert sorted(str(hit.param("CallSid")) for hit in webapp.hits("/transcribed")) == sorted(calls)
    assert [hit.param("TranscriptionStatus") for hit in transcribed] == ["completed"] * len(calls)
