"""Nodes and their leases (store/repos/nodes.py, calls/nodes.py) on a real migrated database,
SQLite and PostgreSQL: a node settles only what it owns, a lapsed node is taken over by exactly one
other, and a node that was taken over or replaced learns it at its next heartbeat."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from phonograph.calls.legs import new_leg
from phonograph.calls.nodes import NodeLease, NodeLoad
from phonograph.calls.state import TERMINAL, CallStatus, Direction
from phonograph.recording import UNFINISHED
from phonograph.store import (
    Call,
    CallRepo,
    Claimed,
    ConferenceRepo,
    Database,
    LiveStatuses,
    NodeRepo,
    RecordingRepo,
)
from tests.support.store import T0, add_account, run
from tests.unit.recording.test_promise_transcriptions import recording
from tests.unit.test_conference_repo import conference

LEASE = timedelta(seconds=15)
LIVE = LiveStatuses(
    call_terminal=[status.value for status in TERMINAL],
    recording_unfinished=[status.value for status in UNFINISHED],
)
NOTHING = Claimed(calls=[], recordings=[], conferences=[])


def leg(account_sid: str, owner: str | None, status: CallStatus) -> Call:
    made = new_leg(
        account_sid=account_sid,
        to="+15550100",
        from_="+15550101",
        direction=Direction.OUTBOUND_API,
        now=T0,
        owner_node="",
        status=status,
    )
    # None: a row from before nodes existed.
    return replace(made, owner_node=owner)


async def live_rows(db: Database, owner: str | None) -> tuple[str, str, str]:
    """A live call, its in-progress recording and a live conference, owned by ``owner``."""
    account = await add_account(db)
    async with db.transaction() as session:
        call = await CallRepo(session).create(leg(account.sid, owner, CallStatus.IN_PROGRESS))
        made = await RecordingRepo(session).create(
            recording(account.sid, call_sid=call.sid, owner_node=owner)
        )
        room = await ConferenceRepo(session).create(conference(account.sid, owner_node=owner))
    return call.sid, made.sid, room.sid


async def ended_call(db: Database, owner: str) -> None:
    account = await add_account(db)
    async with db.transaction() as session:
        await CallRepo(session).create(leg(account.sid, owner, CallStatus.COMPLETED))


async def register(db: Database, node_id: str, now: datetime = T0, incarnation: str = "one") -> Claimed:
    async with db.transaction() as session:
        return await NodeRepo(session).register(node_id, incarnation, f"http://{node_id}", now, LEASE, LIVE)


async def take_over(db: Database, lapsed: str, by: str, now: datetime) -> Claimed | None:
    async with db.transaction() as session:
        return await NodeRepo(session).take_over(lapsed, by, now, LIVE)


async def renew(db: Database, node_id: str, now: datetime, incarnation: str = "one") -> bool:
    async with db.transaction() as session:
        return await NodeRepo(session).renew(
            node_id, incarnation, now, LEASE, draining=False, live_calls=1, live_recordings=1
        )


def test_a_starting_node_claims_its_own_live_rows_and_unowned_ones_never_another_nodes(db_url: str) -> None:
    async def check(db: Database) -> None:
        mine = await live_rows(db, "a")
        older = await live_rows(db, None)
        theirs = await live_rows(db, "b")
        await ended_call(db, "a")
        claimed = await register(db, "a")
        # Rows from before nodes went to the first node to start.
        theirs_claimed = await register(db, "b")
        assert theirs_claimed == Claimed(calls=[theirs[0]], recordings=[theirs[1]], conferences=[theirs[2]])
        assert sorted(claimed.calls) == sorted([mine[0], older[0]])
        assert sorted(claimed.recordings) == sorted([mine[1], older[1]])
        assert sorted(claimed.conferences) == sorted([mine[2], older[2]])
        async with db.transaction() as session:
            owners = [(await CallRepo(session).get(sid)) for sid in (older[0], theirs[0])]
        assert [call and call.owner_node for call in owners] == ["a", "b"]

    run(db_url, check)


def test_a_lapsed_node_is_taken_over_once_and_learns_it_at_its_next_renewal(db_url: str) -> None:
    async def check(db: Database) -> None:
        rows = await live_rows(db, "a")
        await register(db, "a")
        await register(db, "b")
        await register(db, "c")
        # Within its lease, nobody may take it.
        assert await take_over(db, "a", "b", T0 + LEASE - timedelta(seconds=1)) is None
        later = T0 + LEASE + timedelta(seconds=1)
        async with db.transaction() as session:
            assert await NodeRepo(session).lapsed(later) == ["a", "b", "c"]
        claimed = await take_over(db, "a", "b", later)
        assert claimed == Claimed(calls=[rows[0]], recordings=[rows[1]], conferences=[rows[2]])
        assert await take_over(db, "a", "c", later) is None
        async with db.transaction() as session:
            assert await NodeRepo(session).lapsed(later) == ["b", "c"]
            nodes = {node.id: node for node in await NodeRepo(session).all()}
            call = await CallRepo(session).get(rows[0])
        assert nodes["a"].taken_over_by == "b"
        assert call is not None
        assert call.owner_node == "b"
        assert not await renew(db, "a", later)
        # Restarted, it starts afresh: what it owned went to b.
        assert await register(db, "a", later, incarnation="two") == NOTHING
        assert await renew(db, "a", later, incarnation="two")

    run(db_url, check)


def test_a_second_process_with_the_same_node_id_replaces_the_first(db_url: str) -> None:
    async def check(db: Database) -> None:
        await register(db, "a", incarnation="one")
        await register(db, "a", incarnation="two")
        assert not await renew(db, "a", T0, incarnation="one")
        assert await renew(db, "a", T0, incarnation="two")

    run(db_url, check)


def test_a_released_lease_is_taken_over_at_once_and_a_renewed_one_is_not(db_url: str) -> None:
    async def check(db: Database) -> None:
        await register(db, "a")
        await register(db, "b")
        soon = T0 + timedelta(seconds=1)
        assert await renew(db, "a", soon)
        async with db.transaction() as session:
            await NodeRepo(session).release("b", "one", soon)
        assert await take_over(db, "a", "c", soon + timedelta(seconds=1)) is None
        assert await take_over(db, "b", "c", soon + timedelta(seconds=1)) == NOTHING

    run(db_url, check)


class SteppedClock:
    def __init__(self) -> None:
        self.at = T0

    def now(self) -> datetime:
        return self.at


def test_the_heartbeat_renews_takes_lapsed_nodes_over_and_reports_a_lost_lease(db_url: str) -> None:
    async def check(db: Database) -> None:
        rows = await live_rows(db, "a")
        clock = SteppedClock()
        settled: list[Claimed] = []
        lost: list[str] = []
        peers: dict[str, int] = {}

        async def settle(claimed: Claimed) -> None:
            settled.append(claimed)

        def lease(node_id: str) -> NodeLease:
            return NodeLease(
                db,
                clock,
                node_id,
                f"http://{node_id}",
                lease_s=LEASE.total_seconds(),
                live=LIVE,
                settle=settle,
                load=lambda: NodeLoad(calls=2, recordings=1),
                on_lost=lambda: lost.append(node_id),
                on_peers=lambda count: peers.__setitem__(node_id, count),
            )

        a, b = lease("a"), lease("b")
        assert await a.register() == Claimed(calls=[rows[0]], recordings=[rows[1]], conferences=[rows[2]])
        await b.register()
        clock.at += timedelta(seconds=10)
        await a.beat()
        await b.beat()
        assert a.holds()
        assert b.holds()
        assert settled == []
        assert peers == {"a": 1, "b": 1}
        async with db.transaction() as session:
            loads = {
                node.id: (node.live_calls, node.live_recordings) for node in await NodeRepo(session).all()
            }
        assert loads == {"a": (2, 1), "b": (2, 1)}
        # a stalls past its lease; b's next beat takes its rows over and settles them beside it.
        clock.at += LEASE + timedelta(seconds=1)
        assert not a.holds()
        await b.beat()
        assert peers["b"] == 0
        await b.stop()
        assert settled == [Claimed(calls=[rows[0]], recordings=[rows[1]], conferences=[rows[2]])]
        await a.beat()
        await a.beat()
        assert lost == ["a"]
        assert not a.holds()
        # A draining node renews its own lease but takes nothing on.
        clock.at += LEASE * 2
        b.draining = True
        await b.beat()
        assert b.holds()
        assert len(settled) == 1

    run(db_url, check)
