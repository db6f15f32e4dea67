"""BYOC trunking's resources (voice v1: ``/v1/ByocTrunks``, ``/v1/ConnectionPolicies`` and their
``Targets``, ``/v1/IpRecords``, ``/v1/SourceIpMappings``) through the official SDK and raw requests
checked against Twilio's schema. What they do on calls is in tests/test_sip_byoc.py."""

from __future__ import annotations

import re

import pytest

from tests.conftest import TestAccount
from tests.support.api import assert_invalid, assert_not_found, ok_json, sid_pattern
from tests.test_sip_domains import unique_name

ISO8601 = r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z"
LIST_KEYS = {
    "/v1/ByocTrunks": "byoc_trunks",
    "/v1/IpRecords": "ip_records",
    "/v1/SourceIpMappings": "source_ip_mappings",
}


def server_url(account: TestAccount) -> str:
    """Where v1 URLs point: the server the client reached (the SDK follows them as given)."""
    return str(account.http.base_url).rstrip("/")


def test_a_trunk_is_made_with_twilios_defaults_changed_listed_and_deleted(account: TestAccount) -> None:
    voice = account.client.voice.v1
    policy = voice.connection_policies.create(friendly_name="carrier")
    trunk = voice.byoc_trunks.create(
        friendly_name="carrier A", voice_url="https://app.example/trunk", connection_policy_sid=policy.sid
    )
    assert sid_pattern("BY").fullmatch(trunk.sid)
    raw = ok_json(account.http.get(f"/v1/ByocTrunks/{trunk.sid}"))
    assert raw["url"] == f"{server_url(account)}/v1/ByocTrunks/{trunk.sid}"
    assert (raw["voice_method"], raw["voice_fallback_url"], raw["cnam_lookup_enabled"]) == (
        "POST",
        None,
        False,
    )
    assert (raw["connection_policy_sid"], raw["from_domain_sid"], raw["account_sid"]) == (
        policy.sid,
        None,
        account.sid,
    )
    assert re.fullmatch(ISO8601, raw["date_created"])
    domain = account.client.sip.domains.create(domain_name=unique_name(account, "from"))
    changed = voice.byoc_trunks(trunk.sid).update(
        voice_method="GET", cnam_lookup_enabled=True, from_domain_sid=domain.sid, voice_url=""
    )
    assert (
        changed.voice_method,
        changed.cnam_lookup_enabled,
        changed.from_domain_sid,
        changed.voice_url,
    ) == (
        "GET",
        True,
        domain.sid,
        None,
    )
    assert changed.friendly_name == "carrier A"
    assert [item.sid for item in voice.byoc_trunks.list()] == [trunk.sid]
    # Deleting the policy and the domain leaves the trunk working without them.
    assert voice.connection_policies(policy.sid).delete()
    assert account.client.sip.domains(domain.sid).delete()
    left = voice.byoc_trunks(trunk.sid).fetch()
    assert (left.connection_policy_sid, left.from_domain_sid) == (None, None)
    assert voice.byoc_trunks(trunk.sid).delete()
    assert_not_found(account.http.get(f"/v1/ByocTrunks/{trunk.sid}"))


def test_a_policys_targets_have_twilios_defaults_page_through_the_sdk_and_go_with_it(
    account: TestAccount,
) -> None:
    voice = account.client.voice.v1
    policy = voice.connection_policies.create(friendly_name="two carriers")
    raw_policy = ok_json(account.http.get(f"/v1/ConnectionPolicies/{policy.sid}"))
    assert raw_policy["links"] == {"targets": f"{raw_policy['url']}/Targets"}
    targets = voice.connection_policies(policy.sid).targets
    first = targets.create(target="sip:sbc1.carrier.example")
    second = targets.create(target="sip:sbc2.carrier.example:5080;transport=udp", priority=0, weight=65535)
    assert sid_pattern("NE").fullmatch(first.sid)
    assert (first.priority, first.weight, first.enabled) == (10, 10, True)
    assert (second.priority, second.weight, second.connection_policy_sid) == (0, 65535, policy.sid)
    # One per page: the SDK follows meta.next_page_url, an absolute URL of this server.
    assert sorted(item.sid for item in targets.list(page_size=1)) == sorted([first.sid, second.sid])
    page = ok_json(account.http.get(f"/v1/ConnectionPolicies/{policy.sid}/Targets", params={"PageSize": 1}))
    assert page["meta"]["key"] == "targets"
    assert page["meta"]["next_page_url"].startswith(f"{server_url(account)}/v1/ConnectionPolicies/")
    disabled = targets(first.sid).update(enabled=False, friendly_name="spare")
    assert (disabled.enabled, disabled.friendly_name, disabled.target) == (False, "spare", first.target)
    assert voice.connection_policies(policy.sid).delete()
    assert_not_found(account.http.get(f"/v1/ConnectionPolicies/{policy.sid}/Targets/{second.sid}"))


