"""What every v2010 route shares: the path prefix of an account and the reading of parameters."""

from __future__ import annotations

from fastapi import Request

from phonograph.api.body import read_form
from phonograph.api.params import Params

API_VERSION = "2010-04-01"


def account_path(account_sid: str) -> str:
    return f"/{API_VERSION}/Accounts/{account_sid}"


async def form_params(request: Request) -> Params:
    return Params(await read_form(request))


def query_params(request: Request) -> Params:
    return Params(request.query_params.multi_items())
