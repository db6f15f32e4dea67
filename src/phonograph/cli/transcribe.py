"""``phonograph transcribe``: transcripts of completed recordings, with the server's model."""

from __future__ import annotations

import time
from typing import Annotated, Any
from urllib.parse import quote

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from phonograph.cli.remote import Remote

TRANSCRIPTIONS_PATH = "/phonograph/v1/Transcriptions"
POLL_INTERVAL_S = 0.2
FINISHED_STATUSES = ("COMPLETED", "FAILED")
TENTHS_PER_MINUTE = 600


def _clock(seconds: float) -> str:
    """``mm:ss.t``: 1.23 s is ``00:01.2``."""
    minutes, tenths = divmod(round(seconds * 10), TENTHS_PER_MINUTE)
    return f"{minutes:02d}:{tenths // 10:02d}.{tenths % 10}"


def _sentence_line(sentence: dict[str, Any]) -> str:
    """``[00:01.2–00:03.4] ch1 CUSTOMER: text`` (the participant's type, when the job has one)."""
    span = f"[{_clock(sentence['startTime'])}\u2013{_clock(sentence['endTime'])}]"
    participant = sentence.get("participant") or {}
    who = f"ch{sentence['channel']}" + (f" {participant['type']}" if participant.get("type") else "")
    return f"{span} {who}: {sentence['text']}"


def _follow(remote: Remote, jobs: dict[str, dict[str, Any]]) -> None:
    """Poll every job until each has finished, showing their progress on stderr; ``jobs`` (by
    recording SID) ends up holding each one's last state."""
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TextColumn("{task.fields[status]}"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=Console(stderr=True)) as progress:
        tasks: dict[str, TaskID] = {
            recording_sid: progress.add_task(recording_sid, total=1.0, status=job["status"])
            for recording_sid, job in jobs.items()
        }
        while True:
            for recording_sid, job in jobs.items():
                done = 1.0 if job["status"] == "COMPLETED" else job["progress"]
                progress.update(tasks[recording_sid], completed=done, status=job["status"])
            if all(job["status"] in FINISHED_STATUSES for job in jobs.values()):
                return
            time.sleep(POLL_INTERVAL_S)
            for recording_sid, job in jobs.items():
                if job["status"] not in FINISHED_STATUSES:
                    path = f"{TRANSCRIPTIONS_PATH}/{job['id']}"
                    jobs[recording_sid] = remote.get(path)


def transcribe(
    remote: Remote,
    recording_sids: Annotated[list[str], typer.Argument(help="Recording SIDs (RE…) to transcribe.")],
) -> None:
    """Transcribe completed recordings with the server's speech-to-text model, and print them.

    Each recording becomes a transcription job (TR…, listed with the account's transcriptions). A
    progress bar follows the jobs on stderr; then each transcript is printed on stdout, one line per
    sentence: time span, channel, participant type and text. The exit status is 1 when a job failed.
    """
    base = f"/phonograph/v1/Accounts/{remote.account_sid}/Recordings"
    jobs = {
        sid: remote.request("POST", f"{base}/{quote(sid, safe='')}/Transcriptions").json()
        for sid in dict.fromkeys(recording_sids)
    }
    _follow(remote, jobs)
    failed = False
    for recording_sid, job in jobs.items():
        if len(jobs) > 1:
            typer.echo(f"{recording_sid} ({job['id']}):")
        if job["status"] == "FAILED":
            failed = True
            typer.echo(f"error: {recording_sid}: {job['errorMessage']} (code {job['errorCode']})", err=True)
            continue
        for sentence in job["sentences"] or []:
            typer.echo(_sentence_line(sentence))
    if failed:
        raise typer.Exit(1)
