"""SIP transactions on UDP (sip/transactions.py, RFC 3261 §17), on a stepped timer: which
datagrams go out when, which requests reach the transaction user, and when a transaction ends."""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest

from phonograph.sip import SipRequest, SipResponse, encode, parse, response_to
from phonograph.sip.transactions import (
    T4_S,
    TIMEOUT_S,
    ClientState,
    ServerState,
    ServerTransaction,
    TransactionLayer,
)
from tests.unit.sip.test_message import message

PEER = ("192.0.2.10", 5062)


@dataclass
class SteppedTimers:
    """Timers that fire only when the test moves time on."""

    now_s: float = 0.0
    _due: list[tuple[float, int, Callable[[], None], list[bool]]] = field(default_factory=list)
    _order: itertools.count[int] = field(default_factory=itertools.count)

    def call_later(self, delay_s: float, callback: Callable[[], None]) -> _Handle:
        cancelled = [False]
        heapq.heappush(self._due, (self.now_s + delay_s, next(self._order), callback, cancelled))
        return _Handle(cancelled)

    def advance(self, seconds: float) -> None:
        end = self.now_s + seconds
        while self._due and self._due[0][0] <= end:
            due_s, _, callback, cancelled = heapq.heappop(self._due)
            self.now_s = due_s
            if not cancelled[0]:
                callback()
        self.now_s = end


@dataclass
class _Handle:
    cancelled: list[bool]

    def cancel(self) -> None:
        self.cancelled[0] = True


@dataclass
class User:
    requests: list[ServerTransaction] = field(default_factory=list)
    acks: list[SipRequest] = field(default_factory=list)

    def request(self, transaction: ServerTransaction) -> None:
        self.requests.append(transaction)

    def ack(self, request: SipRequest, source: tuple[str, int]) -> None:
        self.acks.append(request)


@dataclass
class Wire:
    timers: SteppedTimers
    sent: list[tuple[float, bytes, tuple[str, int]]] = field(default_factory=list)

    def __call__(self, data: bytes, destination: tuple[str, int]) -> None:
        self.sent.append((self.timers.now_s, data, destination))

    def times(self) -> list[float]:
        return [at for at, _, _ in self.sent]

    def first_lines(self) -> list[str]:
        return [data.split(b"\r\n", 1)[0].decode() for _, data, _ in self.sent]


def setup(max_transactions: int = 100) -> tuple[TransactionLayer, SteppedTimers, Wire, User]:
    timers = SteppedTimers()
    wire, user = Wire(timers), User()
    return TransactionLayer(wire, timers, user, max_transactions=max_transactions), timers, wire, user


def incoming(method: str, *, branch: str = "z9hG4bK-in1", cseq_method: str | None = None) -> SipRequest:
    parsed = parse(
        message(
            f"{method} sip:+15550100001@phonograph.example SIP/2.0",
            f"Via: SIP/2.0/UDP 192.0.2.10:5062;branch={branch}",
            "From: <sip:alice@atlanta.example>;tag=a1",
            "To: <sip:+15550100001@phonograph.example>",
            "Call-ID: call-1@atlanta.example",
            f"CSeq: 1 {cseq_method or method}",
            "Max-Forwards: 70",
        )
    )
    assert isinstance(parsed, SipRequest)
    return parsed


# -- server transactions (§17.2) ------------------------------------------------------------------


def test_a_refused_invite_is_resent_on_timer_g_until_its_ack_then_ends_after_t4() -> None:
    layer, timers, wire, user = setup()
    layer.received_request(incoming("INVITE"), PEER)
    [invite] = user.requests
    invite.respond(response_to(invite.request, 486, to_tag="pg"))
    timers.advance(4.0)
    assert wire.times() == [0.0, 0.5, 1.5, 3.5]  # T1, doubling (timer G)
    layer.received_request(incoming("ACK", cseq_method="ACK"), PEER)
    assert invite.state is ServerState.CONFIRMED
    timers.advance(T4_S)
    assert len(wire.sent) == 4
    assert (invite.state, layer.live, user.acks) == (ServerState.TERMINATED, 0, [])


