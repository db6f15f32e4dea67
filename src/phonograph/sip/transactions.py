"""SIP transactions over UDP (RFC 3261 §17): what makes one request and its responses reliable
over a transport that loses, repeats and reorders datagrams.

Server transactions absorb retransmitted requests (answering them with the last response again),
retransmit a final response to an INVITE until its ACK comes (timer G, until timer H), and take
that ACK themselves. Client transactions retransmit their request (timers A and E) until a
response comes or they time out (B and F: 408 to their user), and acknowledge a non-2xx final
response to an INVITE themselves (§17.1.1.3). A 2xx to an INVITE ends the transaction on both
sides: its retransmission and its ACK belong to the dialog (§13.3.1.4, §13.2.2.4).

Timers are injected (``Timers``), so tests step them; each transaction's state moves only along
its table (``*_MOVES``). The table of live transactions is bounded: past ``MAX_TRANSACTIONS`` a new
request is answered 503 without state.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

from sipmessage import CSeq, Request, Response

from phonograph.sip.message import SipRequest, SipResponse, encode, response_to

log = logging.getLogger(__name__)

T1_S = 0.5
"""RFC 3261 §17.1.1.1: the round-trip estimate every timer is counted in."""
T2_S = 4.0
T4_S = 5.0
TIMEOUT_S = 64 * T1_S
"""Timers B, F, H and J on UDP: how long a transaction keeps trying."""
MAX_TRANSACTIONS = 10_000
MAGIC_COOKIE = "z9hG4bK"
"""RFC 3261 §8.1.1.7: branches that start with it are unique per transaction."""

Address = tuple[str, int]
Send = Callable[[bytes, Address], None]


class Handle(Protocol):
    def cancel(self) -> None: ...


class Timers(Protocol):
    def call_later(self, delay_s: float, callback: Callable[[], None]) -> Handle: ...


class LoopTimers:
    """The running event loop's timers."""

    def call_later(self, delay_s: float, callback: Callable[[], None]) -> Handle:
        return asyncio.get_running_loop().call_later(delay_s, callback)


class ServerState(StrEnum):
    TRYING = "trying"
    PROCEEDING = "proceeding"
    COMPLETED = "completed"
    CONFIRMED = "confirmed"
    TERMINATED = "terminated"


class ClientState(StrEnum):
    CALLING = "calling"
    TRYING = "trying"
    PROCEEDING = "proceeding"
    COMPLETED = "completed"
    TERMINATED = "terminated"


SERVER_MOVES: dict[ServerState, frozenset[ServerState]] = {
    ServerState.TRYING: frozenset({ServerState.PROCEEDING, ServerState.COMPLETED, ServerState.TERMINATED}),
    ServerState.PROCEEDING: frozenset(
        {ServerState.PROCEEDING, ServerState.COMPLETED, ServerState.TERMINATED}
    ),
    ServerState.COMPLETED: frozenset({ServerState.CONFIRMED, ServerState.TERMINATED}),
    ServerState.CONFIRMED: frozenset({ServerState.TERMINATED}),
    ServerState.TERMINATED: frozenset(),
}
CLIENT_MOVES: dict[ClientState, frozenset[ClientState]] = {
    ClientState.CALLING: frozenset({ClientState.PROCEEDING, ClientState.COMPLETED, ClientState.TERMINATED}),
    ClientState.TRYING: frozenset({ClientState.PROCEEDING, ClientState.COMPLETED, ClientState.TERMINATED}),
    ClientState.PROCEEDING: frozenset(
        {ClientState.PROCEEDING, ClientState.COMPLETED, ClientState.TERMINATED}
    ),
    ClientState.COMPLETED: frozenset({ClientState.TERMINATED}),
    ClientState.TERMINATED: frozenset(),
}

Key = tuple[str | int, ...]


def server_key(request: SipRequest, source: Address, method: str | None = None) -> Key:
    """RFC 3261 §17.2.3: the top Via's branch and sent-by, and the method (an ACK is its INVITE's;
    ``method`` names another, as a CANCEL looks for its INVITE). A branch without the magic cookie
    (RFC 2543) is matched by Call-ID, CSeq number and From tag."""
    via = request.checked.via[0]
    method = method or ("INVITE" if request.method == "ACK" else request.method)
    branch = via.parameters.get("branch") or ""
    if branch.startswith(MAGIC_COOKIE):
        return (branch, f"{via.host}:{via.port or 5060}", method)
    from_tag = request.checked.from_.parameters.get("tag") or ""
    return ("rfc2543", request.checked.call_id, str(request.checked.cseq.sequence), from_tag, method, *source)


def _client_key(branch: str, method: str) -> Key:
    return (branch, "INVITE" if method == "ACK" else method)


class TransactionUser(Protocol):
    """What the layer hands up: each new request with its transaction, and an ACK that matched no
    transaction (the ACK of a 2xx, which belongs to its dialog)."""

    def request(self, transaction: ServerTransaction) -> None: ...

    def ack(self, request: SipRequest, source: Address) -> None: ...


