"""A server whose media lives on S3 (``PHONOGRAPH_STORAGE_URL=s3://…``), on a real SeaweedFS:
recordings land in the bucket (read back there with an independent client), media is served from
it with ranges, deletion removes it, and an outage of the store delays a recording's completion
without losing it or answering a 500."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from twilio.rest import Client

from phonograph.testing.audio import Audio
from phonograph.testing.kit import add_phone, fresh_number, twilio_client, wait_for_call, wait_for_recording
from phonograph.testing.server import ServerProcess
from phonograph.testing.webapp import WebApp
from tests.conftest import TEST_SPEED
from tests.support.api import assert_error
from tests.support.callflow import CALLER
from tests.support.seaweedfs import SeaweedServer

SAYS = "<Response><Say>The media of this call is kept in an object store.</Say><Hangup/></Response>"
WAIT_S = 60.0


class S3Server:
    """A phonograph server with its media under a fresh prefix of ``seaweed``."""

    def __init__(self, seaweed: SeaweedServer, data_dir: Path) -> None:
        self.seaweed = seaweed
        self.prefix = f"media-{uuid.uuid4().hex}"
        env = {
            "PHONOGRAPH_SPEED": str(TEST_SPEED),
            "PHONOGRAPH_STORAGE_URL": seaweed.url(self.prefix),
            **seaweed.env(),
        }
        self.process = ServerProcess(data_dir, env).start()
        credentials = self.process.credentials
        self.account_sid = credentials.account_sid
        self.client: Client = twilio_client(
            self.process.base_url, credentials.account_sid, credentials.auth_token
        )
        self.http = httpx.Client(
            base_url=self.process.base_url, auth=(credentials.account_sid, credentials.auth_token), timeout=30
        )

    def object(self, key: str) -> bytes | None:
        """The object under the server's prefix, read with a client of our own (None: none)."""
        return self.seaweed.read_object(self.prefix, key)

    def recorded_call(self, **call: str) -> str:
        """The SID of the recording of a call to a phone that speaks, then hangs up."""
        number = fresh_number()
        add_phone(self.http, number, SAYS, answer_after_s=0)
        made = self.client.calls.create(
            to=number, from_=CALLER, twiml="<Response><Pause length='60'/></Response>", record=True, **call
        )
        wait_for_call(self.client, made.sid)
        deadline = time.monotonic() + WAIT_S
        while not (recordings := self.client.calls(made.sid).recordings.list()):
            assert time.monotonic() < deadline, "no recording"
            time.sleep(0.05)
        return str(recordings[0].sid)

    def close(self) -> None:
        self.http.close()
        self.process.stop()


@pytest.fixture
def s3_server(seaweedfs: SeaweedServer, tmp_path: Path) -> Iterator[S3Server]:
    server = S3Server(seaweedfs, tmp_path / "data")
    yield server
    server.close()


def test_recordings_are_stored_served_with_ranges_and_deleted_in_the_bucket(s3_server: S3Server) -> None:
    sid = s3_server.recorded_call()
    assert wait_for_recording(s3_server.client, sid).status == "completed"
    key = f"{s3_server.account_sid}/{sid}.wav"
    stored = s3_server.object(key)
    assert stored is not None
    assert not (s3_server.process.data_dir / "media").exists()  # nothing on the local disk

    media = f"/2010-04-01/Accounts/{s3_server.account_sid}/Recordings/{sid}"
    whole = s3_server.http.get(f"{media}.wav")
    assert whole.status_code == 200
    assert whole.content == stored
    audio = Audio.from_wav(whole.content)
    assert audio.duration_s > 1
    part = s3_server.http.get(f"{media}.wav", headers={"Range": "bytes=100-299"})
    assert (part.status_code, part.content) == (206, stored[100:300])
    tail = s3_server.http.get(f"{media}.wav", headers={"Range": "bytes=-50"})
    assert (tail.status_code, tail.content) == (206, stored[-50:])

    mp3 = s3_server.http.get(f"{media}.mp3")
    assert (mp3.status_code, mp3.headers["Content-Type"]) == (200, "audio/mpeg")
    assert s3_server.object(f"{s3_server.account_sid}/{sid}.mp3") == mp3.content

    s3_server.client.recordings(sid).delete()
    assert s3_server.object(key) is None
    assert s3_server.object(f"{s3_server.account_sid}/{sid}.mp3") is None


@pytest.fixture
def own_seaweed() -> Iterator[SeaweedServer]:
    """A SeaweedFS of this test's own, to stop and start again."""
    server = SeaweedServer().start()
    yield server
    server.remove()


def test_an_outage_of_the_store_delays_completion_and_loses_nothing(
    own_seaweed: SeaweedServer, tmp_path: Path, webapp: WebApp
) -> None:
    server = S3Server(own_seaweed, tmp_path / "data")
    try:
        stored_before = server.recorded_call()
        assert wait_for_recording(server.client, stored_before).status == "completed"
        webapp.respond("/recording", b"")

        own_seaweed.stop()
        # A media request answers 503 (20503) with Retry-After, never a 500.
        media = f"/2010-04-01/Accounts/{server.account_sid}/Recordings/{stored_before}.wav"
        down = server.http.get(media)
        assert_error(down, 503, 20503)
        assert down.headers["Retry-After"] == "1"

        sid = server.recorded_call(
            recording_status_callback=webapp.url("/recording"), recording_status_callback_event="completed"
        )
        # The server tried to store the recording and could not: it waits, not completed.
        log = server.process.log_path
        deadline = time.monotonic() + WAIT_S
        while "could not store" not in log.read_text():
            assert time.monotonic() < deadline, "the server never tried the store"
            time.sleep(0.05)
        assert server.client.recordings(sid).fetch().status == "processing"
        assert webapp.count("/recording") == 0

        own_seaweed.start()
        [completed] = webapp.wait_for("/recording", timeout_s=WAIT_S)
        assert (completed.param("RecordingSid"), completed.param("RecordingStatus")) == (sid, "completed")
        assert webapp.valid_signature(completed, server.process.credentials.auth_token)
        stored = server.object(f"{server.account_sid}/{sid}.wav")
        assert stored is not None
        assert Audio.from_wav(stored).duration_s > 1
        assert server.http.get(media).status_code == 200
    finally:
        server.close()
