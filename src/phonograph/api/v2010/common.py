"""What every v2010 route shares: the path prefix of an account and the reading of parameters."""

from __future__ import annotations

import ipaddress

from fastapi import Request

from phonograph.api.body import read_form
from phonograph.api.params import Params
from phonograph.core import CallbackMethod, InvalidParameter
from phonograph.core.wire import is_absolute_http_url
from phonograph.store import URL_MAX_CHARS

API_VERSION = "2010-04-01"


def account_path(account_sid: str) -> str:
    return f"/{API_VERSION}/Accounts/{account_sid}"


async def form_params(request: Request) -> Params:
    return Params(await read_form(request))


def query_params(request: Request) -> Params:
    return Params(request.query_params.multi_items())


def url_param(params: Params, name: str, current: str | None) -> str | None:
    """The URL parameter ``name`` of a number or a domain; an empty value clears the URL, as on
    Twilio."""
    value = params.get_str(name, max_length=URL_MAX_CHARS)
    if value is None:
        return current
    if not value:
        return None
    if not is_absolute_http_url(value):
        raise InvalidParameter(f"{name} must be an absolute http or https URL; got {value!r}")
    return value


def ipv4_param(params: Params, name: str) -> str | None:
    """An IPv4 address in dotted decimal (Twilio's SIP and BYOC address lists take no other), or
    None when absent."""
    value = params.get_str(name, max_length=45)
    if value is None:
        return None
    try:
        return str(ipaddress.IPv4Address(value))
    except ValueError:
        raise InvalidParameter(f"{name} must be an IPv4 address in dotted decimal; got {value!r}") from None


def method_param(params: Params, name: str, current: str) -> str:
    method = params.get_enum(name, CallbackMethod)
    return current if method is None else method.value
