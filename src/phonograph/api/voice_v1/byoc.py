"""BYOC trunking's resources (https://www.twilio.com/docs/voice/bring-your-own-carrier-byoc/api):
ByocTrunks, ConnectionPolicies and their Targets, IpRecords and SourceIpMappings. What they do on
calls is in sip/admission.py (source IP mappings let a carrier in), calls/sip_line.py (a trunk's
domain runs its app) and calls/byoc.py (Targets of the trunk's policy are dialled).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from phonograph.api.params import Params
from phonograph.api.v2010.common import ipv4_param, method_param, url_param
from phonograph.api.voice_v1.resources import V1Resource
from phonograph.calls import target_uri
from phonograph.core import CallbackMethod, InvalidParameter, iso8601
from phonograph.store import (
    BYOC_NAME_MAX_CHARS,
    BYOC_TRUNKS,
    CONNECTION_POLICIES,
    CONNECTION_POLICY_TARGETS,
    IP_RECORDS,
    SOURCE_IP_MAPPINGS,
    URL_MAX_CHARS,
    ByocKind,
    ByocRepo,
    ByocTrunk,
    ConnectionPolicy,
    ConnectionPolicyTarget,
    IpRecord,
    SipDomainRepo,
    SourceIpMapping,
)

POST = CallbackMethod.POST.value
TARGET_DEFAULT_PRIORITY = 10
TARGET_DEFAULT_WEIGHT = 10
"""Twilio's defaults (https://www.twilio.com/docs/voice/bring-your-own-carrier-byoc/api/connectionpolicytarget-resource)."""
MAX_TARGETS = 10
"""phonograph's bound on one policy's targets: a call may try each of them in turn."""


def _dates(item: Any, url: str) -> dict[str, Any]:
    return {
        "date_created": iso8601(item.date_created),
        "date_updated": iso8601(item.date_updated),
        "url": url,
    }


def _friendly_name(params: Params, current: str | None) -> str | None:
    name = params.get_str("FriendlyName", max_length=BYOC_NAME_MAX_CHARS)
    return current if name is None else name or None


async def _reference(
    params: Params,
    name: str,
    current: str | None,
    kind: ByocKind[Any] | None,
    session: AsyncSession,
    account: str,
) -> str | None:
    """The SID parameter ``name``, which must name one of the account's resources (of ``kind``,
    or a SIP Domain); an empty value clears it."""
    sid = params.get_str(name, max_length=34)
    if sid is None:
        return current
    if not sid:
        return None
    if kind is None:
        exists = await SipDomainRepo(session).get_for_account(account, sid) is not None
    else:
        exists = await ByocRepo(session, kind).get_for_account(account, sid) is not None
    if not exists:
        raise InvalidParameter(f"{name} {sid!r} is not a resource of this account")
    return sid


async def _trunk(
    params: Params, current: ByocTrunk | None, session: AsyncSession, account: str
) -> dict[str, Any]:
    cnam = params.get_bool("CnamLookupEnabled")
    return {
        "friendly_name": _friendly_name(params, None if current is None else current.friendly_name),
        "voice_url": url_param(params, "VoiceUrl", None if current is None else current.voice_url),
        "voice_method": method_param(params, "VoiceMethod", current.voice_method if current else POST),
        "voice_fallback_url": url_param(
            params, "VoiceFallbackUrl", None if current is None else current.voice_fallback_url
        ),
        "voice_fallback_method": method_param(
            params, "VoiceFallbackMethod", current.voice_fallback_method if current else POST
        ),
        "status_callback_url": url_param(
            params, "StatusCallbackUrl", None if current is None else current.status_callback_url
        ),
        "status_callback_method": method_param(
            params, "StatusCallbackMethod", current.status_callback_method if current else POST
        ),
        "cnam_lookup_enabled": (current.cnam_lookup_enabled if current else False) if cnam is None else cnam,
        "connection_policy_sid": await _reference(
            params,
            "ConnectionPolicySid",
            None if current is None else current.connection_policy_sid,
            CONNECTION_POLICIES,
            session,
            account,
        ),
        "from_domain_sid": await _reference(
            params,
            "FromDomainSid",
            None if current is None else current.from_domain_sid,
            None,
            session,
            account,
        ),
    }


def _trunk_json(trunk: ByocTrunk, url: str) -> dict[str, Any]:
    return {
        "account_sid": trunk.account_sid,
        "sid": trunk.sid,
        "friendly_name": trunk.friendly_name,
        "voice_url": trunk.voice_url,
        "voice_method": trunk.voice_method,
        "voice_fallback_url": trunk.voice_fallback_url,
        "voice_fallback_method": trunk.voice_fallback_method,
        "status_callback_url": trunk.status_callback_url,
        "status_callback_method": trunk.status_callback_method,
        "cnam_lookup_enabled": trunk.cnam_lookup_enabled,
        "connection_policy_sid": trunk.connection_policy_sid,
        "from_domain_sid": trunk.from_domain_sid,
        **_dates(trunk, url),
    }


