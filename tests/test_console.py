"""The console's pages, server-side (no browser): login and sessions, CSRF, what an account may
see, the data each page shows, and escaping of every tenant-controlled text. The browser tests
(tests/test_console_browser.py) stay few because these cover the pages' data."""

from __future__ import annotations

import html
import json
import re
import time
from collections.abc import Iterator
from html.parser import HTMLParser

import pytest

from phonograph.testing.kit import add_phone, wait_for_call
from phonograph.testing.server import ServerProcess
from phonograph.testing.webapp import WebApp
from tests.conftest import TestAccount
from tests.support.console import CSRF, ConsoleClient
from tests.support.recordings import finished_recordings

PHONE = "+15550320001"
XSS = "<script>alert('xss')</script>"


@pytest.fixture
def console(server: ServerProcess) -> Iterator[ConsoleClient]:
    client = ConsoleClient(server.base_url)
    yield client
    client.close()


def _finished_call(account: TestAccount, webapp: WebApp) -> str:
    """A short call that reported its end to the webapp's /status."""
    add_phone(account.http, PHONE, None, answer_after_s=0)
    twiml = "<Response><Pause length='1'/></Response>"
    sid: str = account.client.calls.create(
        to=PHONE, from_="+15550329999", twiml=twiml, status_callback=webapp.url("/status")
    ).sid
    wait_for_call(account.client, sid)
    return sid


def _live_call(account: TestAccount) -> str:
    """A call that speaks to the phone until the test ends it."""
    add_phone(account.http, PHONE, None, answer_after_s=0)
    twiml = "<Response><Say loop='0'>Still here.</Say></Response>"
    sid: str = account.client.calls.create(to=PHONE, from_="+15550329999", twiml=twiml).sid
    wait_for_call(account.client, sid, ("in-progress",))
    return sid


def test_root_leads_to_the_login_form_with_labelled_fields(console: ConsoleClient) -> None:
    root = console.http.get("/")
    assert (root.status_code, root.headers["location"]) == (307, "/console")
    calls = console.http.get("/console/calls")
    assert calls.status_code == 303
    assert calls.headers["location"].startswith("/console/login")
    form = console.http.get("/console/login").text
    assert '<label for="account_sid">Account SID</label>' in form
    assert '<label for="auth_token">Auth Token</label>' in form


def test_login_sets_a_signed_http_only_cookie_and_wrong_credentials_are_refused(
    console: ConsoleClient, account: TestAccount
) -> None:
    wrong = console.login(account.sid, "not-the-token")
    assert wrong.status_code == 401
    assert "Wrong Account SID or Auth Token" in wrong.text
    answer = console.login(account.sid, account.auth_token)
    assert (answer.status_code, answer.headers["location"]) == (303, "/console/calls")
    cookie = answer.headers["set-cookie"].lower()
    assert all(flag in cookie for flag in ("httponly", "samesite=lax", "secure", "path=/console"))
    page = console.get("/console/calls")
    assert page.status_code == 200
    assert account.sid in page.text
    assert account.auth_token not in page.text
    assert account.auth_token not in answer.headers["set-cookie"]
    # A tampered cookie is no session.
    console.cookie = console.cookie[:-2] + ("AA" if not console.cookie.endswith("AA") else "BB")
    assert console.get("/console/calls").status_code == 303


def test_a_login_without_its_csrf_token_is_refused(console: ConsoleClient, account: TestAccount) -> None:
    answer = console.http.post(
        "/console/login", data={"account_sid": account.sid, "auth_token": account.auth_token}
    )
    assert answer.status_code == 403
    assert "20403" in answer.text


def test_an_api_key_logs_in_and_rotating_the_token_ends_a_session(
    console: ConsoleClient, account: TestAccount
) -> None:
    key = account.http.post(
        f"/2010-04-01/Accounts/{account.sid}/Keys.json", data={"FriendlyName": "k"}
    ).json()
    assert console.login(key["sid"], key["secret"]).status_code == 303
    assert console.get("/console/calls").status_code == 200
    account.http.delete(f"/2010-04-01/Accounts/{account.sid}/Keys/{key['sid']}.json")
    assert console.get("/console/calls").status_code == 303  # the key is gone: so is the session


