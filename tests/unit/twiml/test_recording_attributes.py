"""The recording attributes of ``<Record>``, ``<Dial>``, ``<Conference>`` and ``<Recording>``: read as written
(None when not), TwiML's three callback events only, and never a configuration id together with them."""

from __future__ import annotations

import pytest

from phonograph.twiml import (
    CallbackMethod,
    Channels,
    Dial,
    DialRecord,
    Record,
    Recording,
    RecordingEvent,
    Start,
    Track,
    Trim,
    TwimlError,
    parse,
)
from phonograph.twiml.errors import CONFIGURATION_WITH_PARAMETERS

CONFIGURATION = 'recordingConfigurationId="voice_recordingconfiguration_01jqv4yq3ff3y8gxv5n0r5m4a3"'
SHARED = {
    "trim": "do-not-trim",
    "recordingStatusCallback": "https://example.com/rsc",
    "recordingStatusCallbackMethod": "GET",
    "recordingStatusCallbackEvent": "in-progress",
}
# Each element as a template around its attributes, with the recording attributes it has.
ELEMENTS = {
    "Record": ("<Record{}/>", SHARED),
    "Dial": ("<Dial{}>+14155551212</Dial>", {**SHARED, "recordingTrack": "inbound"}),
    "Conference": ("<Dial><Conference{}>Room</Conference></Dial>", SHARED),
    "Recording": ("<Start><Recording{}/></Start>", {**SHARED, "track": "inbound", "channels": "mono"}),
}
CASES = [
    (tag, name, value) for tag, (_, attributes) in ELEMENTS.items() for name, value in attributes.items()
]


def document(tag: str, attributes: str) -> str:
    return f"<Response>{ELEMENTS[tag][0].format(attributes)}</Response>"


@pytest.mark.parametrize(("tag", "name", "value"), CASES)
def test_a_configuration_id_with_any_recording_attribute_is_refused(tag: str, name: str, value: str) -> None:
    with pytest.raises(TwimlError) as caught:
        parse(document(tag, f' {name}="{value}" {CONFIGURATION}'))
    assert caught.value.code == CONFIGURATION_WITH_PARAMETERS == 12200
    assert caught.value.message == (
        f"<{tag}> on line 1: recordingConfigurationId cannot be combined with {name}: use one or the other."
    )


@pytest.mark.parametrize("tag", ELEMENTS)
def test_the_message_names_every_recording_attribute_written(tag: str) -> None:
    attributes = ELEMENTS[tag][1]
    written = "".join(f' {name}="{value}"' for name, value in attributes.items())
    with pytest.raises(TwimlError) as caught:
        parse(document(tag, written + " " + CONFIGURATION))
    assert f"cannot be combined with {', '.join(sorted(attributes))}: " in caught.value.message


@pytest.mark.parametrize("tag", ELEMENTS)
def test_an_empty_recording_attribute_is_not_written_and_goes_with_an_id(tag: str) -> None:
    empty = "".join(f' {name}=" "' for name in ELEMENTS[tag][1])
    assert parse(document(tag, empty + " " + CONFIGURATION)).warnings == ()


@pytest.mark.parametrize("record", ["record-from-answer-dual", "record-from-ringing-dual"])
def test_a_dual_dial_record_names_the_layout_and_so_conflicts_with_an_id(record: str) -> None:
    with pytest.raises(TwimlError) as caught:
        parse(document("Dial", f' record="{record}" {CONFIGURATION}'))
    assert caught.value.code == 12200
    assert f'cannot be combined with record="{record}": use one or the other.' in caught.value.message


@pytest.mark.parametrize(
    "record", ["true", "false", "do-not-record", "record-from-answer", "record-from-ringing"]
)
def test_a_dial_record_without_a_layout_goes_with_an_id(record: str) -> None:
    (dial,) = parse(document("Dial", f' record="{record}" {CONFIGURATION}')).verbs
    assert isinstance(dial, Dial)
    assert dial.recording_configuration_id is not None
    assert not dial.record.dual


def test_dial_record_dual_is_true_only_for_the_dual_values() -> None:
    assert {value for value in DialRecord if value.dual} == {
        DialRecord.RECORD_FROM_ANSWER_DUAL,
        DialRecord.RECORD_FROM_RINGING_DUAL,
    }


@pytest.mark.parametrize("tag", ELEMENTS)
def test_failed_is_not_a_twiml_recording_event(tag: str) -> None:
    # TwiML lists in-progress, completed and absent (twilio.com/docs/voice/twiml/record, /dial, /conference,
    # /recording); only v2 configurations add failed.
    with pytest.raises(TwimlError) as caught:
        parse(document(tag, ' recordingStatusCallbackEvent="completed failed"'))
    assert caught.value.code == 13621
    assert "must be one of in-progress, completed, absent" in caught.value.message


def test_values_written_are_the_core_recording_vocabulary() -> None:
    record, start = parse(
        "<Response>"
        '<Record trim="Trim-Silence" recordingStatusCallbackMethod="get"'
        ' recordingStatusCallbackEvent="absent"/>'
        '<Start><Recording track="OUTBOUND" channels="Dual"/></Start>'
        "</Response>"
    ).verbs
    assert isinstance(record, Record)
    assert isinstance(start, Start)
    assert record.trim is Trim.TRIM_SILENCE
    assert record.recording_status_callback_method is CallbackMethod.GET
    assert record.recording_status_callback_event == (RecordingEvent.ABSENT,)
    assert start.children == (Recording(track=Track.OUTBOUND, channels=Channels.DUAL),)


def test_the_recording_room_and_twiml_share_one_vocabulary() -> None:
    from phonograph import core, recording, twiml

    for name in ("CallbackMethod", "Channels", "RecordingEvent", "Track", "Trim"):
        assert getattr(recording, name) is getattr(core, name) is getattr(twiml, name)
