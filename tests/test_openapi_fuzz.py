"""Requests generated from phonograph's own OpenAPI document (schemathesis, a bounded and
deterministic number per operation) never get a 5xx, on SQLite and PostgreSQL. Every route is in
that document, so a new route is fuzzed the day it is added.

The account in each path is the test's own subaccount, so generated requests reach past the
account check into every route's own parsing and lookups. schemathesis generates the cases here
(its pytest plugin does not run under pytest 9); Hypothesis runs them, derandomized.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import APIOperation, GenerationMode
from schemathesis.core.result import Err

from phonograph.testing.server import ServerProcess
from tests.conftest import TestAccount

EXAMPLES = 6
"""Per operation, mode and backend: enough for odd path values (NUL, surrogates, huge) everywhere."""
MODES = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)


def operations(server: ServerProcess) -> list[APIOperation[Any, Any, Any, Any]]:
    """Every operation of the server's own document; one it cannot read fails the test."""
    document = httpx.get(f"{server.base_url}/phonograph/openapi.json").json()
    found = []
    for result in schemathesis.openapi.from_dict(document).get_all_operations():
        if isinstance(result, Err):
            raise result.err()
        found.append(result.ok())
    return found


SHARDS = 4
"""The operations are fuzzed in this many tests, so that the test workers share them."""


@pytest.mark.parametrize("shard", range(SHARDS))
def test_no_generated_request_gets_a_server_error(
    server: ServerProcess, account: TestAccount, shard: int
) -> None:
    failures: list[str] = []
    tried: list[str] = []

    def fuzz(operation: APIOperation[Any, Any, Any, Any], mode: GenerationMode) -> None:
        fixed = {"account_sid": account.sid} if "{account_sid}" in operation.path else None

        @given(case=operation.as_strategy(mode, path_parameters=fixed))
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=True,  # the same requests on every run: a failure here is never a fluke
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def run(case: schemathesis.Case[Any]) -> None:
            response = case.call(base_url=server.base_url, auth=(account.sid, account.auth_token), timeout=30)
            if response.status_code >= 500:
                failures.append(f"{case.method} {response.request.url} → {response.status_code}")

        try:
            run()
        except Unsatisfiable:
            # Nothing invalid can be made for an operation whose parameters take any string.
            assert mode is GenerationMode.NEGATIVE, operation.path
            return
        tried.append(f"{mode.value} {operation.method.upper()} {operation.path}")

    for operation in operations(server)[shard::SHARDS]:
        for mode in MODES:
            fuzz(operation, mode)
    assert len(tried) > 70 // SHARDS, tried  # every route was generated for
    assert failures == []