def test_the_calls_list_and_a_call_page_show_what_the_api_shows_and_escape_the_apps_answers(
    console: ConsoleClient, account: TestAccount, other_account: TestAccount, webapp: WebApp
) -> None:
    webapp.respond("/status", XSS.encode(), status=200)
    sid = _finished_call(account, webapp)
    webapp.wait_for("/status")
    console.login(account.sid, account.auth_token)
    listed = console.get("/console/calls", Status="completed").text
    assert sid in listed
    assert sid not in console.get("/console/calls", Status="in-progress").text
    page = console.get(f"/console/calls/{sid}")
    assert page.status_code == 200
    assert "Callbacks sent" in page.text
    assert webapp.url("/status") in page.text
    assert XSS not in page.text
    assert "&lt;script&gt;alert(&#39;xss&#39;)&lt;/script&gt;" in page.text
    assert "script-src 'self'" in page.headers["content-security-policy"]
    # Another account's call is not found, as over the API.
    other = ConsoleClient(str(console.http.base_url))
    other.login(other_account.sid, other_account.auth_token)
    assert other.get(f"/console/calls/{sid}").status_code == 404
    other.close()


def test_a_form_without_its_csrf_token_is_refused_and_changes_nothing(
    console: ConsoleClient, account: TestAccount
) -> None:
    sid = _live_call(account)
    console.login(account.sid, account.auth_token)
    refused = console.post(f"/console/calls/{sid}", {"Status": "completed"})
    assert refused.status_code == 403
    assert account.client.calls(sid).fetch().status == "in-progress"
    token = console.csrf(f"/console/calls/{sid}")
    hung_up = console.post(f"/console/calls/{sid}", {"Status": "completed", "csrf": token})
    assert hung_up.status_code == 303
    assert wait_for_call(account.client, sid).status == "completed"


def test_a_recording_page_labels_its_channels_and_serves_peaks_and_media(
    console: ConsoleClient, account: TestAccount
) -> None:
    add_phone(account.http, PHONE, None, answer_after_s=0)
    twiml = "<Response><Play digits='1234567890' loop='4'/></Response>"
    sid = account.client.calls.create(
        to=PHONE,
        from_="+15550329999",
        twiml=twiml,
        record=True,
        recording_channels="dual",
        trim="do-not-trim",
    ).sid
    wait_for_call(account.client, sid)
    [recording] = finished_recordings(account, sid)
    console.login(account.sid, account.auth_token)
    page = console.get(f"/console/recordings/{recording.sid}").text
    assert f"Channel 1: inbound, what {PHONE} says" in page
    assert f"Channel 2: outbound, what {PHONE} hears" in page
    peaks = console.get(f"/console/recordings/{recording.sid}/peaks.json").json()
    assert len(peaks["peaks"]) == 2
    assert abs(peaks["duration"] - int(recording.duration)) <= 1
    # The outbound channel carries the DTMF; the phone said nothing.
    assert max(peaks["peaks"][1]) > 0.1
    assert max(peaks["peaks"][0]) < 0.01
    mp3 = console.get(f"/console/recordings/{recording.sid}.mp3")
    assert mp3.status_code == 200
    assert mp3.headers["content-type"] == "audio/mpeg"
    media = console.get(f"/console/recordings/{recording.sid}.wav")
    assert media.status_code == 200
    assert media.content[:4] == b"RIFF"
    listed = console.get("/console/recordings", Source="OutboundAPI", Status="completed").text
    assert recording.sid in listed
    assert recording.sid not in console.get("/console/recordings", Source="DialVerb").text
    assert console.get("/console/recordings", Status="nonsense").status_code == 400
    player = json.loads(re.search(r'data-player="([^"]+)"', page).group(1).replace("&#34;", '"'))  # type: ignore[union-attr]
    assert player["pauses"] == []
    assert player["media"].endswith(".wav")


def test_a_main_account_switches_into_its_subaccount_whose_name_is_escaped(
    console: ConsoleClient, server: ServerProcess
) -> None:
    main = server.credentials
    import httpx

    with httpx.Client(base_url=server.base_url, auth=(main.account_sid, main.auth_token)) as owner:
        made = owner.post("/2010-04-01/Accounts.json", data={"FriendlyName": XSS}).json()
    console.login(main.account_sid, main.auth_token)
    page = console.get("/console/accounts").text
    assert XSS not in page
    assert made["sid"] in page
    token = console.csrf("/console/accounts")
    switched = console.post("/console/account", {"account_sid": made["sid"], "csrf": token})
    assert switched.status_code == 303
    console.cookie = f"phonograph_console={switched.cookies['phonograph_console']}"
    assert f'value="{made["sid"]}" selected' in console.get("/console/accounts").text
    assert f'<code id="account-sid">{made["sid"]}</code>' in console.get("/console/recordings").text