def test_without_its_ack_the_final_response_is_resent_capped_at_t2_until_timer_h() -> None:
    layer, timers, wire, user = setup()
    layer.received_request(incoming("INVITE"), PEER)
    user.requests[0].respond(response_to(user.requests[0].request, 404, to_tag="pg"))
    timers.advance(TIMEOUT_S + 10)
    assert wire.times() == [0.0, 0.5, 1.5, 3.5, 7.5, 11.5, 15.5, 19.5, 23.5, 27.5, 31.5]
    assert layer.live == 0


def test_a_retransmitted_request_gets_the_last_response_and_never_reaches_the_user_twice() -> None:
    layer, _, wire, user = setup()
    layer.received_request(incoming("INVITE"), PEER)
    layer.received_request(incoming("INVITE"), PEER)  # before any answer: absorbed
    assert wire.sent == []
    user.requests[0].respond(response_to(user.requests[0].request, 180, to_tag="pg"))
    layer.received_request(incoming("INVITE"), PEER)
    assert wire.first_lines() == ["SIP/2.0 180 Ringing", "SIP/2.0 180 Ringing"]
    assert len(user.requests) == 1


def test_a_2xx_ends_the_invite_transaction_and_its_ack_goes_to_the_user() -> None:
    layer, _, wire, user = setup()
    layer.received_request(incoming("INVITE"), PEER)
    user.requests[0].respond(response_to(user.requests[0].request, 200, to_tag="pg"))
    assert (user.requests[0].state, layer.live) == (ServerState.TERMINATED, 0)
    ack = incoming("ACK", branch="z9hG4bK-ack2xx", cseq_method="ACK")  # a 2xx ACK: a new branch
    layer.received_request(ack, PEER)
    assert user.acks == [ack]
    assert len(wire.sent) == 1


def test_a_non_invite_is_answered_again_until_timer_j_then_is_new() -> None:
    layer, timers, wire, user = setup()
    layer.received_request(incoming("OPTIONS"), PEER)
    user.requests[0].respond(response_to(user.requests[0].request, 200, to_tag="pg"))
    timers.advance(1)
    layer.received_request(incoming("OPTIONS"), PEER)
    assert wire.first_lines() == ["SIP/2.0 200 OK", "SIP/2.0 200 OK"]
    timers.advance(TIMEOUT_S)
    layer.received_request(incoming("OPTIONS"), PEER)
    assert len(user.requests) == 2


def test_a_cancel_finds_its_invite_and_is_a_transaction_of_its_own() -> None:
    layer, _, _, user = setup()
    layer.received_request(incoming("INVITE"), PEER)
    cancel = incoming("CANCEL")
    layer.received_request(cancel, PEER)
    invite, cancelling = user.requests
    assert layer.matching_invite(cancel, PEER) is invite
    assert cancelling.request is cancel
    assert layer.matching_invite(incoming("CANCEL", branch="z9hG4bK-other"), PEER) is None


def test_past_its_bound_a_new_request_is_answered_503_without_state() -> None:
    layer, _, wire, user = setup(max_transactions=1)
    layer.received_request(incoming("INVITE"), PEER)
    layer.received_request(incoming("OPTIONS", branch="z9hG4bK-in2"), PEER)
    assert len(user.requests) == 1
    busy = parse(wire.sent[0][1])
    assert isinstance(busy, SipResponse)
    assert (busy.code, busy.message.headers.get("Retry-After")) == (503, "5")


# -- client transactions (§17.1) ------------------------------------------------------------------


def outgoing(method: str, branch: str = "z9hG4bK-out1") -> SipRequest:
    parsed = parse(
        message(
            f"{method} sip:bob@192.0.2.20 SIP/2.0",
            f"Via: SIP/2.0/UDP 203.0.113.5:5060;branch={branch}",
            "From: <sip:+15550100001@phonograph.example>;tag=pg1",
            "To: <sip:bob@192.0.2.20>",
            "Call-ID: out-1@phonograph.example",
            f"CSeq: 1 {method}",
            "Max-Forwards: 70",
        )
    )
    assert isinstance(parsed, SipRequest)
    return parsed


