"""TwiML written by Twilio's own Python SDK (``twilio.twiml.voice_response``) parses without warnings into
the values the SDK call meant. This keeps attribute names and value spellings honest against Twilio's
generator, which is what most applications use."""

from __future__ import annotations

import pytest
from twilio.twiml.voice_response import Recording as SdkRecording
from twilio.twiml.voice_response import VoiceResponse

from phonograph.twiml import (
    CallbackMethod,
    CallProgressEvent,
    Channels,
    Conference,
    ConferenceBeep,
    ConferenceRecord,
    Dial,
    DialRecord,
    Gather,
    GatherInput,
    Hangup,
    HttpMethod,
    Number,
    Pause,
    Play,
    Record,
    Recording,
    RecordingEvent,
    Redirect,
    Reject,
    RejectReason,
    RingTone,
    Say,
    Sip,
    Start,
    Stop,
    Track,
    Trim,
    TwimlError,
    parse,
)

RSC = "https://example.com/recording-status"
CONFIGURATION_ID = "voice_recordingconfiguration_01jqv4yq3ff3y8gxv5n0r5m4a3"


def test_say_play_pause() -> None:
    response = VoiceResponse()
    response.say("Hello & welcome", voice="Polly.Amy", language="en-GB", loop=2)
    response.play("https://example.com/a.mp3", loop=0)
    response.play(digits="ww1234#")
    response.pause(length=3)
    document = parse(str(response))
    assert document.warnings == ()
    assert document.verbs == (
        Say(text="Hello & welcome", voice="Polly.Amy", language="en-GB", loop=2),
        Play(url="https://example.com/a.mp3", loop=0),
        Play(digits="ww1234#"),
        Pause(length_s=3),
    )


def test_say_with_ssml() -> None:
    response = VoiceResponse()
    say = response.say("Your code is", voice="Polly.Joanna")
    say.say_as("1234", interpret_as="digits")
    say.break_(strength="x-weak", time="500ms")
    say.prosody("slowly now", rate="slow")
    say.sub("W3C", alias="World Wide Web Consortium")
    say.emphasis("thanks", level="strong")
    say.lang("merci", xml_lang="fr-FR")
    document = parse(str(response))
    assert document.warnings == ()
    assert document.verbs == (
        Say(text="Your code is 1234 slowly now World Wide Web Consortium thanks merci", voice="Polly.Joanna"),
    )


def test_gather_with_nested_say() -> None:
    response = VoiceResponse()
    gather = response.gather(
        input="dtmf speech",
        action="/menu",
        method="GET",
        num_digits=1,
        timeout=7,
        finish_on_key="*",
        speech_timeout="auto",
        action_on_empty_result=True,
        partial_result_callback="/partial",
        language="es-MX",
        hints="ventas, soporte",
        profanity_filter=False,
        barge_in=False,
    )
    gather.say("Press 1 or say sales", loop=2)
    gather.pause(length=1)
    document = parse(str(response))
    assert document.warnings == ()
    assert document.verbs == (
        Gather(
            input=(GatherInput.DTMF, GatherInput.SPEECH),
            action="/menu",
            method=HttpMethod.GET,
            num_digits=1,
            timeout_s=7,
            finish_on_key="*",
            speech_timeout_s="auto",
            action_on_empty_result=True,
            partial_result_callback="/partial",
            language="es-MX",
            hints="ventas, soporte",
            profanity_filter=False,
            barge_in=False,
            children=(Say(text="Press 1 or say sales", loop=2), Pause(length_s=1)),
        ),
    )


def test_dial_with_number_sip_and_recording_attributes() -> None:
    response = VoiceResponse()
    dial = response.dial(
        action="/dial-done",
        timeout=20,
        caller_id="+15558675310",
        record="record-from-answer-dual",
        trim="trim-silence",
        recording_status_callback=RSC,
        recording_status_callback_method="GET",
        recording_status_callback_event="in-progress completed",
        recording_track="inbound",
        answer_on_bridge=True,
        ring_tone="uk",
        hangup_on_star=True,
        time_limit=600,
    )
    dial.number(
        "+14155551212",
        send_digits="ww1",
        status_callback="/number-status",
        status_callback_event="initiated ringing answered completed",
    )
    dial.sip("sip:alice@example.com", username="admin", password="1234")
    document = parse(str(response))
    assert document.warnings == ()
    assert document.verbs == (
        Dial(
            targets=(
                Number(
                    number="+14155551212",
                    send_digits="ww1",
                    status_callback="/number-status",
                    status_callback_event=tuple(CallProgressEvent),
                ),
                Sip(uri="sip:alice@example.com", username="admin", password="1234"),
            ),
            action="/dial-done",
            timeout_s=20,
            caller_id="+15558675310",
            record=DialRecord.RECORD_FROM_ANSWER_DUAL,
            trim=Trim.TRIM_SILENCE,
            recording_status_callback=RSC,
            recording_status_callback_method=CallbackMethod.GET,
            recording_status_callback_event=(RecordingEvent.IN_PROGRESS, RecordingEvent.COMPLETED),
            recording_track=Track.INBOUND,
            answer_on_bridge=True,
            ring_tone=RingTone.UK,
            hangup_on_star=True,
            time_limit_s=600,
        ),
    )


def test_dial_with_a_bare_number_and_the_record_alias() -> None:
    response = VoiceResponse()
    response.dial("+14155551212", record=True)
    document = parse(str(response))
    assert document.warnings == ()
    assert document.verbs == (
        Dial(targets=(Number(number="+14155551212"),), record=DialRecord.RECORD_FROM_ANSWER),
    )


