"""How many new INVITEs and REGISTERs each source address may send: a token bucket per address,
so that one host flooding the port (toll-fraud scanners try thousands of numbers a minute, password
guessers thousands of REGISTERs) neither takes the database's time nor keeps every other caller
waiting. What goes over is dropped without an answer:
an answer would only cost more and tell the scanner the port is alive.

The table of addresses is bounded: the least recently seen is forgotten first (a forgotten address
starts again with a full bucket, which is the most a flood from many addresses can gain).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable

INVITES_PER_S = 5.0
"""Sustained new INVITEs and REGISTERs per source address (``PHONOGRAPH_SIP_RATE``): a desk phone
or a small PBX places far fewer; a trunk from an SBC carrying many calls needs its own setting."""
BURST = 20
"""Requests an address may send at once before the rate applies (at least; four seconds' worth
at a higher rate)."""
MAX_SOURCES = 10_000


class RateLimiter:
    def __init__(
        self,
        monotonic_s: Callable[[], float],
        *,
        rate_per_s: float = INVITES_PER_S,
        burst: int | None = None,
        max_sources: int = MAX_SOURCES,
    ) -> None:
        self._monotonic_s = monotonic_s
        self._rate_per_s = rate_per_s
        self._burst = burst if burst is not None else max(BURST, int(4 * rate_per_s))
        self._max_sources = max_sources
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()  # tokens, as of when
        self.dropped = 0

    def allow(self, source: str) -> bool:
        """Whether ``source`` may send one more; takes a token when it may."""
        now_s = self._monotonic_s()
        tokens, then_s = self._buckets.pop(source, (float(self._burst), now_s))
        tokens = min(float(self._burst), tokens + (now_s - then_s) * self._rate_per_s)
        allowed = tokens >= 1.0
        self._buckets[source] = (tokens - 1.0 if allowed else tokens, now_s)
        while len(self._buckets) > self._max_sources:
            self._buckets.popitem(last=False)
        if not allowed:
            self.dropped += 1
        return allowed