def _error_code(html: str) -> int:
    match = re.search(r"Twilio code <a href=\"[^\"]+\">(\d+)</a>", html)
    assert match, html
    return int(match.group(1))


VALID_RECORDING = {
    "configurationType": "Recording",
    "compositionPolicy": {"channels": "dual", "trim": "do-not-trim", "track": "both"},
}


@pytest.mark.parametrize(
    ("body", "api_status"),
    [
        (json.dumps({"unique_name": "ok-config", "configuration": VALID_RECORDING}), 201),
        ("{not json", 400),
        (
            json.dumps(
                {
                    "unique_name": "x",
                    "configuration": {**VALID_RECORDING, "compositionPolicy": {"channels": "stereo"}},
                }
            ),
            400,
        ),
        (json.dumps({"unique_name": "x", "configuration": VALID_RECORDING, "extra": 1}), 400),
    ],
)
def test_a_configuration_form_is_checked_as_the_api_checks_it(
    console: ConsoleClient, account: TestAccount, other_account: TestAccount, body: str, api_status: int
) -> None:
    """The same body, through the console and through the API, gets the same answer."""
    api = other_account.http.post(
        "/v2/Configurations/Recording", content=body, headers={"Content-Type": "application/json"}
    )
    assert api.status_code == api_status, api.text
    console.login(account.sid, account.auth_token)
    token = console.csrf("/console/configurations/Recording")
    answer = console.post("/console/configurations/Recording", {"csrf": token, "body": body})
    if api_status == 201:
        assert answer.status_code == 303
        page = console.get("/console/configurations/Recording").text
        [made] = account.http.get("/phonograph/v1/Configurations/Recording").json()["configurations"]
        assert made["unique_name"] == "ok-config"
        assert made["id"] in page
        made_default = console.post(
            f"/console/configurations/Recording/{made['id']}",
            {"csrf": token, "action": "default", "body": ""},
        )
        assert made_default.status_code == 303
        assert account.http.get("/phonograph/v1/Configurations/Recording").json()["default_id"] == made["id"]
    else:
        assert answer.status_code == api.status_code
        assert _error_code(answer.text) == api.json()["code"]


def test_settings_change_media_settings_phones_and_numbers_through_the_api_rules(
    console: ConsoleClient, account: TestAccount
) -> None:
    console.login(account.sid, account.auth_token)
    token = console.csrf("/console/settings")
    on = {"csrf": token, "enforce_media_auth": "on"}
    # A subaccount may not lift or set the HIPAA mode its owner rules (403, as over the API).
    assert console.post("/console/settings/media", {**on, "hipaa": "on"}).status_code == 403
    assert console.post("/console/settings/media", {**on, "durable_callbacks": "on"}).status_code == 303
    settings = account.http.get(f"/phonograph/v1/Accounts/{account.sid}/MediaSettings").json()
    assert (settings["durable_callbacks"], settings["hipaa"], settings["enforce_media_auth"]) == (
        True,
        False,
        True,
    )
    made = console.post("/console/settings/phones", {"csrf": token, "phone_number": PHONE, "answer": "busy"})
    assert made.status_code == 303
    assert account.http.get(f"/phonograph/v1/Phones/{PHONE}").json()["answer"] == "busy"
    bad = console.post("/console/settings/phones", {"csrf": token, "phone_number": "12", "answer": "busy"})
    assert bad.status_code == 400
    number = console.post(
        "/console/settings/numbers", {"csrf": token, "PhoneNumber": "+15550325555", "FriendlyName": XSS}
    )
    assert number.status_code == 303
    page = console.get("/console/settings").text
    assert PHONE in page
    assert "+15550325555" in page
    assert XSS not in page
    assert console.post(f"/console/settings/phones/{PHONE}/delete", {"csrf": token}).status_code == 303
    assert account.http.get(f"/phonograph/v1/Phones/{PHONE}").status_code == 404