def test_an_ip_record_is_mapped_to_a_domain_and_the_mapping_goes_with_the_record(
    account: TestAccount,
) -> None:
    voice = account.client.voice.v1
    record = voice.ip_records.create(ip_address="203.0.113.0", cidr_prefix_length=24, friendly_name="carrier")
    host = voice.ip_records.create(ip_address="198.51.100.9")
    assert sid_pattern("IL").fullmatch(record.sid)
    assert (record.cidr_prefix_length, host.cidr_prefix_length, host.friendly_name) == (24, 32, None)
    # Only the name changes on an update.
    renamed = voice.ip_records(host.sid).update(friendly_name="pbx")
    assert (renamed.friendly_name, renamed.ip_address) == ("pbx", "198.51.100.9")
    first = account.client.sip.domains.create(domain_name=unique_name(account, "carrier-in"))
    second = account.client.sip.domains.create(domain_name=unique_name(account, "carrier-in2"))
    mapping = voice.source_ip_mappings.create(ip_record_sid=record.sid, sip_domain_sid=first.sid)
    assert sid_pattern("IB").fullmatch(mapping.sid)
    moved = voice.source_ip_mappings(mapping.sid).update(sip_domain_sid=second.sid)
    assert (moved.sip_domain_sid, moved.ip_record_sid) == (second.sid, record.sid)
    assert [item.sid for item in voice.source_ip_mappings.list()] == [mapping.sid]
    assert voice.ip_records(record.sid).delete()
    assert voice.source_ip_mappings.list() == []


def test_a_domain_names_its_accounts_trunk_and_forgets_it_when_the_trunk_goes(account: TestAccount) -> None:
    trunk = account.client.voice.v1.byoc_trunks.create(friendly_name="carrier")
    domain = account.client.sip.domains.create(
        domain_name=unique_name(account, "trunked"), byoc_trunk_sid=trunk.sid
    )
    assert domain.byoc_trunk_sid == trunk.sid
    assert account.client.voice.v1.byoc_trunks(trunk.sid).delete()
    assert account.client.sip.domains(domain.sid).fetch().byoc_trunk_sid is None


@pytest.mark.parametrize(
    ("path", "fields", "mentions"),
    [
        ("/v1/ByocTrunks", {"VoiceUrl": "ftp://app.example"}, "VoiceUrl"),
        ("/v1/ByocTrunks", {"VoiceMethod": "PUT"}, "VoiceMethod"),
        ("/v1/ByocTrunks", {"ConnectionPolicySid": "NY" + "0" * 32}, "ConnectionPolicySid"),
        ("/v1/ByocTrunks", {"FromDomainSid": "SD" + "0" * 32}, "FromDomainSid"),
        ("/v1/ByocTrunks", {"FriendlyName": "x" * 256}, "FriendlyName"),
        ("/v1/IpRecords", {}, "IpAddress"),
        ("/v1/IpRecords", {"IpAddress": "2001:db8::1"}, "IpAddress"),
        ("/v1/IpRecords", {"IpAddress": "10.0.0.1", "CidrPrefixLength": "33"}, "CidrPrefixLength"),
        ("/v1/SourceIpMappings", {"SipDomainSid": "SD" + "0" * 32}, "IpRecordSid"),
    ],
)
def test_what_twilio_would_refuse_is_refused_and_nothing_is_made(
    account: TestAccount, path: str, fields: dict[str, str], mentions: str
) -> None:
    assert_invalid(account.http.post(path, data=fields), mentions)
    assert ok_json(account.http.get(path))[LIST_KEYS[path]] == []


