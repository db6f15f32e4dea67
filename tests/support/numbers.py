"""Phone numbers for end-to-end call tests.

The server routes a call by its ``To`` number across all accounts (one of its IncomingPhoneNumbers
wins over a virtual phone), so tests that create numbers, or that must not reach one, draw a fresh
random number rather than sharing a literal.
"""

from __future__ import annotations

import random

CALLER = "+15550109999"
"""The ``From`` of calls the tests place: nothing routes to it."""


def fresh_number() -> str:
    """A +1 number no other test uses (never in the 555 exchange that AreaCode allocates from)."""
    exchange = random.choice([n for n in range(200, 1000) if n != 555])
    return f"+1{random.randint(200, 999)}{exchange}{random.randint(0, 9999):04d}"