def answer_to(request: SipRequest, code: int) -> SipResponse:
    parsed = parse(encode(response_to(request, code, to_tag="bob1")))
    assert isinstance(parsed, SipResponse)
    return parsed


def test_an_unanswered_invite_is_resent_on_timer_a_and_times_out_on_timer_b() -> None:
    layer, timers, wire, _ = setup()
    heard: list[SipResponse | None] = []
    layer.send_request(outgoing("INVITE").message, PEER, heard.append)
    timers.advance(TIMEOUT_S + 1)
    assert wire.times() == [0.0, 0.5, 1.5, 3.5, 7.5, 15.5, 31.5]  # doubling without a cap
    assert (heard, layer.live) == ([None], 0)


def test_a_refused_invite_is_acked_by_the_transaction_itself_and_again_for_each_repeat() -> None:
    layer, timers, wire, _ = setup()
    heard: list[SipResponse | None] = []
    request = outgoing("INVITE")
    transaction = layer.send_request(request.message, PEER, heard.append)
    layer.received_response(answer_to(request, 180))
    timers.advance(10)
    assert len(wire.sent) == 1  # answered: no more retransmissions
    busy = answer_to(request, 486)
    layer.received_response(busy)
    layer.received_response(busy)
    ack = parse(wire.sent[1][1])
    assert isinstance(ack, SipRequest)
    assert (ack.method, ack.checked.cseq.method, ack.checked.cseq.sequence) == ("ACK", "ACK", 1)
    assert ack.checked.via[0].parameters["branch"] == "z9hG4bK-out1"
    assert ack.checked.to.parameters["tag"] == "bob1"
    assert wire.first_lines()[1:] == ["ACK sip:bob@192.0.2.20 SIP/2.0"] * 2
    assert [None if h is None else h.code for h in heard] == [180, 486]
    assert transaction.state is ClientState.COMPLETED
    timers.advance(TIMEOUT_S)
    assert layer.live == 0


def test_a_2xx_to_an_invite_ends_the_client_transaction_without_an_ack() -> None:
    layer, _, wire, _ = setup()
    heard: list[SipResponse | None] = []
    request = outgoing("INVITE")
    layer.send_request(request.message, PEER, heard.append)
    layer.received_response(answer_to(request, 200))
    assert (len(wire.sent), layer.live, [h.code for h in heard if h]) == (1, 0, [200])


def test_a_non_invite_is_resent_capped_at_t2_and_at_t2_once_provisionally_answered() -> None:
    layer, timers, wire, _ = setup()
    heard: list[SipResponse | None] = []
    request = outgoing("OPTIONS")
    layer.send_request(request.message, PEER, heard.append)
    timers.advance(8)
    assert wire.times() == [0.0, 0.5, 1.5, 3.5, 7.5]
    layer.received_response(answer_to(request, 100))
    timers.advance(8)
    assert wire.times()[5:] == [11.5, 15.5]
    layer.received_response(answer_to(request, 200))
    timers.advance(T4_S)
    assert (layer.live, [h.code for h in heard if h]) == (0, [100, 200])


def test_an_unanswered_non_invite_times_out_on_timer_f() -> None:
    layer, timers, _, _ = setup()
    heard: list[SipResponse | None] = []
    layer.send_request(outgoing("BYE").message, PEER, heard.append)
    timers.advance(TIMEOUT_S)
    assert heard == [None]


def test_a_request_without_a_magic_cookie_branch_is_not_sent() -> None:
    layer, _, wire, _ = setup()
    with pytest.raises(ValueError, match="z9hG4bK"):
        layer.send_request(outgoing("OPTIONS", branch="old-style").message, PEER, lambda _: None)
    assert wire.sent == []