def test_the_dashboard_counts_the_accounts_live_calls_and_a_main_account_sees_the_server(
    console: ConsoleClient, account: TestAccount, server: ServerProcess
) -> None:
    sid = _live_call(account)
    console.login(account.sid, account.auth_token)
    figures = console.get("/console/dashboard/figures").text
    assert re.search(r'id="live-calls"><a [^>]+>1</a>', figures), figures
    assert "Nodes" not in figures  # the server's load is the operator's
    account.client.calls(sid).update(status="completed")
    wait_for_call(account.client, sid)
    call_page = console.get(f"/console/calls/{sid}").text
    assert "Status: <span" in call_page
    main = ConsoleClient(str(console.http.base_url))
    main.login(server.credentials.account_sid, server.credentials.auth_token)
    assert "Media clock lateness" in main.get("/console/dashboard").text
    main.close()


def test_recording_actions_from_a_call_page_act_as_the_api_and_a_delete_asks_first(
    console: ConsoleClient, account: TestAccount
) -> None:
    sid = _live_call(account)
    console.login(account.sid, account.auth_token)
    token = console.csrf(f"/console/calls/{sid}")
    started = console.post(f"/console/calls/{sid}/recordings", {"csrf": token, "RecordingChannels": "dual"})
    assert started.status_code == 303
    [recording] = account.client.calls(sid).recordings.list()
    control = f"/console/calls/{sid}/recordings/{recording.sid}"
    paused = console.post(control, {"csrf": token, "Status": "paused", "PauseBehavior": "skip"})
    assert paused.status_code == 303
    assert account.client.calls(sid).recordings(recording.sid).fetch().status == "paused"
    wrong = console.post(control, {"csrf": token, "Status": "sideways"})
    assert wrong.status_code == 400  # the API's own check of Status
    for status in ("in-progress", "stopped"):
        assert console.post(control, {"csrf": token, "Status": status}).status_code == 303
    [done] = finished_recordings(account, sid)
    assert done.status == "completed"
    confirm = console.get(f"/console/recordings/{done.sid}/delete")
    assert "Delete for good" in confirm.text
    assert account.client.recordings(done.sid).fetch().status == "completed"  # asking deletes nothing
    deleted = console.post(f"/console/recordings/{done.sid}/delete", {"csrf": token})
    assert deleted.status_code == 303
    assert "deleted" in console.get(f"/console/recordings/{done.sid}").text
    redirected = console.post(
        f"/console/calls/{sid}", {"csrf": token, "Twiml": "<Response><Hangup/></Response>"}
    )
    assert redirected.status_code == 303
    assert wait_for_call(account.client, sid).status == "completed"


def test_notifications_show_their_code_linked_to_its_meaning_and_the_call(
    console: ConsoleClient, account: TestAccount, webapp: WebApp
) -> None:
    failing = webapp.fail("/broken", 500)
    add_phone(account.http, PHONE, None, answer_after_s=0)
    sid = account.client.calls.create(to=PHONE, from_="+15550329999", url=failing).sid
    wait_for_call(account.client, sid)
    console.login(account.sid, account.auth_token)
    deadline = time.monotonic() + 20
    while "11200" not in (page := console.get("/console/notifications").text):
        assert time.monotonic() < deadline, page
        time.sleep(0.1)
    assert 'href="https://www.twilio.com/docs/errors/11200"' in page
    assert f'href="/console/calls/{sid}"' in page


def test_the_account_default_is_made_and_replaced_with_the_version_the_page_showed(
    console: ConsoleClient, account: TestAccount
) -> None:
    console.login(account.sid, account.auth_token)
    path = "/console/configurations/Recording"
    token = console.csrf(path)
    body = json.dumps({"description": "mine", "configuration": VALID_RECORDING})
    made = console.post(
        "/console/account-default/Recording", {"csrf": token, "action": "create", "body": body}
    )
    assert made.status_code == 303
    api = account.http.get("/v2/AccountDefaultConfiguration/Recording")
    assert api.json()["description"] == "mine"
    shown = re.search(r'name="etag" value="([^"]*)"', console.get(path).text)
    assert shown is not None
    assert shown.group(1) == api.headers["etag"].replace('"', "&#34;")
    etag = api.headers["etag"]
    # Changed elsewhere after the page was shown: the page's save is refused, as over the API.
    account.http.put(
        "/v2/AccountDefaultConfiguration/Recording",
        content=json.dumps({"description": "theirs", "configuration": VALID_RECORDING}),
        headers={"Content-Type": "application/json"},
    )
    stale = console.post(
        "/console/account-default/Recording", {"csrf": token, "action": "replace", "body": body, "etag": etag}
    )
    assert stale.status_code == 412
    assert account.http.get("/v2/AccountDefaultConfiguration/Recording").json()["description"] == "theirs"


