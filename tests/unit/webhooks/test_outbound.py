"""The outbound policy, through the real client every tenant-driven request uses, against a real
local app. Host names other than IP literals resolve through a fake resolver (the rebinding case)."""

from __future__ import annotations

import asyncio
import ipaddress

import pytest

from phonograph.webhooks import (
    HTTP_CONNECTION_FAILURE,
    STRICT_DENY,
    TWIML_MAX_BYTES,
    AppClient,
    AppRequest,
    AppResponse,
    OutboundPolicy,
    WebhookError,
    outbound_client,
)
from phonograph.webhooks.outbound import system_resolver
from tests.unit.webhooks.app_server import app_server

TOKEN = "f" * 32
STRICT = OutboundPolicy.from_settings(STRICT_DENY)
ONLY_ONE_LOOPBACK = OutboundPolicy.from_settings(STRICT_DENY, "127.0.0.1/32")
FAKE_DNS = {
    "app.test": ["127.0.0.1"],
    "internal.test": ["127.0.0.2"],
    "metadata.test": ["169.254.169.254"],
    "mixed.test": ["127.0.0.2", "127.0.0.1"],
}


async def _fake_resolver(host: str, port: int) -> list[str]:
    return FAKE_DNS.get(host) or await system_resolver(host, port)


def _send(policy: OutboundPolicy, url: str) -> AppResponse:
    async def main() -> AppResponse:
        async with outbound_client(policy, resolve=_fake_resolver) as http:
            return await AppClient(http, timeout_s=5).send(AppRequest(url, "POST", (("a", "1"),)), TOKEN)

    return asyncio.run(main())


def _refused(policy: OutboundPolicy, url: str) -> WebhookError:
    with pytest.raises(WebhookError) as caught:
        _send(policy, url)
    assert caught.value.code == HTTP_CONNECTION_FAILURE
    assert "outbound policy refused" in caught.value.message
    return caught.value


def test_the_default_policy_lets_a_laptop_reach_its_app_on_localhost() -> None:
    with app_server() as app:
        for host in ("127.0.0.1", "localhost", "app.test"):
            assert _send(OutboundPolicy(), f"http://{host}:{app.port}/voice").status_code == 200
        assert len(app.received) == 3


@pytest.mark.parametrize(
    "host", ["127.0.0.1", "localhost", "2130706433", "0x7f000001", "127.1", "0.0.0.0", "[::ffff:127.0.0.1]"]
)
def test_the_strict_profile_refuses_every_spelling_of_loopback_and_sends_nothing(host: str) -> None:
    with app_server() as app:
        _refused(STRICT, f"http://{host}:{app.port}/voice")
        assert app.received == []


def test_link_local_metadata_is_refused_by_default_without_connecting() -> None:
    # Nothing listens there; a connection attempt would time out instead of being refused.
    _refused(OutboundPolicy(), "http://169.254.169.254/latest/meta-data/")
    _refused(OutboundPolicy(), "http://metadata.test/computeMetadata/v1/")


def test_a_redirect_to_a_refused_address_is_not_followed() -> None:
    with app_server() as app:
        app.handler = lambda seen: (302, {"Location": f"http://internal.test:{app.port}/secret"}, b"")
        error = _refused(ONLY_ONE_LOOPBACK, f"http://app.test:{app.port}/voice")
        assert [seen.path for seen in app.received] == ["/voice"]
    assert error.url == f"http://internal.test:{app.port}/secret"


def test_the_check_is_on_the_resolved_address_so_a_name_cannot_rebind_past_it() -> None:
    with app_server() as app:
        _refused(ONLY_ONE_LOOPBACK, f"http://internal.test:{app.port}/voice")
        # A name with a refused and an allowed address connects to the allowed one only.
        assert _send(ONLY_ONE_LOOPBACK, f"http://mixed.test:{app.port}/voice").status_code == 200
        assert len(app.received) == 1


def test_allow_carves_an_exception_out_of_deny() -> None:
    with app_server() as app:
        assert _send(ONLY_ONE_LOOPBACK, f"http://127.0.0.1:{app.port}/voice").status_code == 200


def test_a_twiml_body_is_read_up_to_64_kb_and_marked_truncated() -> None:
    with app_server() as app:
        app.handler = lambda seen: (200, {"Content-Type": "text/xml"}, b"<" * (10 * TWIML_MAX_BYTES))
        response = _send(OutboundPolicy(), app.url("/voice"))
    assert response.truncated
    assert len(response.body) == TWIML_MAX_BYTES


def test_policy_addresses_are_compared_as_the_address_they_reach() -> None:
    assert not STRICT.permits("::ffff:10.1.2.3")
    assert not STRICT.permits("fd00::1")
    assert not OutboundPolicy().permits("fe80::1%eth0")
    assert STRICT.permits("93.184.215.14")
    assert STRICT.permits("2606:2800:21f:cb07:6820:80da:af6b:8b2c")


def test_settings_that_are_not_networks_are_refused_with_the_setting_named() -> None:
    with pytest.raises(ValueError, match="PHONOGRAPH_OUTBOUND_ALLOW: 'nope'"):
        OutboundPolicy.from_settings("", "10.0.0.0/8, nope")
    policy = OutboundPolicy.from_settings("10.1.2.3, 192.168.1.0/24", "")
    assert ipaddress.ip_network("10.1.2.3/32") in policy.deny