class _Timed:
    """A transaction's timers: started through its layer's ``Timers``, cancelled all at once."""

    _layer: TransactionLayer
    _timers: list[Handle]

    def _later(self, delay_s: float, callback: Callable[[], None]) -> None:
        self._timers.append(self._layer.timers.call_later(delay_s, callback))

    def _cancel_timers(self) -> None:
        for handle in self._timers:
            handle.cancel()
        self._timers.clear()


@dataclass(eq=False)
class ServerTransaction(_Timed):
    request: SipRequest
    source: Address
    _layer: TransactionLayer
    state: ServerState = ServerState.TRYING
    _last: bytes | None = None
    _timers: list[Handle] = field(default_factory=list)
    _retransmit_s: float = T1_S

    @property
    def is_invite(self) -> bool:
        return self.request.method == "INVITE"

    def respond(self, response: Response) -> None:
        """Send ``response`` (made by ``response_to``) and move on as §17.2.1/§17.2.2 say."""
        if self.state in (ServerState.COMPLETED, ServerState.CONFIRMED, ServerState.TERMINATED):
            return  # a final response went already
        self._last = encode(response)
        self._layer.send(self._last, self.source)
        if response.code < 200:
            self._move(ServerState.PROCEEDING)
        elif self.is_invite and response.code < 300:
            self._move(ServerState.TERMINATED)  # the 2xx is the dialog's to retransmit
        elif self.is_invite:
            self._move(ServerState.COMPLETED)
            self._later(self._retransmit_s, self._retransmit_final)  # timer G
            self._later(TIMEOUT_S, self._terminate)  # timer H
        else:
            self._move(ServerState.COMPLETED)
            self._later(TIMEOUT_S, self._terminate)  # timer J

    def retransmitted(self) -> None:
        if self._last is not None and self.state in (ServerState.PROCEEDING, ServerState.COMPLETED):
            self._layer.send(self._last, self.source)

    def acked(self) -> None:
        if self.state is ServerState.COMPLETED:
            self._cancel_timers()
            self._move(ServerState.CONFIRMED)
            self._later(T4_S, self._terminate)  # timer I

    def drop(self) -> None:
        """End without an answer: the request was a copy that something else answers (an INVITE
        whose 200 its dialog sends again, RFC 3261 §13.3.1.4)."""
        if self.state is ServerState.TRYING:
            self._move(ServerState.TERMINATED)

    def _retransmit_final(self) -> None:
        if self.state is not ServerState.COMPLETED or self._last is None:
            return
        self._layer.send(self._last, self.source)
        self._retransmit_s = min(2 * self._retransmit_s, T2_S)
        self._later(self._retransmit_s, self._retransmit_final)

    def _terminate(self) -> None:
        self._move(ServerState.TERMINATED)

    def _move(self, state: ServerState) -> None:
        if self.state is state and state is ServerState.PROCEEDING:
            return
        assert state in SERVER_MOVES[self.state], f"server transaction {self.state} -> {state}"
        self.state = state
        if state is ServerState.TERMINATED:
            self._cancel_timers()
            self._layer.forget_server(self)


ResponseCallback = Callable[[SipResponse | None], None]
"""Called with each response a client transaction passes up, and with None when it timed out."""


@dataclass(eq=False)
class ClientTransaction(_Timed):
    request: Request
    destination: Address
    branch: str
    _layer: TransactionLayer
    _on_response: ResponseCallback
    state: ClientState = ClientState.TRYING
    _timers: list[Handle] = field(default_factory=list)
    _retransmit_s: float = T1_S
    _wire: bytes = b""
    _ack: bytes | None = None

    @property
    def is_invite(self) -> bool:
        return self.request.method == "INVITE"

    def start(self) -> None:
        self.state = ClientState.CALLING if self.is_invite else ClientState.TRYING
        self._wire = encode(self.request)
        self._layer.send(self._wire, self.destination)
        if self.request.via[0].transport.upper() == "UDP":
            # Timers A and E: "If an unreliable transport is being used" (RFC 3261 §17.1.1.2).
            self._later(self._retransmit_s, self._retransmit)
        self._later(TIMEOUT_S, self._timed_out)  # timer B or F

    def received(self, response: SipResponse) -> None:
        code = response.code
        if self.state is ClientState.COMPLETED:
            if self._ack is not None:
                self._layer.send(self._ack, self.destination)  # the final response came again
            return
        if self.state is ClientState.TERMINATED:
            return
        if code < 200:
            if self.state in (ClientState.CALLING, ClientState.TRYING):
                self._move(ClientState.PROCEEDING)
                if self.is_invite:
                    # Answered: no more retransmissions, and no timeout either: a phone may ring for
                    # as long as the caller lets it, and the caller's CANCEL ends the ringing.
                    self._cancel_timers()
            self._on_response(response)
            return
        self._cancel_timers()
        if self.is_invite and code < 300:
            self._move(ClientState.TERMINATED)  # the 2xx and its ACK are the dialog's
        elif self.is_invite:
            self._ack = encode(_ack_for(self.request, response))
            self._layer.send(self._ack, self.destination)
            self._move(ClientState.COMPLETED)
            self._later(TIMEOUT_S, self._terminate)  # timer D (at least 32 s)
        else:
            self._move(ClientState.COMPLETED)
            self._later(T4_S, self._terminate)  # timer K
        self._on_response(response)

    def _retransmit(self) -> None:
        if self.state not in (ClientState.CALLING, ClientState.TRYING, ClientState.PROCEEDING):
            return
        self._layer.send(self._wire, self.destination)
        if self.is_invite:
            self._retransmit_s *= 2
        else:
            self._retransmit_s = (
                T2_S if self.state is ClientState.PROCEEDING else min(2 * self._retransmit_s, T2_S)
            )
        self._later(self._retransmit_s, self._retransmit)

    def _timed_out(self) -> None:
        if self.state in (ClientState.CALLING, ClientState.TRYING, ClientState.PROCEEDING):
            self._move(ClientState.TERMINATED)
            self._on_response(None)

    def _terminate(self) -> None:
        self._move(ClientState.TERMINATED)

    def _move(self, state: ClientState) -> None:
        if self.state is state and state is ClientState.PROCEEDING:
            return
        assert state in CLIENT_MOVES[self.state], f"client transaction {self.state} -> {state}"
        self.state = state
        if state is ClientState.TERMINATED:
            self._cancel_timers()
            self._layer.forget_client(self)


