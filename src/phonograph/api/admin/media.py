"""``GET /phonograph/v1/Media``: the media clock's load (legs, tick lateness), for operators and
``bench/calls.py``. ``?Reset=true`` starts a new measurement window."""

from __future__ import annotations

from fastapi import APIRouter, Request

from phonograph.api.auth import Authenticated
from phonograph.api.context import Context
from phonograph.api.params import Params

router = APIRouter()


@router.get("/Media")
async def media_stats(request: Request, principal: Authenticated, context: Context) -> dict[str, float]:
    reset = Params(request.query_params.multi_items()).get_bool("Reset") or False
    return context.calls.media_stats(reset=reset)