@pytest.mark.parametrize("kind", ["Recording", "Transcription"])
def test_the_example_a_new_configuration_form_shows_is_one_the_api_takes(
    console: ConsoleClient, account: TestAccount, kind: str
) -> None:
    console.login(account.sid, account.auth_token)
    page = console.get(f"/console/configurations/{kind}").text
    shown = re.search(r'<textarea id="new-body"[^>]*>(.*?)</textarea>', page, re.S)
    assert shown is not None
    token = console.csrf(f"/console/configurations/{kind}")
    made = console.post(
        f"/console/configurations/{kind}", {"csrf": token, "body": html.unescape(shown.group(1))}
    )
    assert made.status_code == 303, made.text
    assert len(account.http.get(f"/phonograph/v1/Configurations/{kind}").json()["configurations"]) == 1


def test_a_malformed_or_oversized_form_is_a_clear_error_never_a_500(
    console: ConsoleClient, account: TestAccount
) -> None:
    console.login(account.sid, account.auth_token)
    cookie = {"Cookie": console.cookie, "Content-Type": "application/x-www-form-urlencoded"}
    malformed = console.http.post("/console/callbacks/1/replay", content=b"csrf=%zz\xff\xfe", headers=cookie)
    assert malformed.status_code == 400
    assert "20001" in malformed.text or "Twilio code" in malformed.text
    huge = console.http.post("/console/callbacks/1/replay", content=b"csrf=" + b"a" * 70_000, headers=cookie)
    assert huge.status_code == 413
    assert console.get("/console/recordings/RE" + "0" * 32).status_code == 404
    assert console.get("/console/calls/not-a-sid").status_code == 404
    assert console.get("/console/configurations/Nonsense").status_code == 404
    assert console.get("/console/login", next="https://evil.example/").status_code == 200
    token = console.csrf("/console/calls")
    away = console.post(
        "/console/callbacks/999999999/replay", {"csrf": token, "back": "https://evil.example/"}
    )
    assert away.status_code == 404


def test_a_login_never_sends_the_browser_to_another_site(
    console: ConsoleClient, account: TestAccount
) -> None:
    form = console.http.get("/console/login", params={"next": "//evil.example/console/calls"})
    assert "evil.example" not in form.text
    for target in ("https://evil.example/", "//evil.example/x", "/\\evil.example", "/console/../../x"):
        page = console.http.get("/console/login")
        match = CSRF.search(page.text)
        assert match is not None
        answer = console.http.post(
            "/console/login",
            data={
                "csrf": match.group(1),
                "account_sid": account.sid,
                "auth_token": account.auth_token,
                "next": target,
            },
            headers={"Cookie": f"phonograph_login={page.cookies['phonograph_login']}"},
        )
        assert answer.headers["location"] in ("/console/calls", target), target
        assert not answer.headers["location"].startswith(("//", "http", "/\\")), target


def test_a_logged_out_session_is_refused_even_from_a_copy_of_its_cookie(
    console: ConsoleClient, account: TestAccount
) -> None:
    console.login(account.sid, account.auth_token)
    copied = console.cookie
    token = console.csrf("/console/calls")
    out = console.post("/console/logout", {"csrf": token})
    assert (out.status_code, out.headers["location"]) == (303, "/console/login")
    console.cookie = copied
    assert console.get("/console/calls").status_code == 303  # back to the login form
    # A new login is a new session.
    console.login(account.sid, account.auth_token)
    assert console.get("/console/calls").status_code == 200


