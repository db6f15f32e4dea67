"""SIP Domains (OpenAPI ``api.v2010.account.sip.sip_domain``,
https://www.twilio.com/docs/voice/sip/api/sip-domain-resource): the name a SIP Request-URI carries
to reach an account's ``VoiceUrl``, and the lists that let callers in (sip_domain_mappings.py).

A domain name is a DNS name, unique on the server; Twilio's own end in ``sip.twilio.com``, and
phonograph takes those as written so that code made for Twilio runs unchanged, and any other name
too (docs/compatibility.md, "SIP"). A domain may name the BYOC trunk whose carrier calls in
through it (``ByocTrunkSid``). Emergency calling is not served: asking for it is refused rather
than ignored.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from phonograph.api.auth import Authenticated, not_found, reach_account
from phonograph.api.context import ApiContext, Context
from phonograph.api.paging import PageRequest, render_page
from phonograph.api.params import Params
from phonograph.api.v2010.common import (
    API_VERSION,
    account_path,
    form_params,
    method_param,
    query_params,
    url_param,
)
from phonograph.core import CallbackMethod, InvalidParameter, new_sid, rfc2822
from phonograph.store import (
    BYOC_TRUNKS,
    FRIENDLY_NAME_MAX_CHARS,
    Account,
    ByocRepo,
    DomainSettings,
    MappingPurpose,
    SipDomain,
    SipDomainMappingRepo,
    SipDomainRepo,
)

log = logging.getLogger(__name__)
router = APIRouter(prefix="/Accounts/{account_sid}/SIP/Domains")

# RFC 1035 §2.3.1 labels (letters, digits, inner hyphens, 1–63 characters), at least two of them.
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_DOMAIN_NAME = re.compile(rf"(?=.{{1,253}}$){_LABEL}(?:\.{_LABEL})+")
# The order Twilio lists them in ``auth_type``, and the SID prefix of each kind of list.
AUTH_TYPES = (("IP_ACL", "AL"), ("CREDENTIAL_LIST", "CL"))


def domain_path(account_sid: str, sid: str) -> str:
    return f"{account_path(account_sid)}/SIP/Domains/{sid}"


def domain_json(domain: SipDomain, mapped: list[str]) -> dict[str, Any]:
    """``mapped``: the SIDs of the lists mapped to the domain for calls (its ``auth_type``)."""
    path = domain_path(domain.account_sid, domain.sid)
    auth_types = [name for name, prefix in AUTH_TYPES if any(sid.startswith(prefix) for sid in mapped)]
    return {
        "account_sid": domain.account_sid,
        "api_version": API_VERSION,
        "auth_type": ",".join(auth_types) or None,
        "byoc_trunk_sid": domain.byoc_trunk_sid,
        "date_created": rfc2822(domain.date_created),
        "date_updated": rfc2822(domain.date_updated),
        "domain_name": domain.domain_name,
        "emergency_caller_sid": None,
        "emergency_calling_enabled": False,
        "friendly_name": domain.friendly_name,
        "secure": domain.secure,
        "sid": domain.sid,
        "sip_registration": domain.sip_registration,
        "subresource_uris": {
            "credential_list_mappings": f"{path}/CredentialListMappings.json",
            "ip_access_control_list_mappings": f"{path}/IpAccessControlListMappings.json",
        },
        "uri": f"{path}.json",
        "voice_fallback_method": domain.voice_fallback_method,
        "voice_fallback_url": domain.voice_fallback_url,
        "voice_method": domain.voice_method,
        "voice_status_callback_method": domain.voice_status_callback_method,
        "voice_status_callback_url": domain.voice_status_callback_url,
        "voice_url": domain.voice_url,
    }


DEFAULTS = DomainSettings(
    friendly_name=None,
    voice_url=None,
    voice_method=CallbackMethod.POST.value,
    voice_fallback_url=None,
    voice_fallback_method=CallbackMethod.POST.value,
    voice_status_callback_url=None,
    voice_status_callback_method=CallbackMethod.POST.value,
    sip_registration=False,
    secure=False,
    byoc_trunk_sid=None,
)


def _domain_name(params: Params, current: str | None) -> str:
    name = params.get_str("DomainName")
    if name is None and current is not None:
        return current
    if not name:
        raise InvalidParameter("DomainName is required")
    name = name.lower()
    if not _DOMAIN_NAME.fullmatch(name):
        raise InvalidParameter(
            f"DomainName {name[:80]!r} must be a DNS name: labels of letters, digits and inner '-', "
            "separated by '.'"
        )
    return name


async def _trunk(context: ApiContext, account: Account, params: Params, current: str | None) -> str | None:
    """``ByocTrunkSid``: one of the account's trunks; empty clears it."""
    sid = params.get_str("ByocTrunkSid", max_length=34)
    if sid is None:
        return current
    if not sid:
        return None
    async with context.db.read() as session:
        if await ByocRepo(session, BYOC_TRUNKS).get_for_account(account.sid, sid) is None:
            raise InvalidParameter(f"ByocTrunkSid {sid!r} is not a BYOC trunk of this account")
    return sid


