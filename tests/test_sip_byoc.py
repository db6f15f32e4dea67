"""BYOC trunks on real SIP (issue 15), sipp as the carrier on loopback. A carrier's INVITE to its
trunk's SIP Domain is let in by an IP record mapped to the domain and runs the called number's app
(or the trunk's, for a number the account does not have) between E.164 numbers; a call placed with
``Byoc`` or ``<Number byoc>`` reaches the number at the trunk's targets, the next priority tried
when one answers 5xx."""

from __future__ import annotations

import re
from pathlib import Path

from phonograph.testing.kit import fresh_number, wait_for_call
from phonograph.testing.server import ServerProcess
from phonograph.testing.webapp import WebApp
from tests.support.api import rest_error
from tests.support.notifications import call_notifications
from tests.test_sip_calls import sip_app_server
from tests.test_sip_dial import callee, caller_phone, finished
from tests.test_sip_edge import domain_options, main_client, passed, sipp

__all__ = ["caller_phone", "sip_app_server"]

CARRIER_CALLER = "+15550107777"


def test_a_carriers_call_runs_the_called_numbers_app_or_its_trunks_between_e164_numbers(
    sip_app_server: tuple[ServerProcess, int, WebApp], tmp_path: Path
) -> None:
    server, port, app = sip_app_server
    client = main_client(server)
    # <Reject/>: the app has run (its webhook says what it was given) and the INVITE gets 603.
    trunk_voice = app.twiml("/trunk", "<Response><Reject/></Response>")
    number_voice = app.twiml("/number", "<Response><Reject/></Response>")
    trunk = client.voice.v1.byoc_trunks.create(voice_url=trunk_voice)
    domain = client.sip.domains.create(domain_name="carrier.sip.twilio.com", byoc_trunk_sid=trunk.sid)
    owned, elsewhere = fresh_number(), fresh_number()
    client.incoming_phone_numbers.create(phone_number=owned, voice_url=number_voice)
    from_carrier = {"sip:caller@": f"sip:{CARRIER_CALLER}@"}

    def invite(to: str, final: str) -> None:
        options = domain_options(domain.domain_name, username=to)
        passed(sipp("invite_domain.xml", port, tmp_path, *options, final=final, fill=from_carrier))

    invite(owned, "403")  # nothing mapped to the domain lets the carrier in yet
    record = client.voice.v1.ip_records.create(ip_address="127.0.0.0", cidr_prefix_length=8)
    client.voice.v1.source_ip_mappings.create(ip_record_sid=record.sid, sip_domain_sid=domain.sid)
    invite(owned, "603")
    invite(elsewhere, "603")
    [to_number] = app.wait_for("/number")
    [to_trunk] = app.wait_for("/trunk")
    for hit, to in ((to_number, owned), (to_trunk, elsewhere)):
        assert hit.signature_valid
        assert (hit.param("To"), hit.param("From"), hit.param("Direction")) == (to, CARRIER_CALLER, "inbound")
        assert hit.param("SipDomainSid") == domain.sid


def test_a_call_through_a_trunk_fails_over_from_a_5xx_target_to_the_next_priority(
    sip_app_server: tuple[ServerProcess, int, WebApp], tmp_path: Path
) -> None:
    server, _, _app = sip_app_server
    client = main_client(server)
    number = fresh_number()
    refuser, refuser_port = callee("callee_refuses.xml", tmp_path, {"FINAL": "503"})
    # The trunk's From domain is the host of the INVITE's From.
    from_domain = client.sip.domains.create(domain_name="carrier-out.sip.twilio.com")
    fill = {"NUMBER": re.escape(number), "FROMHOST": re.escape(from_domain.domain_name)}
    carrier, carrier_port = callee("carrier_answers.xml", tmp_path, fill)
    policy = client.voice.v1.connection_policies.create(friendly_name="two SBCs")
    targets = client.voice.v1.connection_policies(policy.sid).targets
    targets.create(target=f"sip:127.0.0.1:{carrier_port}", priority=1)
    targets.create(target=f"sip:127.0.0.1:{refuser_port}", priority=0)
    trunk = client.voice.v1.byoc_trunks.create(
        connection_policy_sid=policy.sid, from_domain_sid=from_domain.sid
    )
    call = client.calls.create(
        to=number, from_="+15550009999", twiml="<Response><Pause length='1'/></Response>", byoc=trunk.sid
    )
    finished(refuser)  # it was tried first, and refused with 503
    finished(carrier)  # then the next priority: the number at its host, answered, and the BYE
    assert wait_for_call(client, call.sid).status == "completed"


def test_dial_number_byoc_reaches_the_number_at_the_trunks_target(
    sip_app_server: tuple[ServerProcess, int, WebApp], caller_phone: str, tmp_path: Path
) -> None:
    server, _, app = sip_app_server
    client = main_client(server)
    number = fresh_number()
    # Without a From domain, the From host is phonograph's own address.
    fill = {"NUMBER": re.escape(number), "FROMHOST": re.escape("127.0.0.1")}
    carrier, carrier_port = callee("carrier_answers.xml", tmp_path, fill)
    policy = client.voice.v1.connection_policies.create()
    client.voice.v1.connection_policies(policy.sid).targets.create(target=f"sip:127.0.0.1:{carrier_port}")
    trunk = client.voice.v1.byoc_trunks.create(connection_policy_sid=policy.sid)
    dialed = app.twiml("/dialed", "<Response><Hangup/></Response>")
    twiml = (
        f"<Response><Dial action='{dialed}' timeLimit='1'>"
        f"<Number byoc='{trunk.sid}'>{number}</Number></Dial></Response>"
    )
    client.calls.create(to=caller_phone, from_="+15550009999", twiml=twiml)
    finished(carrier)
    [hit] = app.wait_for("/dialed")
    assert hit.param("DialCallStatus") == "completed"


def test_a_trunk_without_an_enabled_target_warns_32401_and_calls_the_number_as_any_other(
    sip_app_server: tuple[ServerProcess, int, WebApp], caller_phone: str
) -> None:
    server, _, app = sip_app_server
    client = main_client(server)
    policy = client.voice.v1.connection_policies.create()
    client.voice.v1.connection_policies(policy.sid).targets.create(target="sip:127.0.0.1:9", enabled=False)
    trunk = client.voice.v1.byoc_trunks.create(connection_policy_sid=policy.sid)
    dialed = app.twiml("/dialed", "<Response><Hangup/></Response>")
    twiml = (
        f"<Response><Dial action='{dialed}' timeLimit='1'>"
        f"<Number byoc='{trunk.sid}'>{fresh_number()}</Number></Dial></Response>"
    )
    client.calls.create(to=caller_phone, from_="+15550009999", twiml=twiml)
    [hit] = app.wait_for("/dialed")
    # The number nobody scripted answers as a silent line, as it would without the trunk.
    assert hit.param("DialCallStatus") == "completed"
    notices = call_notifications(client, str(hit.param("DialCallSid")))
    assert [notice.error_code for notice in notices] == [32401]


def test_calls_create_refuses_a_byoc_that_is_not_a_trunk_of_the_account(
    sip_app_server: tuple[ServerProcess, int, WebApp],
) -> None:
    server, _, _app = sip_app_server
    client = main_client(server)
    refused = rest_error(
        lambda: client.calls.create(
            to=fresh_number(), from_="+15550009999", twiml="<Response/>", byoc="BY" + "0" * 32
        )
    )
    assert (refused.status, "Byoc" in str(refused.msg)) == (400, True)
    assert client.calls.list() == []
