"""Every call's RTP socket calls, made once per media frame, after it.

A call sends and receives 50 packets a second each way. A frame's packets are sent together at
its end (``flush``, which the media clock calls after each frame), then what every socket received
since is read into that stream's inbox, which the next frame takes. Readiness comes from one
poll (epoll on Linux, ``poll`` elsewhere; not ``selectors``, whose keys took 9% of the media
clock's time at 400 calls) asked without waiting, so a frame makes one ``recvfrom`` per datagram
and none for a socket with nothing to read.

Why not a thread of their own, as before: a thread must take the GIL back after every socket call,
and while the event loop's thread is busy each of those waits for it to let go. bench/sip.py, 250
calls on 2 cores, the two ways taking turns twice: with the thread 37,900 and 39,947 of the phone's
212,500 packets were missing from the recordings and the server took 103% of a core; with the
calls made here, 7,014 and 23,418, at 80% and 94%.

Everything is bounded: an inbox keeps its newest datagrams, and a tick reads at most an inbox's
worth from one socket.
"""

from __future__ import annotations

import logging
import select
import socket
from collections import deque
from dataclasses import dataclass

log = logging.getLogger(__name__)

Address = tuple[str, int]
Datagram = tuple[bytes, Address]
Packet = tuple[socket.socket, bytes, Address]

INBOX_DATAGRAMS = 50
"""A second of one stream's packets waiting for the media tick; older ones are dropped."""
MAX_DATAGRAM_BYTES = 2048


@dataclass
class IoStats:
    unsent: int = 0
    """Packets the socket refused (closed with its call, or a full socket buffer)."""


class RtpIo:
    """The sockets of every call's RTP, and the tick's packets to send."""

    def __init__(self) -> None:
        self.stats = IoStats()
        self._poll = select.epoll() if hasattr(select, "epoll") else select.poll()
        self._readers: dict[int, tuple[socket.socket, deque[Datagram]]] = {}
        self._batch: list[Packet] = []

    def register(self, sock: socket.socket) -> deque[Datagram]:
        """Read ``sock`` each tick from now on; its datagrams (with their sources) come in the deque."""
        inbox: deque[Datagram] = deque(maxlen=INBOX_DATAGRAMS)
        self._poll.register(sock.fileno(), select.POLLIN)
        self._readers[sock.fileno()] = (sock, inbox)
        return inbox

    def unregister(self, sock: socket.socket) -> None:
        """Stop reading ``sock`` (before it is closed)."""
        self._poll.unregister(sock.fileno())
        del self._readers[sock.fileno()]

    def send(self, sock: socket.socket, packet: bytes, destination: Address) -> None:
        """Send ``packet`` with this tick's others (``flush``)."""
        self._batch.append((sock, packet, destination))

    def flush(self) -> None:
        """The frame is over: send its packets and read what came (the media clock calls it)."""
        batch, self._batch = self._batch, []
        for sock, packet, destination in batch:
            try:
                sock.sendto(packet, destination)
            except OSError:
                self.stats.unsent += 1
        self._receive()

    def _receive(self) -> None:
        """One datagram from each socket with one waiting, again until none has (a burst after a
        stall is read in the same tick), at most an inbox's worth a tick: a flood waits its turn."""
        readers = self._readers
        for _ in range(INBOX_DATAGRAMS):
            ready = self._poll.poll(0)
            if not ready:
                return
            for fd, _events in ready:
                sock, inbox = readers[fd]
                try:
                    data, source = sock.recvfrom(MAX_DATAGRAM_BYTES)
                except OSError:
                    continue  # nothing after all, or an ICMP error for a packet sent earlier
                inbox.append((data, source[:2]))  # IPv6 adds flow and scope

    def close(self) -> None:
        close = getattr(self._poll, "close", None)  # an epoll has a descriptor of its own
        if close is not None:
            close()
        log.info("rtp io stopped unsent=%d", self.stats.unsent)