def _settings(params: Params, base: DomainSettings, byoc_trunk_sid: str | None) -> DomainSettings:
    if params.get_str("EmergencyCallerSid"):
        raise InvalidParameter("EmergencyCallerSid is not supported by phonograph")
    if params.get_bool("EmergencyCallingEnabled"):
        raise InvalidParameter("EmergencyCallingEnabled is not supported by phonograph")
    friendly_name = params.get_str("FriendlyName", max_length=FRIENDLY_NAME_MAX_CHARS)
    registration, secure = params.get_bool("SipRegistration"), params.get_bool("Secure")
    return DomainSettings(
        friendly_name=base.friendly_name if friendly_name is None else friendly_name or None,
        voice_url=url_param(params, "VoiceUrl", base.voice_url),
        voice_method=method_param(params, "VoiceMethod", base.voice_method),
        voice_fallback_url=url_param(params, "VoiceFallbackUrl", base.voice_fallback_url),
        voice_fallback_method=method_param(params, "VoiceFallbackMethod", base.voice_fallback_method),
        voice_status_callback_url=url_param(params, "VoiceStatusCallbackUrl", base.voice_status_callback_url),
        voice_status_callback_method=method_param(
            params, "VoiceStatusCallbackMethod", base.voice_status_callback_method
        ),
        sip_registration=base.sip_registration if registration is None else registration,
        secure=base.secure if secure is None else secure,
        byoc_trunk_sid=byoc_trunk_sid,
    )


async def account_domain(context: ApiContext, account: Account, sid: str, request: Request) -> SipDomain:
    async with context.db.read() as session:
        domain = await SipDomainRepo(session).get_for_account(account.sid, sid)
    if domain is None:
        raise not_found(request.url.path)
    return domain


async def _json(context: ApiContext, domain: SipDomain) -> dict[str, Any]:
    async with context.db.read() as session:
        mapped = await SipDomainMappingRepo(session).mapped_lists(domain.sid, MappingPurpose.CALLS)
    return domain_json(domain, mapped)


@router.post(".json")
async def create_domain(
    account_sid: str, request: Request, principal: Authenticated, context: Context
) -> JSONResponse:
    account = await reach_account(context, principal, account_sid, request.url.path)
    params = await form_params(request)
    trunk = await _trunk(context, account, params, None)
    domain_name, settings = _domain_name(params, None), _settings(params, DEFAULTS, trunk)
    async with context.db.transaction() as session:
        domain = await SipDomainRepo(session).create(
            sid=new_sid("SD"),
            account_sid=account.sid,
            domain_name=domain_name,
            settings=settings,
            now=context.clock.now(),
        )
    log.info("sip domain created sid=%s account=%s", domain.sid, account.sid)
    return JSONResponse(domain_json(domain, []), status_code=201)


@router.get(".json")
async def list_domains(
    account_sid: str, request: Request, principal: Authenticated, context: Context
) -> dict[str, Any]:
    account = await reach_account(context, principal, account_sid, request.url.path)
    paging = PageRequest.from_params(query_params(request))
    async with context.db.read() as session:
        page = await SipDomainRepo(session).list_page(account.sid, paging.spec)
        mapped = await SipDomainMappingRepo(session).mapped_lists_of(
            [domain.sid for domain in page.items], MappingPurpose.CALLS
        )
    items = [domain_json(domain, mapped.get(domain.sid, [])) for domain in page.items]
    return render_page("domains", items, page, paging, f"{account_path(account.sid)}/SIP/Domains.json", {})


@router.get("/{sid}.json")
async def fetch_domain(
    account_sid: str, sid: str, request: Request, principal: Authenticated, context: Context
) -> dict[str, Any]:
    account = await reach_account(context, principal, account_sid, request.url.path)
    return await _json(context, await account_domain(context, account, sid, request))


@router.post("/{sid}.json")
async def update_domain(
    account_sid: str, sid: str, request: Request, principal: Authenticated, context: Context
) -> dict[str, Any]:
    account = await reach_account(context, principal, account_sid, request.url.path)
    domain = await account_domain(context, account, sid, request)
    params = await form_params(request)
    trunk = await _trunk(context, account, params, domain.byoc_trunk_sid)
    domain_name = _domain_name(params, domain.domain_name)
    settings = _settings(params, domain.settings, trunk)
    async with context.db.transaction() as session:
        domain = await SipDomainRepo(session).update(
            domain.sid, domain_name=domain_name, settings=settings, now=context.clock.now()
        )
    return await _json(context, domain)


@router.delete("/{sid}.json", status_code=204)
async def delete_domain(
    account_sid: str, sid: str, request: Request, principal: Authenticated, context: Context
) -> Response:
    account = await reach_account(context, principal, account_sid, request.url.path)
    domain = await account_domain(context, account, sid, request)
    async with context.db.transaction() as session:
        await SipDomainRepo(session).delete(domain.sid)
    log.info("sip domain deleted sid=%s account=%s", domain.sid, account.sid)
    return Response(status_code=204)
