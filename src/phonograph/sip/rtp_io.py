"""Every call's RTP socket calls, made by one thread of their own, once per media tick.

A call sends and receives 50 packets a second each way; at hundreds of calls the ``sendto`` and
``recvfrom`` system calls (on loopback the kernel even delivers each datagram inside the sender's
call) are most of a tick's cost, and made inside the tick they would make it late. Python releases
the GIL for socket calls, so a thread can make them while the event loop goes on. One hand-over a
tick, not one per packet (a thread woken per packet spends its time taking the GIL back): after
its frames the media clock hands the tick's packets over (``flush``); the thread sends them, then
reads what every registered socket has received into that stream's inbox, which the next tick
takes. Everything is bounded: an inbox keeps its newest datagrams, and ticks the thread has not
caught up with are dropped (audio sent late is no use).
"""

from __future__ import annotations

import logging
import queue
import socket
import threading
from collections import deque
from dataclasses import dataclass

log = logging.getLogger(__name__)

Address = tuple[str, int]
Datagram = tuple[bytes, Address]
Packet = tuple[socket.socket, bytes, Address]

INBOX_DATAGRAMS = 50
"""A second of one stream's packets waiting for the media tick; older ones are dropped."""
MAX_WAITING_TICKS = 50
"""A second of ticks the thread has not caught up with; past it a tick's packets are dropped."""
MAX_DATAGRAM_BYTES = 2048


@dataclass
class IoStats:
    unsent: int = 0
    """Packets dropped: the thread was behind, or the socket refused them."""


class RtpIo:
    """The thread (started with the first socket) and the sockets it serves."""

    def __init__(self) -> None:
        self.stats = IoStats()
        self._inboxes: dict[socket.socket, deque[Datagram]] = {}
        self._lock = threading.Lock()
        self._batch: list[Packet] = []
        self._ticks: queue.SimpleQueue[list[Packet] | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None

    def register(self, sock: socket.socket) -> deque[Datagram]:
        """Read ``sock`` each tick from now on; its datagrams (with their sources) come in the deque."""
        inbox: deque[Datagram] = deque(maxlen=INBOX_DATAGRAMS)
        with self._lock:
            self._inboxes[sock] = inbox
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="rtp-io", daemon=True)
            self._thread.start()
        return inbox

    def unregister(self, sock: socket.socket) -> None:
        """Stop reading ``sock``; the caller may close it after (a packet still queued for it is
        then refused, and counted unsent)."""
        with self._lock:
            self._inboxes.pop(sock, None)

    def send(self, sock: socket.socket, packet: bytes, destination: Address) -> None:
        """Send ``packet`` with this tick's others (``flush``)."""
        self._batch.append((sock, packet, destination))

    def flush(self) -> None:
        """The tick is over: send its packets and read what came (the media clock calls it)."""
        if self._thread is None:
            return
        batch, self._batch = self._batch, []
        if self._ticks.qsize() >= MAX_WAITING_TICKS:
            self.stats.unsent += len(batch)
            return
        self._ticks.put(batch)

    def close(self) -> None:
        if self._thread is not None:
            self._ticks.put(None)
            self._thread.join()
            self._thread = None
            log.info("rtp io stopped unsent=%d", self.stats.unsent)

    def _run(self) -> None:
        while (batch := self._ticks.get()) is not None:
            for sock, packet, destination in batch:
                try:
                    sock.sendto(packet, destination)
                except OSError:
                    self.stats.unsent += 1  # closed with its call, or a full socket buffer
            with self._lock:
                served = list(self._inboxes.items())
            for sock, inbox in served:
                _drain(sock, inbox)


def _drain(sock: socket.socket, inbox: deque[Datagram]) -> None:
    """What ``sock`` has received (at most an inbox's worth a tick: a flood waits its turn)."""
    for _ in range(INBOX_DATAGRAMS):
        try:
            data, source = sock.recvfrom(MAX_DATAGRAM_BYTES)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            return  # closed with its call, or an ICMP error for a packet sent earlier
        inbox.append((data, (str(source[0]), int(source[1]))))
