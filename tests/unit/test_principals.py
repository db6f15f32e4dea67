"""Credentials remembered for a second (api/principals.py): expiry on the injected clock, and
forgetting every one after a change."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from phonograph.api.principals import PRINCIPAL_TTL, Principal, Principals
from phonograph.store import Account, AccountStatus

T0 = datetime(2026, 12, 7, tzinfo=UTC)
HEADER = b"Basic QUMxOnNlY3JldA=="


class SteppedClock:
    def __init__(self) -> None:
        self.instant = T0

    def now(self) -> datetime:
        return self.instant


def principal() -> Principal:
    account = Account("AC1", None, "main", "secret", AccountStatus.ACTIVE, "Full", T0, T0)
    return Principal(account, None)


def test_a_verified_header_is_remembered_until_its_second_is_over() -> None:
    clock = SteppedClock()
    principals = Principals(clock)
    remembered = principal()
    principals.put(HEADER, remembered)
    clock.instant = T0 + PRINCIPAL_TTL - timedelta(microseconds=1)
    assert principals.get(HEADER) is remembered
    assert principals.get(HEADER + b"x") is None  # another password is looked up
    clock.instant = T0 + PRINCIPAL_TTL
    assert principals.get(HEADER) is None


def test_a_change_forgets_every_remembered_header() -> None:
    principals = Principals(SteppedClock())
    principals.put(HEADER, principal())
    principals.forget_all()
    assert principals.get(HEADER) is None
