"""``GET /metrics``: who may read it, and that its numbers follow what the server does (a live
recorded call, requests answered, a callback waiting for a failing app)."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from phonograph.testing.kit import add_phone, fresh_number, wait_for_call, wait_for_recording
from phonograph.testing.server import ServerProcess
from phonograph.testing.webapp import WebApp
from tests.conftest import TestAccount
from tests.support.api import assert_error
from tests.support.callflow import CALLER

STAYS_ON = "<Response><Pause length='600'/></Response>"
CALL_ROUTE = "/2010-04-01/Accounts/{account_sid}/Calls/{call_sid}.json"
WAIT_S = 20.0

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]

on_sqlite = pytest.mark.parametrize("server", ["sqlite"], indirect=True)


def scrape(http: httpx.Client) -> Samples:
    answer = http.get("/metrics")
    assert answer.status_code == 200, answer.text
    assert answer.headers["Content-Type"].startswith("text/plain; version="), answer.headers
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(answer.text)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def wait_for_metric(http: httpx.Client, name: str, minimum: float) -> Samples:
    deadline = time.monotonic() + WAIT_S
    while True:
        samples = scrape(http)
        if value(samples, name) >= minimum:
            return samples
        assert time.monotonic() < deadline, f"{name} stayed {value(samples, name)}, wanted {minimum}"
        time.sleep(0.05)


@on_sqlite
def test_only_a_main_account_reads_the_metrics_by_default(
    server: ServerProcess, account: TestAccount
) -> None:
    assert_error(httpx.get(f"{server.base_url}/metrics"), 401, 20003)
    assert_error(account.http.get("/metrics"), 403, 20403)
    samples = scrape(account.owner)
    for name in (
        "phonograph_calls_live",
        "phonograph_media_legs",
        "phonograph_recordings_live",
        "phonograph_outbox_backlog",
        "phonograph_transcription_queue",
        "phonograph_media_late_ticks",
    ):
        assert (name, frozenset()) in samples, name
    for quantile in ("0.5", "0.99", "1"):
        assert value(samples, "phonograph_media_tick_lateness_seconds", quantile=quantile) >= 0


@on_sqlite
def test_a_live_recorded_call_shows_until_it_ends(account: TestAccount) -> None:
    number = fresh_number()
    add_phone(account.http, number, STAYS_ON, answer_after_s=0)
    call = account.client.calls.create(to=number, from_=CALLER, twiml=STAYS_ON, record=True)
    wait_for_call(account.client, call.sid, ("in-progress",))
    deadline = time.monotonic() + WAIT_S
    while not (recordings := account.client.calls(call.sid).recordings.list()):
        assert time.monotonic() < deadline, "the call's recording never started"
        time.sleep(0.05)
    during = wait_for_metric(account.owner, "phonograph_recordings_live", 1)
    assert value(during, "phonograph_calls_live") >= 1
    assert value(during, "phonograph_media_legs") >= 2  # the call and the phone it reached

    account.client.calls(call.sid).update(status="completed")
    wait_for_recording(account.client, recordings[0].sid)  # completed, or absent if short
    after = scrape(account.owner)
    # Other tests' calls may come and go on this server, never start in between: only fewer.
    assert value(after, "phonograph_recordings_live") <= value(during, "phonograph_recordings_live") - 1


@on_sqlite
def test_requests_are_timed_by_route_template_and_status(account: TestAccount) -> None:
    before = scrape(account.owner)
    sids = []
    for _ in range(2):
        number = fresh_number()
        add_phone(account.http, number, answer="busy")
        sids.append(account.client.calls.create(to=number, from_=CALLER, twiml=STAYS_ON).sid)
    for sid in sids:
        account.http.get(f"/2010-04-01/Accounts/{account.sid}/Calls/{sid}.json").raise_for_status()
    account.http.get("/no/such/path")
    account.http.request("BREW", "/no/such/path")  # any method name: one label value for the rest
    # A conference's name may hold slashes (the route's parameter spans segments).
    named = f"/2010-04-01/Accounts/{account.sid}/Conferences/a/b/{fresh_number()}/Participants.json"
    assert account.http.post(named, data={}).status_code == 400
    after = scrape(account.owner)

    ok = {"method": "GET", "route": CALL_ROUTE, "status": "200"}
    name = "phonograph_http_request_duration_seconds_count"
    assert value(after, name, **ok) - value(before, name, **ok) >= 2
    assert value(after, name, method="GET", route="unmatched", status="404") >= 1
    assert ("method", "BREW") not in {label for key in after for label in key[1]}
    assert sum(v for (n, labels), v in after.items() if n == name and ("method", "other") in labels) >= 1
    participants = "/2010-04-01/Accounts/{account_sid}/Conferences/{conference}/Participants.json"
    assert value(after, name, method="POST", route=participants, status="400") >= 1
    # One series per route template: no SID (hence no unbounded label values) in any label.
    labels = {label for key in after for label in key[1]}
    assert not any(re.search(r"(CA|AC)[0-9a-f]{32}|\+1555", text) for _, text in labels), labels


@on_sqlite
def test_a_callback_waiting_for_a_failing_app_is_in_the_outbox_backlog(
    account: TestAccount, webapp: WebApp
) -> None:
    settings = f"/phonograph/v1/Accounts/{account.sid}/MediaSettings"
    assert account.http.post(settings, json={"durable_callbacks": True}).status_code == 200
    webapp.fail("/status", 500)
    number = fresh_number()
    add_phone(account.http, number, STAYS_ON, answer_after_s=0)
    call = account.client.calls.create(
        to=number,
        from_=CALLER,
        twiml=STAYS_ON,
        status_callback=webapp.url("/status"),
        status_callback_event=["initiated"],
    )
    [refused] = webapp.wait_for("/status")
    assert refused.status == 500
    wait_for_metric(account.owner, "phonograph_outbox_backlog", 1)
    webapp.respond("/status", b"")
    webapp.wait_for("/status", count=2)
    account.client.calls(call.sid).update(status="completed")


@pytest.fixture
def open_metrics_servers(tmp_path: Path) -> Iterator[dict[str, ServerProcess]]:
    made = {
        access: ServerProcess(tmp_path / access, {"PHONOGRAPH_METRICS": access}).start()
        for access in ("open", "off")
    }
    yield made
    for server in made.values():
        server.stop()


def test_the_setting_opens_the_metrics_or_turns_them_off(
    open_metrics_servers: dict[str, ServerProcess],
) -> None:
    with httpx.Client(base_url=open_metrics_servers["open"].base_url) as anyone:
        assert "phonograph_calls_live" in {name for name, _ in scrape(anyone)}
    assert_error(httpx.get(f"{open_metrics_servers['off'].base_url}/metrics"), 404, 20404)


def test_an_unknown_metrics_setting_is_refused(tmp_path: Path) -> None:
    from phonograph.settings import Settings, SettingsError

    with pytest.raises(SettingsError, match="PHONOGRAPH_METRICS must be one of auth, open, off"):
        Settings.from_env({"PHONOGRAPH_METRICS": "public"}, data_dir=tmp_path)