def test_a_call_in_a_conference_links_to_it_and_the_conference_lists_its_participants(
    console: ConsoleClient, account: TestAccount, other_account: TestAccount
) -> None:
    add_phone(account.http, PHONE, None, answer_after_s=0)
    twiml = (
        "<Response><Dial><Conference record='record-from-start'>console-room</Conference></Dial></Response>"
    )
    sid = account.client.calls.create(to=PHONE, from_="+15550329999", twiml=twiml).sid
    wait_for_call(account.client, sid, ("in-progress",))
    deadline = time.monotonic() + 20
    while not (rooms := account.client.conferences.list(friendly_name="console-room")):
        assert time.monotonic() < deadline, account.client.conferences.list()
        time.sleep(0.1)
    [room] = rooms
    console.login(account.sid, account.auth_token)
    assert f'href="/console/conferences/{room.sid}"' in console.get(f"/console/calls/{sid}").text
    listed = console.get("/console/conferences", FriendlyName="console-room").text
    assert room.sid in listed
    page = console.get(f"/console/conferences/{room.sid}").text
    assert f'href="/console/calls/{sid}"' in page
    other = ConsoleClient(str(console.http.base_url))
    other.login(other_account.sid, other_account.auth_token)
    assert other.get(f"/console/conferences/{room.sid}").status_code == 404
    other.close()
    account.client.calls(sid).update(status="completed")
    wait_for_call(account.client, sid)


class _Controls(HTMLParser):
    """The form controls of a page and the ids its labels name."""

    def __init__(self) -> None:
        super().__init__()
        self.controls: list[dict[str, str | None]] = []
        self.labelled: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        fields = dict(attrs)
        if tag == "label" and fields.get("for"):
            self.labelled.add(str(fields["for"]))
        elif tag in ("input", "select", "textarea") and fields.get("type") != "hidden":
            self.controls.append(fields)


def test_every_form_control_of_every_page_has_a_label(
    console: ConsoleClient, account: TestAccount, webapp: WebApp
) -> None:
    webapp.respond("/status", b"")
    sid = _finished_call(account, webapp)
    console.login(account.sid, account.auth_token)
    pages = [
        "/console/calls",
        f"/console/calls/{sid}",
        "/console/recordings",
        "/console/conferences",
        "/console/callbacks",
        "/console/notifications",
        "/console/configurations/Recording",
        "/console/settings",
        "/console/dashboard",
        "/console/accounts",
    ]
    for path in pages:
        answer = console.get(path)
        assert answer.status_code == 200, path
        parsed = _Controls()
        parsed.feed(answer.text)
        unlabelled = [
            c for c in parsed.controls if c.get("id") not in parsed.labelled and not c.get("aria-label")
        ]
        assert unlabelled == [], (path, unlabelled)
    form = _Controls()
    form.feed(console.http.get("/console/login").text)
    assert len(form.controls) == 2
    assert {c["id"] for c in form.controls} <= form.labelled


def test_a_configurations_unique_name_is_escaped_in_text_and_attributes(
    console: ConsoleClient, account: TestAccount
) -> None:
    # unique_name takes no whitespace and no path delimiters: the payload breaks out of an
    # attribute instead of opening a <script>.
    name = '<b>x"onfocus="alert(1)"autofocus="'
    made = account.http.post(
        "/v2/Configurations/Recording", json={"unique_name": name, "configuration": VALID_RECORDING}
    )
    assert made.status_code == 201, made.text
    console.login(account.sid, account.auth_token)
    page = console.get("/console/configurations/Recording").text
    assert name not in page
    assert "&lt;b&gt;x&#34;onfocus=&#34;alert(1)&#34;autofocus=&#34;" in page


def test_a_filter_form_sent_with_its_fields_left_blank_filters_on_nothing(
    console: ConsoleClient, account: TestAccount, webapp: WebApp
) -> None:
    """A browser sends every field of a GET form, the unfilled ones blank: blank is not a filter."""
    webapp.respond("/status", b"")
    sid = _finished_call(account, webapp)
    console.login(account.sid, account.auth_token)
    blank_calls = {"Status": "", "To": "", "From": "", "StartTime>": "", "StartTime<": ""}
    assert sid in console.get("/console/calls", **blank_calls).text
    blank_recordings = {"CallSid": "", "ConferenceSid": "", "DateCreated>": "", "Status": "", "Source": ""}
    assert console.get("/console/recordings", **blank_recordings).status_code == 200
    assert sid in console.get("/console/callbacks", CallSid="", RecordingSid="").text
    assert console.get("/console/conferences", FriendlyName="", Status="").status_code == 200
