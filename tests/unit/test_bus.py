"""The command bus (calls/bus.py) between two nodes on one database: on PostgreSQL a NOTIFY wakes
the owner and the sender, on SQLite both poll; a command sent while its owner was not listening
still runs, the owner's error is raised on the sender with its Twilio code, and a command nobody
takes up is withdrawn, so that it never runs late."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import pytest

from phonograph.calls.bus import CommandBus
from phonograph.core import InvalidParameter, PhonographError, ServiceUnavailable
from phonograph.store import Database
from tests.support.store import run


class Clock:
    def now(self) -> datetime:
        return datetime.now(UTC)


def owner(ran: list[tuple[str, dict[str, Any]]]) -> Any:
    async def execute(kind: str, body: dict[str, Any]) -> str | None:
        ran.append((kind, body))
        if kind == "refuse":
            raise InvalidParameter("Status is not valid", code=21220)
        return f"RE{body['n']}"

    return execute


def test_a_command_runs_on_its_owner_and_answers_the_sender(db_url: str) -> None:
    async def check(db: Database) -> None:
        ran_a: list[tuple[str, dict[str, Any]]] = []
        ran_b: list[tuple[str, dict[str, Any]]] = []
        a, b = CommandBus(db, Clock(), "a"), CommandBus(db, Clock(), "b")
        a.start(owner(ran_a))
        # b is not listening yet: its command waits in the table for it.
        early = asyncio.ensure_future(a.send("b", "pause", {"n": 1}))
        await asyncio.sleep(0.2)
        assert ran_b == []
        b.start(owner(ran_b))
        assert await early == "RE1"
        assert await a.send("b", "pause", {"n": 2}) == "RE2"
        with pytest.raises(PhonographError) as refused:
            await b.send("a", "refuse", {"n": 4})
        assert (refused.value.code, refused.value.status, refused.value.message) == (
            21220,
            400,
            "Status is not valid",
        )
        assert ran_b == [("pause", {"n": 1}), ("pause", {"n": 2})]
        assert ran_a == [("refuse", {"n": 4})]
        await a.stop()
        await b.stop()

    run(db_url, check)


def test_a_command_nobody_takes_up_is_withdrawn_and_never_runs(db_url: str) -> None:
    async def check(db: Database) -> None:
        ran: list[tuple[str, dict[str, Any]]] = []
        impatient = CommandBus(db, Clock(), "a", reply_timeout_s=0.5)
        impatient.start(owner([]))
        with pytest.raises(ServiceUnavailable):
            await impatient.send("gone", "pause", {"n": 1})
        await impatient.stop()
        a, gone = CommandBus(db, Clock(), "a"), CommandBus(db, Clock(), "gone")
        a.start(owner([]))
        gone.start(owner(ran))
        assert await a.send("gone", "pause", {"n": 2}) == "RE2"
        assert ran == [("pause", {"n": 2})]
        await a.stop()
        await gone.stop()

    run(db_url, check)