def _ack_for(request: Request, response: SipResponse) -> Request:
    """RFC 3261 §17.1.1.3: the ACK of a non-2xx final response, inside the INVITE's transaction."""
    ack = Request("ACK", request.uri)
    ack.headers.set("Via", request.headers.getlist("Via")[0])
    for name in ("Route", "From", "Call-ID", "Max-Forwards"):
        if values := request.headers.getlist(name):
            ack.headers.setlist(name, list(values))
    ack.headers.set("To", response.message.headers["To"])
    ack.cseq = CSeq(request.cseq.sequence, "ACK")
    return ack


class TransactionLayer:
    """The live transactions of one transport, by key, and the datagrams they send."""

    def __init__(
        self,
        send: Send,
        timers: Timers,
        user: TransactionUser,
        *,
        max_transactions: int = MAX_TRANSACTIONS,
        admit: Callable[[SipRequest, Address], bool] | None = None,
    ) -> None:
        """``admit``: whether a request that would start a transaction may; one it refuses is
        dropped without state or answer (a flood, sip/ratelimit.py)."""
        self.send = send
        self.timers = timers
        self._user = user
        self._max = max_transactions
        self._admit = admit
        self.strays: Callable[[SipResponse], None] = lambda response: None
        """Told of each response no transaction waits for: a 2xx that came again is its dialog's."""
        self._servers: dict[Key, ServerTransaction] = {}
        self._clients: dict[Key, ClientTransaction] = {}

    @property
    def live(self) -> int:
        return len(self._servers) + len(self._clients)

    def received_request(self, request: SipRequest, source: Address) -> None:
        key = server_key(request, source)
        existing = self._servers.get(key)
        if request.method == "ACK":
            if existing is not None and existing.is_invite:
                existing.acked()
            else:
                self._user.ack(request, source)
            return
        if existing is not None:
            existing.retransmitted()
            return
        if self._admit is not None and not self._admit(request, source):
            return
        transaction = ServerTransaction(request, source, self)
        if self.live >= self._max:
            # No room for its state: answered without any (RFC 3261 §21.5.4), retried later.
            busy = response_to(request, 503, to_tag="busy")
            busy.headers.set("Retry-After", "5")
            self.send(encode(busy), source)
            return
        self._servers[key] = transaction
        self._user.request(transaction)

    def received_response(self, response: SipResponse) -> None:
        via = response.checked.via[0]
        key = _client_key(via.parameters.get("branch") or "", response.checked.cseq.method)
        transaction = self._clients.get(key)
        if transaction is not None:
            transaction.received(response)
        else:
            self.strays(response)

    def send_request(
        self, request: Request, destination: Address, on_response: ResponseCallback
    ) -> ClientTransaction:
        """Send ``request`` (its top Via gets a new branch) in a new client transaction."""
        branch = request.via[0].parameters.get("branch") or ""
        if not branch.startswith(MAGIC_COOKIE):
            raise ValueError("a request phonograph sends carries a branch starting with z9hG4bK")
        key = _client_key(branch, request.method)
        transaction = ClientTransaction(request, destination, branch, self, on_response)
        self._clients[key] = transaction
        transaction.start()
        return transaction

    def matching_invite(self, cancel: SipRequest, source: Address) -> ServerTransaction | None:
        """The INVITE transaction a CANCEL cancels (RFC 3261 §9.2: same branch and sent-by)."""
        return self._servers.get(server_key(cancel, source, "INVITE"))

    def forget_server(self, transaction: ServerTransaction) -> None:
        self._servers.pop(server_key(transaction.request, transaction.source), None)

    def forget_client(self, transaction: ClientTransaction) -> None:
        self._clients.pop(_client_key(transaction.branch, transaction.request.method), None)
