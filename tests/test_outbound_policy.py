"""The audit's server-side request forgery reproducers, against a real server.

A server for untrusted tenants runs with the strict profile (docs/security.md) and allow-lists its
own app (127.0.0.1 here); an internal service (127.0.0.2 here) holds a "credentials" document.
Whatever a tenant hands the server — a TwiML ``Url``, a redirect, a ``<Play>`` or ``<Redirect>``
URL, a status callback — nothing reaches the internal service, the call goes on as it would with an
unreachable URL (11205, the fallback tried), and the Notification says the policy refused it.

On the default (laptop) profile, what a failed fetch stores is bounded and carries no password.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from twilio.rest import Client

from phonograph.testing.kit import wait_for_call
from phonograph.testing.server import ServerProcess
from phonograph.testing.webapp import WebApp
from phonograph.webhooks import STRICT_DENY
from tests.conftest import TEST_SPEED, TestAccount, _subaccount
from tests.support.callflow import place
from tests.support.notifications import call_notifications

SECRET = b'{"aws_secret_access_key": "internal-only"}'
FALLBACK_TWIML = "<Response><Say>Backup.</Say></Response>"


@pytest.fixture(scope="module")
def strict_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    env = {
        "PHONOGRAPH_SPEED": str(TEST_SPEED),
        "PHONOGRAPH_OUTBOUND_DENY": STRICT_DENY,
        "PHONOGRAPH_OUTBOUND_ALLOW": "127.0.0.1/32",
    }
    process = ServerProcess(tmp_path_factory.mktemp("strict-server"), env).start()
    yield process
    process.stop()


@pytest.fixture
def tenant(strict_server: ServerProcess) -> Iterator[TestAccount]:
    with _subaccount(strict_server, "tenant") as made:
        yield made


@pytest.fixture
def internal() -> Iterator[WebApp]:
    with WebApp(host="127.0.0.2") as app:
        app.respond("/creds.json", SECRET, content_type="application/json")
        yield app


def _spellings(internal: WebApp) -> list[str]:
    port = internal.base_url.rsplit(":", 1)[1]
    return [
        f"http://{host}:{port}/creds.json"
        for host in ("127.0.0.2", "2130706434", "0x7f000002", "127.2", "[::ffff:127.0.0.2]")
    ]


def test_every_spelling_of_an_internal_url_is_refused_and_the_fallback_runs(
    tenant: TestAccount, webapp: WebApp, internal: WebApp
) -> None:
    fallback = webapp.twiml("/fallback", FALLBACK_TWIML)
    for url in _spellings(internal):
        sid = place(tenant, url=url, fallback_url=fallback)
        assert wait_for_call(tenant.client, sid).status == "completed"
        [notice] = call_notifications(tenant.client, sid)
        assert notice.error_code == 11205
        assert "outbound policy refused" in notice.message_text
        detail = tenant.client.notifications(_notification_sid(tenant.client, sid)).fetch()
        assert "internal-only" not in (detail.response_body or "")
    assert len(webapp.hits("/fallback")) == len(_spellings(internal))
    assert internal.hits() == []


def test_a_redirect_into_the_internal_network_is_refused(
    tenant: TestAccount, webapp: WebApp, internal: WebApp
) -> None:
    target = _spellings(internal)[0]
    webapp.respond("/voice", b"", status=302, headers={"Location": target})
    sid = place(tenant, url=webapp.url("/voice"), fallback_url=webapp.twiml("/fallback", FALLBACK_TWIML))
    webapp.wait_for("/fallback")
    [notice] = call_notifications(tenant.client, sid)
    assert (notice.error_code, notice.request_url) == (11205, target)
    assert internal.hits() == []


def test_play_redirect_and_status_callbacks_into_the_internal_network_send_nothing(
    tenant: TestAccount, webapp: WebApp, internal: WebApp
) -> None:
    target = _spellings(internal)[0]
    twiml = f"<Response><Play>{target}</Play><Say>Still here.</Say></Response>"
    sid = str(
        tenant.client.calls.create(
            to="+15550100001",
            from_="+15550100002",
            twiml=twiml,
            status_callback=target,
            status_callback_event=["initiated", "ringing", "answered", "completed"],
        ).sid
    )
    assert wait_for_call(tenant.client, sid).status == "completed"
    redirected = tenant.client.calls.create(
        to="+15550100003", from_="+15550100002", twiml=f"<Response><Redirect>{target}</Redirect></Response>"
    )
    assert wait_for_call(tenant.client, redirected.sid).status == "completed"
    assert 11205 in [notice.error_code for notice in call_notifications(tenant.client, redirected.sid)]
    play_notices = call_notifications(tenant.client, sid)
    assert any(n.error_code == 11205 and "outbound policy" in n.message_text for n in play_notices)
    assert internal.hits() == []


def _notification_sid(client: Client, call_sid: str) -> str:
    [item] = client.calls(call_sid).notifications.list()
    return str(item.sid)


def test_a_failed_fetch_stores_a_bounded_body_and_no_password(account: TestAccount, webapp: WebApp) -> None:
    page = webapp.respond("/huge", b"secret line\n" * 1_000, content_type="text/plain")
    with_password = page.replace("http://", "http://user:hunter2@")
    sid = place(account, url=with_password)
    assert wait_for_call(account.client, sid).status == "completed"
    detail = account.client.notifications(_notification_sid(account.client, sid)).fetch()
    assert detail.error_code == "12300"
    assert 0 < len(detail.response_body) <= 4096
    assert "hunter2" not in detail.request_url
    assert "user:***@" in detail.request_url
    [hit] = webapp.hits("/huge")
    assert hit.headers["Authorization"].startswith("Basic ")  # the URL still works as the app gave it


def test_a_twiml_answer_over_64_kb_is_11750_and_the_fallback_runs(
    account: TestAccount, webapp: WebApp
) -> None:
    big = "<Response>" + "<Pause length='1'/>" * 4000 + "</Response>"
    sid = place(
        account, url=webapp.twiml("/voice", big), fallback_url=webapp.twiml("/fallback", FALLBACK_TWIML)
    )
    [hit] = webapp.wait_for("/fallback")
    assert hit.param("ErrorCode") == "11750"
    assert wait_for_call(account.client, sid).status == "completed"
