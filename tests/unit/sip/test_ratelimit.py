"""New INVITEs per source address (sip/ratelimit.py), on a stepped clock: a burst, then the rate;
each address on its own; a bounded table of addresses."""

from __future__ import annotations

from phonograph.sip.ratelimit import RateLimiter


class SteppedSeconds:
    def __init__(self) -> None:
        self.now_s = 100.0

    def __call__(self) -> float:
        return self.now_s


def test_a_burst_then_the_rate_and_each_address_on_its_own() -> None:
    clock = SteppedSeconds()
    limiter = RateLimiter(clock, rate_per_s=5, burst=20)
    assert [limiter.allow("198.51.100.7") for _ in range(25)] == [True] * 20 + [False] * 5
    assert limiter.allow("203.0.113.9")  # another address has its own bucket
    clock.now_s += 1.0  # five more tokens
    assert [limiter.allow("198.51.100.7") for _ in range(6)] == [True] * 5 + [False]
    assert limiter.dropped == 6
    clock.now_s += 3600  # a bucket refills only to its burst
    assert sum(limiter.allow("198.51.100.7") for _ in range(30)) == 20


def test_the_table_of_addresses_is_bounded() -> None:
    limiter = RateLimiter(SteppedSeconds(), rate_per_s=1, burst=1, max_sources=2)
    assert limiter.allow("a")
    assert limiter.allow("b")
    assert limiter.allow("c")
    assert not limiter.allow("c")
    assert limiter.allow("a")  # forgotten: it starts again with a full bucket
