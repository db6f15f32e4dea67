"""The console in a real browser: Debian's chromium, headless, driven by playwright (no browser
download). Few tests, the page data being covered server-side (tests/test_console.py): log in,
watch a call made by the SDK appear and finish live, open its recording and check the player drew
two channels with the pause band where the pause was, play it, replay a callback. A failing test
leaves a screenshot in its tmp_path."""

from __future__ import annotations

import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import sync_playwright

from phonograph.testing.audio import read_wav
from phonograph.testing.kit import add_phone, wait_for_call
from phonograph.testing.server import ServerProcess
from phonograph.testing.webapp import WebApp
from tests.conftest import TestAccount
from tests.support.recordings import finished_recordings, recording_path, wait_media_s
from tests.support.transcriptions import finished_job, start_job

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
PHONE = "+15550330001"
XSS = "<script>alert('xss')</script><img src=x onerror=alert('xss')>"
WAIT_MS = 20_000
# Chromium's flags for a closed network (docs of this machine kind: no background requests).
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--autoplay-policy=no-user-gesture-required",
    "--mute-audio",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_playwright() as driver:
        launched = driver.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Any, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Any]:
    context = browser.new_context()
    opened = context.new_page()
    opened.set_default_timeout(WAIT_MS)
    errors: list[str] = []  # uncaught exceptions of the page's scripts, and any dialog
    opened.on("pageerror", lambda error: errors.append(str(error)))

    # An alert() would mean a tenant's text ran as script (the tests put one in what the app answers).
    def on_dialog(dialog: Any) -> None:
        errors.append(f"dialog: {dialog.message}")
        dialog.dismiss()

    opened.on("dialog", on_dialog)
    yield opened
    assert not errors, f"the page's JavaScript failed or a dialog opened: {errors}"
    report = getattr(request.node, "rep_call", None)
    if report is None or report.failed:
        opened.screenshot(path=str(tmp_path / "failure.png"), full_page=True)
    context.close()


def _log_in(page: Any, server: ServerProcess, account: TestAccount) -> None:
    page.goto(f"{server.base_url}/")
    page.get_by_label("Account SID").fill(account.sid)
    page.get_by_label("Auth Token").fill(account.auth_token)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/console/calls")


@pytest.mark.parametrize("server", ["sqlite"], indirect=True)
def test_a_wrong_password_is_refused(page: Any, server: ServerProcess, account: TestAccount) -> None:
    page.goto(f"{server.base_url}/console/login")
    page.get_by_label("Account SID").fill(account.sid)
    page.get_by_label("Auth Token").fill("wrong")
    page.get_by_role("button", name="Log in").click()
    assert page.get_by_role("alert").inner_text() == "Wrong Account SID or Auth Token."


@pytest.mark.parametrize("server", ["sqlite"], indirect=True)
def test_a_call_appears_live_its_recording_plays_with_its_pause_band_and_a_callback_replays(
    page: Any, server: ServerProcess, account: TestAccount, webapp: WebApp
) -> None:
    _log_in(page, server, account)
    webapp.respond("/status", XSS.encode())
    add_phone(account.http, PHONE, None, answer_after_s=0)
    twiml = "<Response><Say loop='0'>The quick brown fox jumps over the lazy dog.</Say></Response>"
    sid = account.client.calls.create(
        to=PHONE, from_="+15550339999", twiml=twiml, status_callback=webapp.url("/status")
    ).sid
    wait_for_call(account.client, sid, ("in-progress",))
    # The list shows the call without a reload, live, then its end.
    row = page.locator(f'tr[data-sid="{sid}"] td.status')
    row.wait_for()
    recordings = account.client.calls(sid).recordings
    recording = recordings.create(recording_channels="dual", trim="do-not-trim")
    wait_media_s(account.owner, 3)
    recordings(recording.sid).update(status="paused", pause_behavior="silence")
    wait_media_s(account.owner, 2)
    recordings(recording.sid).update(status="in-progress")
    wait_media_s(account.owner, 1)
    account.client.calls(sid).update(status="completed")
    page.locator(f'tr[data-sid="{sid}"] td.status', has_text="completed").wait_for()
    [done] = finished_recordings(account, sid)

    page.goto(f"{server.base_url}/console/recordings/{done.sid}")
    page.locator('#waveform[data-ready="true"]').wait_for()
    drawn = page.evaluate("window.phonographPlayer")
    assert drawn["channels"] == 2
    [band] = drawn["pauses"]
    assert band["behavior"] == "silence"
    # The band lies where the stored audio is silent on both channels: analyse the media itself.
    samples, rate = read_wav(account.http.get(recording_path(account.sid, done.sid, ".wav")).content)
    start, end = int(band["start"] * rate), int(band["end"] * rate)
    assert end - start > rate // 2
    assert abs(samples[:, start + 80 : end - 80]).max() == 0
    assert abs(samples[1, max(0, start - rate) : start]).max() > 1000  # speech in the second before it
    # A transcript's sentence seeks the player to where it starts.
    job = start_job(account, done.sid)
    assert job.status_code == 201, job.text
    sentences = finished_job(account, job.json()["id"])["sentences"]
    assert sentences, "the speech was transcribed"
    page.reload()
    page.locator('#waveform[data-ready="true"]').wait_for()
    last = sentences[-1]
    page.get_by_role(
        "button", name=re.compile(rf"^{last['startTime']:.2f} s · channel {last['channel']}")
    ).click()
    assert abs(page.evaluate("window.phonographPlayer.position || 0") - last["startTime"]) < 0.05
    page.get_by_role("button", name="Play / pause").click()
    # wait_for_function evaluates a string, which the page's CSP refuses: poll the value instead.
    deadline = time.monotonic() + WAIT_MS / 1000
    while not page.evaluate("window.phonographPlayer.position || 0"):
        assert time.monotonic() < deadline, "the player did not play"
        page.wait_for_timeout(50)

    # Replay the completed callback from the call's page; the app receives it again.
    before = webapp.count("/status")
    page.goto(f"{server.base_url}/console/calls/{sid}")
    assert (
        f"paused (silence) at {band['start']:g} s of the recording" in page.locator(".timeline").inner_text()
    )
    page.get_by_role("button", name="Replay callback").first.click()
    webapp.wait_for("/status", count=before + 1)
