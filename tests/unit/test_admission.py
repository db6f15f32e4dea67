"""Write shedding (api/admission.py): past the write queue's bound, a request that may write is a
429 with Twilio's 20429 and ``Retry-After``; reads, and writes below the bound, pass."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

import httpx
import pytest
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from phonograph.api.admission import WRITE_BACKLOG_MAX, AdmitWrites


def answers(backlog: int, method: str) -> httpx.Response:
    async def handled(_request: object) -> PlainTextResponse:
        return PlainTextResponse("handled")

    app = Starlette(routes=[Route("/Calls.json", handled, methods=["GET", "POST", "DELETE"])])
    app.state.context = SimpleNamespace(db=SimpleNamespace(write_backlog=backlog))
    app.add_middleware(AdmitWrites)

    async def send() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://phonograph") as client:
            return await client.request(method, "/Calls.json")

    return asyncio.run(send())


@pytest.mark.parametrize("method", ["POST", "DELETE"])
def test_a_write_past_the_bound_is_told_to_come_back(method: str) -> None:
    response = answers(WRITE_BACKLOG_MAX, method)
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "1"
    assert response.json()["code"] == 20429


@pytest.mark.parametrize(
    ("backlog", "method"), [(WRITE_BACKLOG_MAX - 1, "POST"), (10 * WRITE_BACKLOG_MAX, "GET")]
)
def test_reads_and_writes_below_the_bound_are_handled(backlog: int, method: str) -> None:
    assert answers(backlog, method).text == "handled"
