from __future__ import annotations

from tests.conftest import TestAccount


def test_subaccount_fetches_itself(account: TestAccount) -> None:
    fetched = account.client.api.v2010.accounts(account.sid).fetch()
    assert fetched.sid == account.sid
    assert fetched.status == "active"
