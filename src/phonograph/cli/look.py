"""Looking around a running server without writing code: ``phonograph calls``, ``recordings``,
``notifications``, ``configurations`` and ``callbacks``, as tables (rich) read through the same
REST API the SDK uses (and phonograph's own ``/phonograph/v1`` where Twilio has no list)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

import typer
from rich.console import Console
from rich.json import JSON
from rich.table import Table

from phonograph.cli.remote import DOWNLOAD_TIMEOUT_S, Remote, remote_command

console = Console()
calls = typer.Typer(help="Calls: list them, or show one with its events in order.", no_args_is_help=True)
recordings = typer.Typer(help="Recordings: list, show, download.", no_args_is_help=True)
notifications = typer.Typer(help="Notifications: the errors and warnings about calls.", no_args_is_help=True)
configurations = typer.Typer(help="Recording and Transcription configurations.", no_args_is_help=True)
callbacks = typer.Typer(
    help="Status callbacks sent: to where, with what, and the answer.", no_args_is_help=True
)

LimitOption = Annotated[
    int, typer.Option("--limit", min=1, max=1000, help="At most this many, newest first.")
]
CallOption = Annotated[str | None, typer.Option("--call", help="Only those of this call (CA…).")]
TypeOption = Annotated[str, typer.Option("--type", help="Recording or Transcription.")]
# What a callback's parameters say happened, in the order worth showing: the name the Events list
# gives each (snake_cased) and the name the app sees.
STATUS_PARAMS = {
    "call_status": "CallStatus",
    "recording_status": "RecordingStatus",
    "transcription_status": "TranscriptionStatus",
    "status_callback_event": "StatusCallbackEvent",
}


def _query(limit: int, **filters: str | None) -> dict[str, str | int]:
    """A list's query: ``PageSize`` and the filters given."""
    return {"PageSize": limit, **{name: value for name, value in filters.items() if value is not None}}


def _table(title: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    table = Table(title=title, title_justify="left")
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*("" if cell is None else str(cell) for cell in row))
    console.print(table)


def _resource_table(
    title: str, columns: Sequence[tuple[str, str]], resources: Iterable[dict[str, Any]]
) -> None:
    """One row per resource: each column's header beside the field it shows, so they cannot drift."""
    rows = ([resource[name] for _, name in columns] for resource in resources)
    _table(title, [header for header, _ in columns], rows)


def _fields(title: str, resource: dict[str, Any], names: Sequence[str]) -> None:
    _table(title, ("field", "value"), ((name, resource.get(name)) for name in names))


def _event_line(event: dict[str, Any]) -> tuple[str, str]:
    """(what, the app's answer) of a Call Event."""
    request, response = event["request"], event["response"]
    params = request["parameters"]
    what = f"{request['method']} {request['url']}"
    shown = [f"{app_name}={params[name]}" for name, app_name in STATUS_PARAMS.items() if name in params]
    if shown:
        what += f" ({' '.join(shown)})"
    code = response["response_code"]
    answer = "no answer" if code is None else str(code)
    return what, f"{answer} in {response['request_duration']} ms"


# --- calls ---------------------------------------------------------------------------------------


@remote_command(calls, "list")
def list_calls(
    remote: Remote,
    status: Annotated[str | None, typer.Option(help="Only calls with this status.")] = None,
    limit: LimitOption = 20,
) -> None:
    """The account's calls, newest first."""
    page = remote.get(f"{remote.api}/Calls.json", **_query(limit, Status=status))
    columns = (
        ("SID", "sid"),
        ("From", "from"),
        ("To", "to"),
        ("Status", "status"),
        ("Direction", "direction"),
        ("Started", "start_time"),
        ("Duration (s)", "duration"),
    )
    _resource_table("Calls", columns, page["calls"])


@remote_command(calls, "show")
def show_call(
    remote: Remote,
    call_sid: Annotated[str, typer.Argument(help="The call's SID (CA…).")],
) -> None:
    """A call, then what happened on it in order: its status changes, every request to the app
    with the answer, and its recordings."""
    base = f"{remote.api}/Calls/{quote(call_sid, safe='')}"
    call = remote.get(f"{base}.json")
    _fields(f"Call {call_sid}", call, ("from", "to", "status", "direction", "parent_call_sid", "duration"))
    _table("Events", ("when", "what", "answer"), _timeline(remote, base, call))


def _timeline(remote: Remote, base: str, call: dict[str, Any]) -> list[tuple[str, str, str]]:
    """The call's events, oldest first. Twilio's dates are whole seconds, so within one second the
    order is: created, started, recordings started, requests to the app (in the order sent), ended,
    recordings ended (a recording completes once its call has hung up)."""
    recordings = list(reversed(remote.get(f"{base}/Recordings.json", PageSize=1000)["recordings"]))
    events = list(reversed(remote.get(f"{base}/Events.json", PageSize=1000)["events"]))  # newest first
    entries: list[tuple[str | None, str, str]] = [
        (call["date_created"], "created", ""),
        (call["start_time"], "started", ""),
    ]
    for recording in recordings:
        detail = f"{recording['source']}, {recording['channels']} channel(s)"
        entries.append((recording["start_time"], f"recording {recording['sid']} started", detail))
    for event in events:
        entries.append((event["response"]["date_created"], *_event_line(event)))
    entries.append((call["end_time"], f"ended: {call['status']}", ""))
    for recording in recordings:
        what = f"recording {recording['sid']} {recording['status']}"
        entries.append((recording["date_updated"], what, f"{recording['duration']} s"))
    dated = [(when, what, detail) for when, what, detail in entries if when]
    dated.sort(key=lambda entry: parsedate_to_datetime(entry[0]))  # stable: keeps the order above
    return dated