@pytest.mark.parametrize(
    ("fields", "mentions"),
    [
        ({}, "Target"),
        ({"Target": "sips:sbc.carrier.example"}, "Target"),
        ({"Target": "https://sbc.carrier.example"}, "Target"),
        ({"Target": "sip:"}, "Target"),
        # URI headers would be read as the INVITE's headers when the target is dialled.
        ({"Target": "sip:sbc.carrier.example?X-Injected=1"}, "Target"),
        ({"Target": "sip:sbc carrier.example"}, "Target"),
        ({"Target": "sip:sbc.carrier.example", "Priority": "65536"}, "Priority"),
        ({"Target": "sip:sbc.carrier.example", "Weight": "0"}, "Weight"),
        ({"Target": "sip:sbc.carrier.example", "Enabled": "maybe"}, "Enabled"),
    ],
)
def test_a_target_twilio_would_refuse_is_refused(
    account: TestAccount, fields: dict[str, str], mentions: str
) -> None:
    policy = account.client.voice.v1.connection_policies.create()
    assert_invalid(account.http.post(f"/v1/ConnectionPolicies/{policy.sid}/Targets", data=fields), mentions)
    assert account.client.voice.v1.connection_policies(policy.sid).targets.list() == []


def test_a_policy_holds_a_bounded_number_of_targets(account: TestAccount) -> None:
    policy = account.client.voice.v1.connection_policies.create()
    for index in range(10):
        account.client.voice.v1.connection_policies(policy.sid).targets.create(
            target=f"sip:sbc{index}.example"
        )
    assert_invalid(
        account.http.post(
            f"/v1/ConnectionPolicies/{policy.sid}/Targets", data={"Target": "sip:one-more.example"}
        ),
        "at most 10",
    )


def test_one_account_never_reaches_anothers_byoc_resources(
    account: TestAccount, other_account: TestAccount
) -> None:
    voice = account.client.voice.v1
    policy = voice.connection_policies.create()
    target = voice.connection_policies(policy.sid).targets.create(target="sip:sbc.carrier.example")
    trunk = voice.byoc_trunks.create()
    record = voice.ip_records.create(ip_address="192.0.2.1")
    domain = account.client.sip.domains.create(domain_name=unique_name(account, "mine"))
    for path in (
        f"/v1/ByocTrunks/{trunk.sid}",
        f"/v1/ConnectionPolicies/{policy.sid}",
        f"/v1/ConnectionPolicies/{policy.sid}/Targets",
        f"/v1/ConnectionPolicies/{policy.sid}/Targets/{target.sid}",
        f"/v1/IpRecords/{record.sid}",
    ):
        assert_not_found(other_account.http.get(path))
        if not path.endswith("/Targets"):
            assert_not_found(other_account.http.delete(path))
    # Nor names them: not as its trunk's policy, its mapping's record or domain, its domain's trunk.
    assert_invalid(
        other_account.http.post("/v1/ByocTrunks", data={"ConnectionPolicySid": policy.sid}), policy.sid
    )
    other_record = other_account.client.voice.v1.ip_records.create(ip_address="192.0.2.2")
    assert_invalid(
        other_account.http.post(
            "/v1/SourceIpMappings", data={"IpRecordSid": other_record.sid, "SipDomainSid": domain.sid}
        ),
        domain.sid,
    )
    assert_invalid(
        other_account.http.post(
            "/2010-04-01/Accounts/" + other_account.sid + "/SIP/Domains.json",
            data={"DomainName": unique_name(other_account, "theirs"), "ByocTrunkSid": trunk.sid},
        ),
        "ByocTrunkSid",
    )
    # A target under another account's policy is not found through one's own policy either.
    mine = other_account.client.voice.v1.connection_policies.create()
    assert_not_found(other_account.http.get(f"/v1/ConnectionPolicies/{mine.sid}/Targets/{target.sid}"))
