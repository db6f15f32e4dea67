"""The byte-bounded LRU behind the ``<Say>`` and ``<Play>`` caches."""

from __future__ import annotations

from phonograph.core import ByteLru


def _cache(max_bytes: int) -> ByteLru[str, bytes]:
    return ByteLru(max_bytes, len)


def test_the_least_recently_used_entries_go_until_the_total_fits() -> None:
    cache = _cache(10)
    cache.put("a", b"1234")
    cache.put("b", b"1234")
    assert cache.get("a") == b"1234"  # now "b" is the oldest
    cache.put("c", b"1234")
    assert cache.get("b") is None
    assert cache.get("a") == b"1234"
    assert cache.get("c") == b"1234"
    assert cache.total_bytes == 8


def test_an_entry_heavier_than_the_bound_is_not_kept_and_evicts_nothing() -> None:
    cache = _cache(10)
    cache.put("a", b"12345")
    cache.put("big", b"x" * 11)
    assert cache.get("big") is None
    assert cache.get("a") == b"12345"
    assert cache.total_bytes == 5


def test_replacing_and_popping_keep_the_total_true() -> None:
    cache = _cache(10)
    cache.put("a", b"12345")
    cache.put("a", b"12")
    assert cache.total_bytes == 2
    assert cache.pop("a") == b"12"
    assert cache.pop("a") is None
    assert cache.total_bytes == 0
    assert len(cache) == 0