# --- recordings ----------------------------------------------------------------------------------


@remote_command(recordings, "list")
def list_recordings(
    remote: Remote,
    call: CallOption = None,
    limit: LimitOption = 20,
) -> None:
    """The account's recordings, newest first."""
    page = remote.get(f"{remote.api}/Recordings.json", **_query(limit, CallSid=call))
    columns = (
        ("SID", "sid"),
        ("Call", "call_sid"),
        ("Status", "status"),
        ("Source", "source"),
        ("Channels", "channels"),
        ("Duration (s)", "duration"),
        ("Started", "start_time"),
    )
    _resource_table("Recordings", columns, page["recordings"])


@remote_command(recordings, "show")
def show_recording(
    remote: Remote,
    recording_sid: Annotated[str, typer.Argument(help="The recording's SID (RE…).")],
) -> None:
    """One recording's fields."""
    recording = remote.get(f"{remote.api}/Recordings/{quote(recording_sid, safe='')}.json")
    names = ("call_sid", "status", "source", "channels", "track", "duration", "start_time", "error_code")
    _fields(f"Recording {recording_sid}", recording, (*names, "media_url"))


@remote_command(recordings, "download")
def download_recording(
    remote: Remote,
    recording_sid: Annotated[str, typer.Argument(help="The recording's SID (RE…).")],
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="File to write [default: RE….wav]")
    ] = None,
    mp3: Annotated[bool, typer.Option("--mp3", help="MP3 instead of WAV.")] = False,
) -> None:
    """Write a completed recording's media to a file."""
    extension = ".mp3" if mp3 else ".wav"
    path = f"{remote.api}/Recordings/{quote(recording_sid, safe='')}{extension}"
    media = remote.request("GET", path, timeout_s=DOWNLOAD_TIMEOUT_S).content
    target = output or Path(f"{recording_sid}{extension}")
    target.write_bytes(media)
    typer.echo(f"wrote {target} ({len(media)} bytes)")


# --- notifications, configurations, callbacks ----------------------------------------------------


@remote_command(notifications, "list")
def list_notifications(
    remote: Remote,
    call: CallOption = None,
    limit: LimitOption = 20,
) -> None:
    """The account's notifications, newest first."""
    path = (
        f"{remote.api}/Calls/{quote(call, safe='')}/Notifications.json"
        if call
        else f"{remote.api}/Notifications.json"
    )
    rows = (
        (
            n["message_date"],
            n["error_code"],
            "error" if n["log"] == "0" else "warning",
            n["call_sid"],
            n["request_method"],
            n["request_url"],
            n["message_text"],
        )
        for n in remote.get(path, PageSize=limit)["notifications"]
    )
    _table("Notifications", ("Date", "Code", "Level", "Call", "Method", "URL", "Message"), rows)


@remote_command(configurations, "list")
def list_configurations(
    remote: Remote,
    kind: TypeOption = "Recording",
) -> None:
    """The account's configurations of one type; the default is marked."""
    listed = remote.get(f"/phonograph/v1/Configurations/{quote(kind, safe='')}")
    rows = (
        (
            c["id"],
            c["unique_name"],
            c["description"],
            "yes" if c["id"] == listed["default_id"] else "",
            c["date_created"],
        )
        for c in listed["configurations"]
    )
    _table(f"{kind} configurations", ("ID", "Unique name", "Description", "Default", "Created"), rows)


@remote_command(configurations, "show")
def show_configuration(
    remote: Remote,
    key: Annotated[str, typer.Argument(help="Its id or unique name, or Default.")],
    kind: TypeOption = "Recording",
) -> None:
    """One configuration, as the v2 API returns it."""
    response = remote.request("GET", f"/v2/Configurations/{quote(kind, safe='')}/{quote(key, safe='')}")
    console.print(JSON(response.text))


@remote_command(callbacks, "list")
def list_callbacks(
    remote: Remote,
    call: CallOption = None,
    recording: Annotated[str | None, typer.Option("--recording", help="Only this recording's (RE…).")] = None,
    limit: LimitOption = 20,
) -> None:
    """The status callbacks of the account, newest first: to where, with what, and the app's
    answers (the callback log, GET /phonograph/v1/Callbacks)."""
    query = _query(limit, CallSid=call, RecordingSid=recording)
    rows = (
        (
            c["id"],
            c["date_created"],
            c["call_sid"],
            _callback_request(c),
            c["status"],
            _callback_answer(c["attempts"]),
        )
        for c in remote.get("/phonograph/v1/Callbacks", **query)["callbacks"]
    )
    _table("Callbacks", ("ID", "Created", "Call", "Request", "Status", "Last answer"), rows)


@remote_command(callbacks, "replay")
def replay_callback(
    remote: Remote,
    callback_id: Annotated[int, typer.Argument(help="Its ID, as callbacks list shows it.")],
) -> None:
    """Send a callback again, signed afresh, with a new idempotency token."""
    replay = remote.request("POST", f"/phonograph/v1/Callbacks/{callback_id}/Replay").json()
    console.print(f"callback {callback_id} queued again as {replay['id']}")


def _callback_request(callback: dict[str, Any]) -> str:
    params = callback["parameters"]
    shown = [f"{name}={params[name]}" for name in STATUS_PARAMS.values() if name in params]
    what = f"{callback['method']} {callback['url']}"
    return f"{what} ({' '.join(shown)})" if shown else what


def _callback_answer(attempts: list[dict[str, Any]]) -> str:
    if not attempts:
        return ""
    last = attempts[-1]
    answer = "no answer" if last["status_code"] is None else str(last["status_code"])
    tries = f", {len(attempts)} attempts" if len(attempts) > 1 else ""
    return f"{answer} in {last['duration_ms']} ms{tries}"