async def _policy(
    params: Params, current: ConnectionPolicy | None, _session: AsyncSession, _account: str
) -> dict[str, Any]:
    return {"friendly_name": _friendly_name(params, None if current is None else current.friendly_name)}


def _policy_json(policy: ConnectionPolicy, url: str) -> dict[str, Any]:
    return {
        "account_sid": policy.account_sid,
        "sid": policy.sid,
        "friendly_name": policy.friendly_name,
        "links": {"targets": f"{url}/Targets"},
        **_dates(policy, url),
    }


def _sip_target(params: Params, current: str | None) -> str:
    target = params.get_str("Target", max_length=URL_MAX_CHARS)
    if target is None and current is not None:
        return current
    if not target:
        raise InvalidParameter("Target is required")
    try:
        target_uri(target)
    except ValueError:
        raise InvalidParameter(f"Target must be a sip: URI with a host; got {target[:80]!r}") from None
    return target


async def _target(
    params: Params, current: ConnectionPolicyTarget | None, _session: AsyncSession, _account: str
) -> dict[str, Any]:
    priority = params.get_int("Priority", minimum=0, maximum=65535)
    weight = params.get_int("Weight", minimum=1, maximum=65535)
    enabled = params.get_bool("Enabled")
    return {
        "friendly_name": _friendly_name(params, None if current is None else current.friendly_name),
        "target": _sip_target(params, None if current is None else current.target),
        "priority": (current.priority if current else TARGET_DEFAULT_PRIORITY)
        if priority is None
        else priority,
        "weight": (current.weight if current else TARGET_DEFAULT_WEIGHT) if weight is None else weight,
        "enabled": (current.enabled if current else True) if enabled is None else enabled,
    }


def _target_json(target: ConnectionPolicyTarget, url: str) -> dict[str, Any]:
    return {
        "account_sid": target.account_sid,
        "connection_policy_sid": target.connection_policy_sid,
        "sid": target.sid,
        "friendly_name": target.friendly_name,
        "target": target.target,
        "priority": target.priority,
        "weight": target.weight,
        "enabled": target.enabled,
        **_dates(target, url),
    }


async def _ip_record(
    params: Params, current: IpRecord | None, _session: AsyncSession, _account: str
) -> dict[str, Any]:
    name = {"friendly_name": _friendly_name(params, None if current is None else current.friendly_name)}
    if current is not None:
        return name  # only the name changes (the update takes FriendlyName alone)
    address = ipv4_param(params, "IpAddress")
    if address is None:
        raise InvalidParameter("IpAddress is required")
    length = params.get_int("CidrPrefixLength", minimum=0, maximum=32)
    return {**name, "ip_address": address, "cidr_prefix_length": 32 if length is None else length}


def _ip_record_json(record: IpRecord, url: str) -> dict[str, Any]:
    return {
        "account_sid": record.account_sid,
        "sid": record.sid,
        "friendly_name": record.friendly_name,
        "ip_address": record.ip_address,
        "cidr_prefix_length": record.cidr_prefix_length,
        **_dates(record, url),
    }


async def _mapping(
    params: Params, current: SourceIpMapping | None, session: AsyncSession, account: str
) -> dict[str, Any]:
    names = ("IpRecordSid", "SipDomainSid") if current is None else ("SipDomainSid",)
    for name in names:
        if not params.get_str(name):
            raise InvalidParameter(f"{name} is required")
    values: dict[str, Any] = {
        "sip_domain_sid": await _reference(params, "SipDomainSid", None, None, session, account)
    }
    if current is None:
        values["ip_record_sid"] = await _reference(params, "IpRecordSid", None, IP_RECORDS, session, account)
    return values


def _mapping_json(mapping: SourceIpMapping, url: str) -> dict[str, Any]:
    return {
        "sid": mapping.sid,
        "ip_record_sid": mapping.ip_record_sid,
        "sip_domain_sid": mapping.sip_domain_sid,
        **_dates(mapping, url),
    }


RESOURCES: tuple[V1Resource[Any], ...] = (
    V1Resource(BYOC_TRUNKS, "/ByocTrunks", "byoc_trunks", "BY", _trunk, _trunk_json),
    V1Resource(
        CONNECTION_POLICIES, "/ConnectionPolicies", "connection_policies", "NY", _policy, _policy_json
    ),
    V1Resource(
        CONNECTION_POLICY_TARGETS,
        "/ConnectionPolicies/{parent_sid}/Targets",
        "targets",
        "NE",
        _target,
        _target_json,
        parent=(CONNECTION_POLICIES, "connection_policy_sid"),
        max_per_parent=MAX_TARGETS,
    ),
    V1Resource(IP_RECORDS, "/IpRecords", "ip_records", "IL", _ip_record, _ip_record_json),
    V1Resource(SOURCE_IP_MAPPINGS, "/SourceIpMappings", "source_ip_mappings", "IB", _mapping, _mapping_json),
)
