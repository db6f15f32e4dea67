"""What a test of a Twilio app needs from a running phonograph: a configured SDK client, virtual
phones, waiting for a call or a recording to reach a status, and a recording's audio.

Everything here talks to the server over HTTP, as the app under test does; nothing imports the
server's own code. The pytest fixtures in :mod:`phonograph.testing.plugin` hand out a
:class:`Phonograph`; the functions also work on their own.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from phonograph.testing.audio import Audio
from phonograph.testing.server import ServerProcess

CALL_ENDED = ("completed", "busy", "failed", "no-answer", "canceled")
"""A call's final statuses (https://www.twilio.com/docs/voice/api/call-resource#call-status-values)."""
RECORDING_ENDED = ("completed", "absent", "failed")
"""A recording's final statuses (https://www.twilio.com/docs/voice/api/recording#recording-status-values)."""
WAIT_S = 30.0
HTTP_TIMEOUT_S = 10.0
POLL_S = 0.05
PHONES_PATH = "/phonograph/v1/Phones"


def twilio_client(
    base_url: str,
    username: str,
    password: str,
    account_sid: str | None = None,
    http_client: TwilioHttpClient | None = None,
) -> Client:
    """The official SDK's client pointed at ``base_url``: both the ``api`` (2010) and ``voice``
    (v1, v2, v3) domains, as the README's "Point the twilio SDK at phonograph" shows."""
    client = Client(username, password, account_sid, http_client=http_client)
    client.api.base_url = base_url
    client.voice.base_url = base_url
    return client


def fresh_number() -> str:
    """A random +1 number outside the 555 exchange (which ``AreaCode`` purchases allocate from).

    The server routes a call by its ``To`` number across all accounts, so tests that run at the
    same time on one server draw numbers rather than share a literal.
    """
    exchange = random.choice([n for n in range(200, 1000) if n != 555])
    return f"+1{random.randint(200, 999)}{exchange}{random.randint(0, 9999):04d}"


def add_phone(http: httpx.Client, number: str, twiml: str | None = None, **fields: Any) -> dict[str, Any]:
    """Create a virtual phone (``POST /phonograph/v1/Phones``); ``fields`` such as
    ``answer_after_s=0`` or ``answer="busy"``. The created phone's JSON."""
    response = http.post(PHONES_PATH, json={"phone_number": number, "twiml": twiml, **fields})
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def _poll(fetch: Callable[[], Any], what: str, statuses: tuple[str, ...], timeout_s: float) -> Any:
    """``fetch()`` once its ``status`` is one of ``statuses`` (polling the API, where the state lives)."""
    deadline = time.monotonic() + timeout_s
    while True:
        resource = fetch()
        if resource.status in statuses:
            return resource
        assert time.monotonic() < deadline, f"{what} still {resource.status}, wanted {statuses}"
        time.sleep(POLL_S)


def wait_for_call(
    client: Client, sid: str, statuses: tuple[str, ...] = CALL_ENDED, timeout_s: float = WAIT_S
) -> Any:
    """The call once its status is one of ``statuses``."""
    return _poll(client.calls(sid).fetch, f"call {sid}", statuses, timeout_s)


def wait_for_recording(
    client: Client, sid: str, statuses: tuple[str, ...] = RECORDING_ENDED, timeout_s: float = WAIT_S
) -> Any:
    """The recording once its status is one of ``statuses``."""
    return _poll(client.recordings(sid).fetch, f"recording {sid}", statuses, timeout_s)


def recording_audio(http: httpx.Client, account_sid: str, sid: str) -> Audio:
    """A completed recording's WAV media, decoded (fetched with the account's HTTP auth)."""
    response = http.get(f"/2010-04-01/Accounts/{account_sid}/Recordings/{sid}.wav")
    assert response.status_code == 200, f"recording {sid} media: {response.status_code} {response.text[:200]}"
    assert response.headers["Content-Type"].startswith("audio/"), response.headers["Content-Type"]
    return Audio.from_wav(response.content)


@dataclass(frozen=True)
class Phonograph:
    """One account on a running phonograph: its credentials, an SDK client, a raw HTTP client."""

    base_url: str
    account_sid: str
    auth_token: str
    client: Client
    http: httpx.Client

    def phone(self, twiml: str | None = None, *, number: str | None = None, **fields: Any) -> str:
        """A virtual phone that answers at once (``answer_after_s=0`` unless given) and runs
        ``twiml`` when it does (silence otherwise); its number, fresh unless given."""
        number = number or fresh_number()
        add_phone(self.http, number, twiml, **{"answer_after_s": 0, **fields})
        return number

    def wait_for_call(self, sid: str, *statuses: str, timeout_s: float = WAIT_S) -> Any:
        """The call once its status is one of ``statuses`` (any final status if none given)."""
        return wait_for_call(self.client, sid, statuses or CALL_ENDED, timeout_s)

    def wait_for_recording(self, sid: str, *statuses: str, timeout_s: float = WAIT_S) -> Any:
        """The recording once its status is one of ``statuses`` (any final status if none given)."""
        return wait_for_recording(self.client, sid, statuses or RECORDING_ENDED, timeout_s)

    def recording_audio(self, sid: str) -> Audio:
        """The recording's audio, once it has completed (waits for that first)."""
        recording = self.wait_for_recording(sid)
        assert recording.status == "completed", f"recording {sid} ended {recording.status}"
        return recording_audio(self.http, self.account_sid, sid)


@contextmanager
def subaccount(
    server: ServerProcess, friendly_name: str = "test", http_client: TwilioHttpClient | None = None
) -> Iterator[Phonograph]:
    """A new subaccount of the server's main account, so that tests sharing a server never see
    each other's calls, recordings or phones. ``http_client``: the SDK's transport (to hook it)."""
    main = server.credentials
    owner_auth = (main.account_sid, main.auth_token)
    with httpx.Client(base_url=server.base_url, auth=owner_auth, timeout=HTTP_TIMEOUT_S) as owner:
        response = owner.post("/2010-04-01/Accounts.json", data={"FriendlyName": friendly_name})
    assert response.status_code == 201, response.text
    sid, token = response.json()["sid"], response.json()["auth_token"]
    with httpx.Client(base_url=server.base_url, auth=(sid, token), timeout=HTTP_TIMEOUT_S) as http:
        client = twilio_client(server.base_url, sid, token, http_client=http_client)
        yield Phonograph(server.base_url, sid, token, client, http)
