"""``<Gather input="dtmf">`` on a live call: a virtual phone presses keys, the app gets ``Digits``.

Behaviour is Twilio's (https://www.twilio.com/docs/voice/twiml/gather): ``numDigits`` and
``finishOnKey`` end input (the key is not part of ``Digits`` and comes as ``FinishedOnKey``);
``timeout`` seconds without a key end it too, and with no digits the next verb runs and no action
request is made (unless ``actionOnEmptyResult``); ``action`` defaults to the current document's URL
and ``method`` to POST; the first key stops the nested prompt (barge-in).
"""

from __future__ import annotations

from phonograph.testing.audio import active_spans, has_speech
from phonograph.testing.kit import add_phone, fresh_number, wait_for_call
from phonograph.testing.webapp import Hit, WebApp
from tests.conftest import TestAccount
from tests.support.callflow import assert_standard_request, place
from tests.support.calls import tracks

RATE_HZ = 8000
THANKS = "<Response><Say>Thank you.</Say></Response>"
LONG_PROMPT = (
    "Welcome to the automated service line. For billing questions and payments, press one. "
    "For technical support with your internet, television or phone service, press two. "
    "To hear these options again, please stay on the line."
)


def phone_pressing(account: TestAccount, digits: str, after_s: int = 1) -> str:
    """A virtual phone that answers at once and presses ``digits`` after ``after_s`` seconds."""
    number = fresh_number()
    twiml = f"<Response><Pause length='{after_s}'/><Play digits='{digits}'/></Response>"
    add_phone(account.http, number, twiml, answer_after_s=0)
    return number


def gather_call(account: TestAccount, number: str, gather_attributes: str, *, after: str = "") -> str:
    """Call ``number`` with a Gather (with these attributes) around a short prompt."""
    twiml = (
        f"<Response><Gather {gather_attributes}><Say>Please enter your code.</Say></Gather>{after}</Response>"
    )
    return place(account, twiml, to=number)


def test_num_digits_ends_input_and_the_action_gets_the_digits(account: TestAccount, webapp: WebApp) -> None:
    number = phone_pressing(account, "123")
    action = webapp.twiml("/gathered", THANKS)
    sid = gather_call(account, number, f"action='{action}' numDigits='2'")
    [hit] = webapp.wait_for("/gathered")
    assert hit.method == "POST"
    assert hit.param("Digits") == "12"
    assert hit.param("FinishedOnKey") is None
    assert_standard_request(hit, account, sid, number)
    assert wait_for_call(account.client, sid).status == "completed"


def test_finish_on_key_is_not_in_the_digits_and_is_sent_as_finished_on_key(
    account: TestAccount, webapp: WebApp
) -> None:
    number = phone_pressing(account, "45*6")
    action = webapp.twiml("/gathered", THANKS)
    sid = gather_call(account, number, f"action='{action}' finishOnKey='*'")
    [hit] = webapp.wait_for("/gathered")
    assert (hit.param("Digits"), hit.param("FinishedOnKey")) == ("45", "*")
    assert_standard_request(hit, account, sid, number)


def test_the_default_action_is_the_current_document_with_post(account: TestAccount, webapp: WebApp) -> None:
    number = phone_pressing(account, "7#")

    def menu(hit: Hit) -> str:
        if hit.param("Digits") is None:
            return "<Response><Gather><Say>Choose an option.</Say></Gather></Response>"
        return THANKS

    url = webapp.twiml("/menu", menu)
    sid = place(account, url=url, to=number)
    first, second = webapp.wait_for("/menu", count=2)
    assert first.param("Digits") is None
    assert second.method == "POST"
    assert (second.param("Digits"), second.param("FinishedOnKey")) == ("7", "#")
    assert_standard_request(second, account, sid, number)


def test_method_get_sends_the_params_in_the_query_string(account: TestAccount, webapp: WebApp) -> None:
    number = phone_pressing(account, "3")
    action = webapp.twiml("/gathered", THANKS)
    sid = gather_call(account, number, f"action='{action}?menu=main' method='GET' numDigits='1'")
    [hit] = webapp.wait_for("/gathered")
    assert hit.method == "GET"
    assert hit.form == {}
    assert hit.query["menu"] == ["main"]
    assert hit.query["Digits"] == ["3"]
    assert_standard_request(hit, account, sid, number)


def test_a_timeout_with_no_input_moves_on_to_the_next_verb(account: TestAccount, webapp: WebApp) -> None:
    action = webapp.twiml("/gathered", THANKS)
    after = webapp.twiml("/after", "<Response/>")
    to = fresh_number()  # a silent line: nobody presses anything
    sid = gather_call(account, to, f"action='{action}' timeout='2'", after=f"<Redirect>{after}</Redirect>")
    [hit] = webapp.wait_for("/after")
    assert_standard_request(hit, account, sid, to)
    assert wait_for_call(account.client, sid).status == "completed"
    assert webapp.count("/gathered") == 0


def test_action_on_empty_result_requests_the_action_with_empty_digits(
    account: TestAccount, webapp: WebApp
) -> None:
    action = webapp.twiml("/gathered", THANKS)
    after = webapp.twiml("/after", "<Response/>")
    to = fresh_number()
    sid = gather_call(
        account,
        to,
        f"action='{action}' timeout='1' actionOnEmptyResult='true'",
        after=f"<Redirect>{after}</Redirect>",
    )
    [hit] = webapp.wait_for("/gathered")
    assert hit.param("Digits") == ""
    assert_standard_request(hit, account, sid, to)
    assert wait_for_call(account.client, sid).status == "completed"
    assert webapp.count("/after") == 0  # the action's TwiML replaced the rest of the document


def test_a_key_pressed_during_a_long_prompt_stops_it(account: TestAccount, webapp: WebApp) -> None:
    number = phone_pressing(account, "5", after_s=2)
    action = webapp.twiml("/gathered", "<Response><Pause length='2'/></Response>")
    twiml = f"<Response><Gather action='{action}' numDigits='1'><Say>{LONG_PROMPT}</Say></Gather></Response>"
    sid = place(account, twiml, to=number)
    [hit] = webapp.wait_for("/gathered")
    assert hit.param("Digits") == "5"
    assert wait_for_call(account.client, sid).status == "completed"
    inbound, outbound = tracks(account.http, sid)
    [(press_start_s, press_end_s)] = active_spans(inbound, RATE_HZ)
    prompt = active_spans(outbound, RATE_HZ)
    # The prompt (about ten seconds long) was playing when the key went down ...
    assert has_speech(outbound[: int(press_start_s * RATE_HZ)], RATE_HZ)
    assert any(end > press_start_s - 0.5 for _, end in prompt), prompt
    # ... and stopped as soon as the key was released (RFC 4733 end of event).
    assert max(end for _, end in prompt) <= press_end_s + 0.1, (prompt, press_end_s)
