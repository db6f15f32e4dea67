"""``GET /phonograph/v1/Media``: the media clock's load (legs, tick lateness), for operators and
``bench/calls.py``. ``?Reset=true`` starts a new measurement window. The clock is shared by every
tenant, so only a main account (one with no owner) may read or reset it; others get a 403."""

from __future__ import annotations

from fastapi import APIRouter, Request

from phonograph.api.auth import Authenticated
from phonograph.api.context import Context
from phonograph.api.openapi import described, query_parameter
from phonograph.api.params import Params
from phonograph.core import Forbidden

router = APIRouter()


@router.get(
    "/Media",
    openapi_extra=described(
        query=[query_parameter("Reset", {"type": "boolean"}, "Start a new measurement window.")]
    ),
)
async def media_stats(request: Request, principal: Authenticated, context: Context) -> dict[str, float]:
    if not principal.account.is_main:
        raise Forbidden("the media clock's load is the server operator's: use a main account")
    reset = Params(request.query_params.multi_items()).get_bool("Reset") or False
    return context.calls.media_stats(reset=reset)