def test_dial_conference() -> None:
    response = VoiceResponse()
    response.dial().conference(
        "Room 1",
        muted=True,
        beep="onEnter",
        start_conference_on_enter=False,
        end_conference_on_exit=True,
        record="record-from-start",
        trim="do-not-trim",
        recording_status_callback=RSC,
        recording_status_callback_event="completed absent",
        participant_label="agent",
    )
    document = parse(str(response))
    assert document.warnings == ()
    assert document.verbs == (
        Dial(
            targets=(
                Conference(
                    name="Room 1",
                    muted=True,
                    beep=ConferenceBeep.ON_ENTER,
                    start_conference_on_enter=False,
                    end_conference_on_exit=True,
                    record=ConferenceRecord.RECORD_FROM_START,
                    trim=Trim.DO_NOT_TRIM,
                    recording_status_callback=RSC,
                    recording_status_callback_event=(RecordingEvent.COMPLETED, RecordingEvent.ABSENT),
                    participant_label="agent",
                ),
            ),
        ),
    )


def test_record() -> None:
    response = VoiceResponse()
    response.record(
        action="/voicemail",
        timeout=0,
        finish_on_key="#",
        max_length=30,
        play_beep=False,
        trim="do-not-trim",
        recording_status_callback=RSC,
        recording_status_callback_event="in-progress completed absent",
        transcribe=True,
        transcribe_callback="/transcript",
    )
    document = parse(str(response))
    assert document.warnings == ()
    assert document.verbs == (
        Record(
            action="/voicemail",
            timeout_s=0,
            finish_on_key="#",
            max_length_s=30,
            play_beep=False,
            trim=Trim.DO_NOT_TRIM,
            recording_status_callback=RSC,
            recording_status_callback_event=(
                RecordingEvent.IN_PROGRESS,
                RecordingEvent.COMPLETED,
                RecordingEvent.ABSENT,
            ),
            transcribe=True,
            transcribe_callback="/transcript",
        ),
    )


def test_start_and_stop_recording() -> None:
    response = VoiceResponse()
    # The SDK's Recording builder has no ``name`` parameter; it goes through kwargs
    # (twilio.com/docs/voice/twiml/recording).
    response.start(action="/started").recording(
        name="compliance",
        recording_status_callback=RSC,
        recording_status_callback_event="in-progress completed",
        trim="do-not-trim",
        track="inbound",
        channels="mono",
    )
    # Nor does its Stop builder have recording(); nest the element by hand.
    response.stop().nest(SdkRecording(name="compliance"))
    document = parse(str(response))
    assert document.warnings == ()
    assert document.verbs == (
        Start(
            children=(
                Recording(
                    name="compliance",
                    recording_status_callback=RSC,
                    recording_status_callback_event=(RecordingEvent.IN_PROGRESS, RecordingEvent.COMPLETED),
                    trim=Trim.DO_NOT_TRIM,
                    track=Track.INBOUND,
                    channels=Channels.MONO,
                ),
            ),
            action="/started",
        ),
        Stop(children=(Recording(name="compliance"),)),
    )


def test_a_recording_configuration_id_alone_on_every_recording_element() -> None:
    response = VoiceResponse()
    response.start().recording(recording_configuration_id=CONFIGURATION_ID)
    response.dial("+14155551212", record="record-from-answer", recording_configuration_id=CONFIGURATION_ID)
    response.dial().conference(
        "Room 1", record="record-from-start", recording_configuration_id=CONFIGURATION_ID
    )
    response.record(action="/voicemail", recording_configuration_id=CONFIGURATION_ID)
    document = parse(str(response))
    assert document.warnings == ()
    assert document.verbs == (
        Start(children=(Recording(recording_configuration_id=CONFIGURATION_ID),)),
        Dial(
            targets=(Number(number="+14155551212"),),
            record=DialRecord.RECORD_FROM_ANSWER,
            recording_configuration_id=CONFIGURATION_ID,
        ),
        Dial(
            targets=(
                Conference(
                    name="Room 1",
                    record=ConferenceRecord.RECORD_FROM_START,
                    recording_configuration_id=CONFIGURATION_ID,
                ),
            ),
        ),
        Record(action="/voicemail", recording_configuration_id=CONFIGURATION_ID),
    )


def test_a_recording_configuration_id_with_recording_attributes_is_refused() -> None:
    # Twilio: "either a Voice Recording Configuration ID or programmatic parameters, but not both"
    # (twilio.com/docs/configurations/recording-configuration-resource; docs/compatibility.md); phonograph
    # refuses the document, naming both (12200).
    response = VoiceResponse()
    response.dial(
        "+14155551212",
        record="record-from-answer-dual",
        recording_track="inbound",
        recording_configuration_id=CONFIGURATION_ID,
    )
    with pytest.raises(TwimlError) as caught:
        parse(str(response))
    assert caught.value.code == 12200
    assert caught.value.status == 400
    assert caught.value.message == (
        "<Dial> on line 1: recordingConfigurationId cannot be combined with "
        'record="record-from-answer-dual", recordingTrack: use one or the other.'
    )


def test_redirect_hangup_reject() -> None:
    response = VoiceResponse()
    response.redirect("/next", method="GET")
    response.hangup()
    response.reject(reason="busy")
    document = parse(str(response))
    assert document.warnings == ()
    assert document.verbs == (
        Redirect(url="/next", method=HttpMethod.GET),
        Hangup(),
        Reject(reason=RejectReason.BUSY),
    )
