"""A least-recently-used cache bounded in bytes, for every cache that holds audio.

Entries are weighed when they are put; the oldest go until the total fits. An entry heavier than
the whole bound is not kept at all. Not thread-safe: a cache used from threads takes its own lock.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class ByteLru(Generic[K, V]):
    def __init__(self, max_bytes: int, weigh: Callable[[V], int]) -> None:
        self.max_bytes = max_bytes
        self._weigh = weigh
        self._entries: OrderedDict[K, tuple[V, int]] = OrderedDict()
        self.total_bytes = 0

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: K) -> V | None:
        """The value kept for ``key``, now the most recently used, or None."""
        entry = self._entries.get(key)
        if entry is None:
            return None
        self._entries.move_to_end(key)
        return entry[0]

    def put(self, key: K, value: V) -> None:
        self.pop(key)
        weight_bytes = self._weigh(value)
        if weight_bytes > self.max_bytes:
            return
        self._entries[key] = (value, weight_bytes)
        self.total_bytes += weight_bytes
        while self.total_bytes > self.max_bytes:
            _, (_, evicted_bytes) = self._entries.popitem(last=False)
            self.total_bytes -= evicted_bytes

    def clear(self) -> None:
        self._entries.clear()
        self.total_bytes = 0

    def pop(self, key: K) -> V | None:
        entry = self._entries.pop(key, None)
        if entry is None:
            return None
        self.total_bytes -= entry[1]
        return entry[0]
