"""SIP Domains and the lists mapped to them (``/2010-04-01/Accounts/{AccountSid}/SIP/Domains``)
through the official SDK and raw requests checked against Twilio's schema."""

from __future__ import annotations

import pytest

from tests.conftest import TestAccount
from tests.support.api import assert_error, assert_invalid, assert_not_found, ok_json, sid_pattern

PASSWORD = "IWasAtPhonograph2026"


def domains_path(account_sid: str) -> str:
    return f"/2010-04-01/Accounts/{account_sid}/SIP/Domains"


def unique_name(account: TestAccount, label: str) -> str:
    """Domain names are unique on the server, which the session's tests share."""
    return f"{label}-{account.sid[-8:].lower()}.sip.twilio.com"


def test_a_domain_is_made_with_twilios_defaults_changed_and_deleted(account: TestAccount) -> None:
    name = unique_name(account, "Acme")
    made = account.client.sip.domains.create(domain_name=name, voice_url="https://app.example/voice")
    assert sid_pattern("SD").fullmatch(made.sid)
    raw = ok_json(account.http.get(f"{domains_path(account.sid)}/{made.sid}.json"))
    assert raw["domain_name"] == name.lower()
    assert (raw["voice_url"], raw["voice_method"], raw["voice_fallback_url"]) == (
        "https://app.example/voice",
        "POST",
        None,
    )
    assert (raw["auth_type"], raw["sip_registration"], raw["secure"], raw["emergency_calling_enabled"]) == (
        None,
        False,
        False,
        False,
    )
    path = f"{domains_path(account.sid)}/{made.sid}"
    assert raw["subresource_uris"] == {
        "credential_list_mappings": f"{path}/CredentialListMappings.json",
        "ip_access_control_list_mappings": f"{path}/IpAccessControlListMappings.json",
    }
    changed = account.client.sip.domains(made.sid).update(
        friendly_name="front desk", voice_method="GET", sip_registration=True, voice_url=""
    )
    assert (changed.friendly_name, changed.voice_method, changed.sip_registration, changed.voice_url) == (
        "front desk",
        "GET",
        True,
        None,
    )
    assert [domain.sid for domain in account.client.sip.domains.list()] == [made.sid]
    assert account.client.sip.domains(made.sid).delete()
    assert_not_found(account.http.get(f"{domains_path(account.sid)}/{made.sid}.json"))


@pytest.mark.parametrize(
    ("fields", "mentions"),
    [
        ({}, "DomainName"),
        ({"DomainName": "nodots"}, "DomainName"),
        ({"DomainName": "bad_label.sip.twilio.com"}, "DomainName"),
        ({"DomainName": "-lead.sip.twilio.com"}, "DomainName"),
        ({"DomainName": "ok.sip.twilio.com", "VoiceUrl": "ftp://app.example"}, "VoiceUrl"),
        ({"DomainName": "ok.sip.twilio.com", "VoiceMethod": "PUT"}, "VoiceMethod"),
        ({"DomainName": "ok.sip.twilio.com", "EmergencyCallingEnabled": "true"}, "EmergencyCallingEnabled"),
        ({"DomainName": "ok.sip.twilio.com", "ByocTrunkSid": "BY" + "0" * 32}, "ByocTrunkSid"),
    ],
)
def test_what_twilio_would_refuse_or_phonograph_does_not_serve_is_refused(
    account: TestAccount, fields: dict[str, str], mentions: str
) -> None:
    assert_invalid(account.http.post(f"{domains_path(account.sid)}.json", data=fields), mentions)
    assert account.client.sip.domains.list() == []


def test_a_domain_name_is_unique_on_the_server(account: TestAccount, other_account: TestAccount) -> None:
    name = unique_name(account, "taken")
    account.client.sip.domains.create(domain_name=name)
    refused = other_account.http.post(
        f"{domains_path(other_account.sid)}.json", data={"DomainName": name.upper()}
    )
    assert_error(refused, 409, 20409, mentions=name)


def test_lists_are_mapped_for_calls_and_registrations_and_say_so_in_auth_type(account: TestAccount) -> None:
    domain = account.client.sip.domains.create(domain_name=unique_name(account, "mapped"))
    credentials = account.client.sip.credential_lists.create(friendly_name="agents")
    addresses = account.client.sip.ip_access_control_lists.create(friendly_name="pbx")
    calls = account.client.sip.domains(domain.sid).auth.calls
    by_credentials = calls.credential_list_mappings.create(credential_list_sid=credentials.sid)
    assert (by_credentials.sid, by_credentials.friendly_name) == (credentials.sid, "agents")
    assert account.client.sip.domains(domain.sid).fetch().auth_type == "CREDENTIAL_LIST"
    calls.ip_access_control_list_mappings.create(ip_access_control_list_sid=addresses.sid)
    assert account.client.sip.domains(domain.sid).fetch().auth_type == "IP_ACL,CREDENTIAL_LIST"
    registrations = account.client.sip.domains(domain.sid).auth.registrations.credential_list_mappings
    registrations.create(credential_list_sid=credentials.sid)
    assert [item.sid for item in registrations.list()] == [credentials.sid]
    # The older paths show the same call mappings, with their domain and URI.
    legacy = ok_json(
        account.http.get(f"{domains_path(account.sid)}/{domain.sid}/CredentialListMappings.json")
    )
    [mapping] = legacy["credential_list_mappings"]
    assert (mapping["sid"], mapping["domain_sid"]) == (credentials.sid, domain.sid)
    assert (
        mapping["uri"]
        == f"{domains_path(account.sid)}/{domain.sid}/CredentialListMappings/{credentials.sid}.json"
    )
    path = f"{domains_path(account.sid)}/{domain.sid}/Auth/Calls/CredentialListMappings.json"
    assert_error(account.http.post(path, data={"CredentialListSid": credentials.sid}), 409, 20409)
    calls.credential_list_mappings(credentials.sid).delete()
    assert account.client.sip.domains(domain.sid).fetch().auth_type == "IP_ACL"
    account.client.sip.ip_access_control_lists(addresses.sid).delete()  # a deleted list is unmapped
    assert account.client.sip.domains(domain.sid).fetch().auth_type is None
    assert [item.sid for item in registrations.list()] == [credentials.sid]


def test_only_the_accounts_own_lists_of_the_right_kind_can_be_mapped(
    account: TestAccount, other_account: TestAccount
) -> None:
    domain = account.client.sip.domains.create(domain_name=unique_name(account, "own"))
    theirs = other_account.client.sip.credential_lists.create(friendly_name="theirs")
    addresses = account.client.sip.ip_access_control_lists.create(friendly_name="mine")
    path = f"{domains_path(account.sid)}/{domain.sid}/Auth/Calls/CredentialListMappings.json"
    assert_invalid(account.http.post(path, data={"CredentialListSid": theirs.sid}), "CredentialListSid")
    assert_invalid(account.http.post(path, data={"CredentialListSid": addresses.sid}), "CredentialListSid")
    assert_invalid(account.http.post(path, data={}), "CredentialListSid")
    others = f"{domains_path(other_account.sid)}/{domain.sid}"
    assert_not_found(other_account.http.get(f"{others}.json"))
    assert_not_found(other_account.http.get(f"{others}/Auth/Calls/CredentialListMappings.json"))
    assert_not_found(other_account.http.delete(f"{others}.json"))
