"""Twilio's connection overrides: per-URL timeouts written in the webhook URL's fragment.

``https://app.example.com/voice#ct=1000&rt=2000`` asks Twilio to give up connecting after 1 s and
waiting for the response after 2 s, so that a dead app fails over to the fallback sooner
(https://www.twilio.com/docs/usage/webhooks/webhooks-connection-overrides). The fragment is never
sent, so it is no part of the signed URL either. Honoured, in milliseconds:

- ``ct`` connect timeout, 100–10000;
- ``rt`` read timeout, 100–15000: for the response's first byte, and between its packets;
- ``tt`` total time, 100–15000, for the whole exchange (redirects included).

Ignored, as is any other key: ``rc`` and ``rp`` (retry count and policy), ``e`` (edge) and
``sni``. Twilio documents neither what it does with a value out of range nor with one that is not
a whole number; we clamp the first into range and ignore the second.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qsl

MS_PER_S = 1000
# Each override's name and the range Twilio allows for it, in milliseconds.
RANGES_MS = {"ct": (100, 10_000), "rt": (100, 15_000), "tt": (100, 15_000)}


@dataclass(frozen=True, slots=True)
class ConnectionOverrides:
    """The timeouts a URL's fragment sets; None where it sets none."""

    connect_timeout_s: float | None = None
    read_timeout_s: float | None = None
    total_timeout_s: float | None = None


def parse_overrides(fragment: str) -> ConnectionOverrides:
    """The overrides in ``fragment`` (a URL's part after ``#``: ``key=value`` pairs joined by ``&``)."""
    found: dict[str, float] = {}
    for key, value in parse_qsl(fragment, keep_blank_values=True):
        if key not in RANGES_MS or not value.isascii() or not value.isdigit():
            continue
        low_ms, high_ms = RANGES_MS[key]
        found[key] = min(max(int(value), low_ms), high_ms) / MS_PER_S
    return ConnectionOverrides(found.get("ct"), found.get("rt"), found.get("tt"))
