"""The rules a job passes (PCI/HIPAA, eligibility, channels, length), participants, callbacks."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest

from phonograph.core import PhonographError, new_sid
from phonograph.store import Account, AccountStatus, Recording
from phonograph.transcription import Origin, TranscriptionKind
from phonograph.transcription.rules import (
    callback_url,
    check,
    check_account,
    check_media_length,
    parse_configuration,
    participants,
)
from tests.unit.transcription.support import configuration_body

T0 = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
ACCOUNT = Account(
    sid=new_sid("AC"),
    owner_account_sid=None,
    friendly_name="rules",
    auth_token="t",
    status=AccountStatus.ACTIVE,
    type="Full",
    date_created=T0,
    date_updated=T0,
)
RECORDING = Recording(
    sid=new_sid("RE"),
    account_sid=ACCOUNT.sid,
    call_sid=new_sid("CA"),
    conference_sid=None,
    source="RecordVerb",
    status="completed",
    channels=2,
    track="both",
    trim="do-not-trim",
    start_time=T0,
    duration_s=10,
    error_code=None,
    status_callback=None,
    status_callback_method="POST",
    status_callback_events=[],
    configuration_id=None,
    name=None,
    media_key="AC/RE.wav",
    date_created=T0,
    date_updated=T0,
)
BATCH, LEGACY = TranscriptionKind.BATCH, TranscriptionKind.LEGACY


def _code(
    kind: TranscriptionKind, origin: Origin, account: Account = ACCOUNT, **recording: Any
) -> int | None:
    try:
        check(account, replace(RECORDING, **recording), kind, origin, RECORDING.sid)
    except PhonographError as error:
        return error.code
    return None


@pytest.mark.parametrize(
    ("kind", "origin", "recording", "code"),
    [
        (BATCH, Origin.API, {}, None),
        (BATCH, Origin.CONFIGURATION, {"channels": 1}, 17533),
        (BATCH, Origin.API, {"status": "absent", "media_key": None}, 17533),
        (BATCH, Origin.API, {"status": "deleted"}, 17533),
        (BATCH, Origin.API, {"media_key": None}, 17533),
        (BATCH, Origin.API, {"duration_s": 1}, 17554),
        (BATCH, Origin.API, {"duration_s": 2}, None),
        (BATCH, Origin.API, {"duration_s": 3600}, None),
        (LEGACY, Origin.RECORD_VERB, {"channels": 1, "duration_s": 2}, None),
        (LEGACY, Origin.RECORD_VERB, {"channels": 1, "duration_s": 120}, None),
        (LEGACY, Origin.RECORD_VERB, {"channels": 1, "duration_s": 1}, 13617),
        (LEGACY, Origin.RECORD_VERB, {"channels": 1, "duration_s": 121}, 13617),
        (LEGACY, Origin.RECORD_VERB, {"status": "processing"}, 17533),
        (LEGACY, Origin.CLI, {"channels": 1, "duration_s": 0}, None),
        (LEGACY, Origin.CLI, {"duration_s": 7200}, None),
    ],
)
def test_recording_rules(
    kind: TranscriptionKind, origin: Origin, recording: dict[str, Any], code: int | None
) -> None:
    assert _code(kind, origin, **recording) == code


def test_a_missing_recording_is_not_eligible() -> None:
    with pytest.raises(PhonographError, match="does not exist") as refused:
        check(ACCOUNT, None, BATCH, Origin.API, "RE123")
    assert refused.value.code == 17533


def test_pci_refuses_every_kind_and_hipaa_refuses_batch() -> None:
    pci, hipaa = replace(ACCOUNT, pci_mode=True), replace(ACCOUNT, hipaa=True)
    for kind, origin in ((BATCH, Origin.API), (LEGACY, Origin.RECORD_VERB), (LEGACY, Origin.CLI)):
        assert _code(kind, origin, pci, channels=2, duration_s=10) == 17531
    assert _code(BATCH, Origin.CONFIGURATION, hipaa) == 17531
    assert _code(LEGACY, Origin.RECORD_VERB, hipaa) is None
    # The account is checked first: a PCI account hears 17531 even for a mono recording.
    assert _code(BATCH, Origin.API, pci, channels=1) == 17531
    with pytest.raises(PhonographError, match="PCI mode"):
        check_account(pci, LEGACY)


def test_a_recording_made_in_pci_mode_is_never_transcribed() -> None:
    # The account is out of PCI mode now; the recording was made in it (twilio.com/docs/voice/pci-workflows, a
    # third-party live test).
    for kind, origin in ((BATCH, Origin.API), (LEGACY, Origin.RECORD_VERB), (LEGACY, Origin.CLI)):
        assert _code(kind, origin, pci_mode=True, channels=2, duration_s=10) == 17531


def test_media_shorter_than_two_seconds_is_17554() -> None:
    with pytest.raises(PhonographError, match=r"media\.example/a\.wav lasts 1\.99 s") as info:
        check_media_length(1.99, "https://media.example/a.wav")
    assert info.value.code == 17554
    check_media_length(2.0, "https://media.example/a.wav")  # long enough: no error


def test_participants_fill_missing_channels_from_the_defaults() -> None:
    configuration = parse_configuration(configuration_body())
    assert participants([], configuration) == [
        {"type": "CUSTOMER", "address": None, "name": None, "audioChannelIndex": 1},
        {"type": "HUMAN_AGENT", "address": None, "name": None, "audioChannelIndex": 2},
    ]
    given = [{"audioChannelIndex": 2, "name": "Grace", "address": "client:grace"}]
    assert participants(given, configuration)[1] == {
        "type": "HUMAN_AGENT",
        "address": "client:grace",
        "name": "Grace",
        "audioChannelIndex": 2,
    }
    retyped = [{"audioChannelIndex": 1, "type": "AI_AGENT"}]
    assert participants(retyped, configuration)[0]["type"] == "AI_AGENT"


def test_the_callback_url_of_a_resolved_configuration() -> None:
    assert callback_url(configuration_body("https://app.example/t")) == "https://app.example/t"
    assert callback_url(configuration_body(None)) is None
    assert callback_url(None) is None
    assert callback_url({"transcriptionStatusCallback": {"url": None}}) is None
