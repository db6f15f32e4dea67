"""The outbound policy: which addresses the server may connect to when a tenant hands it a URL.

Every request phonograph makes on a tenant's behalf (TwiML and action fetches, status callbacks,
``<Play>`` audio, hold and announcement URLs, v3 ``mediaUrl``) goes through the one
``httpx.AsyncClient`` that ``outbound_client`` builds. Its connections are opened by
``PolicyBackend``, which resolves the host itself and connects only to an address the policy
allows. The check is on the address actually connected to, after DNS, for every new connection,
so every redirect hop, every spelling of an address (``2130706433``, ``0x7f000001``, ``127.1``)
and DNS rebinding meet the same rule: the OWASP SSRF prevention cheat sheet's advice to validate
the resolved IP, not the URL text.

An address is refused when it falls in a denied network and in no allowed one. Link-local networks
(where cloud metadata services answer: 169.254.169.254, fe80::/10) and the other metadata
addresses are always denied unless allowed explicitly; ``PHONOGRAPH_OUTBOUND_DENY`` adds networks
to that list and ``PHONOGRAPH_OUTBOUND_ALLOW`` carves exceptions out of it (docs/security.md).
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import TypeVar

import httpcore
import httpx

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Awaitable[list[str]]]
E = TypeVar("E", bound=BaseException)

ALWAYS_DENIED: tuple[Network, ...] = tuple(
    ipaddress.ip_network(cidr)
    for cidr in (
        "169.254.0.0/16",  # IPv4 link-local (RFC 3927): AWS, GCP, Azure, OpenStack metadata
        "fe80::/10",  # IPv6 link-local (RFC 4291)
        "fd00:ec2::254/128",  # AWS metadata over IPv6
        "100.100.100.200/32",  # Alibaba Cloud metadata
    )
)
"""Denied by default: the networks where a cloud host's credentials can be read."""

STRICT_DENY = (
    "0.0.0.0/8,127.0.0.0/8,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,100.64.0.0/10,::/128,::1/128,fc00::/7"
)
"""The profile for a server shared by untrusted tenants (docs/security.md): every private and
loopback network, plus 0.0.0.0 and ``::``, which Linux connects to the local host."""


class OutboundRefused(httpcore.ConnectError):
    """The policy refused every address of a host; nothing was sent. httpx raises it as the cause
    of an ``httpx.ConnectError`` whose message is this one."""


def parse_networks(value: str, setting: str) -> tuple[Network, ...]:
    """Comma-separated CIDRs (or bare addresses); ValueError names ``setting`` and the bad entry."""
    networks = []
    for entry in filter(None, (part.strip() for part in value.split(","))):
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError as exc:
            raise ValueError(f"{setting}: {entry!r} is not an IP network in CIDR notation") from exc
    return tuple(networks)


@dataclass(frozen=True)
class OutboundPolicy:
    deny: tuple[Network, ...] = ALWAYS_DENIED
    allow: tuple[Network, ...] = ()

    @classmethod
    def from_settings(cls, deny: str = "", allow: str = "") -> OutboundPolicy:
        return cls(
            deny=ALWAYS_DENIED + parse_networks(deny, "PHONOGRAPH_OUTBOUND_DENY"),
            allow=parse_networks(allow, "PHONOGRAPH_OUTBOUND_ALLOW"),
        )

    def permits(self, address: str) -> bool:
        ip = _canonical(ipaddress.ip_address(address.split("%", 1)[0]))
        if any(ip in network for network in self.allow if network.version == ip.version):
            return True
        return not any(ip in network for network in self.deny if network.version == ip.version)


def _canonical(ip: Address) -> Address:
    """An IPv4-mapped IPv6 address (``::ffff:127.0.0.1``) is the IPv4 address it reaches."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip


async def system_resolver(host: str, port: int) -> list[str]:
    """The addresses ``host`` resolves to, in the order the system prefers them."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


class PolicyBackend(httpcore.AsyncNetworkBackend):
    """httpcore's network backend with the policy in front of every TCP connection."""

    def __init__(
        self,
        policy: OutboundPolicy,
        *,
        resolve: Resolver = system_resolver,
        inner: httpcore.AsyncNetworkBackend | None = None,
    ) -> None:
        self._policy = policy
        self._resolve = resolve
        self._inner = inner or httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 (httpcore's interface)
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        try:
            async with asyncio.timeout(timeout):
                addresses = await self._resolve(host, port)
        except TimeoutError as exc:
            raise httpcore.ConnectTimeout(f"resolving {host} timed out") from exc
        except OSError as exc:  # socket.gaierror: the caller reports a bad host name (11210)
            raise httpcore.ConnectError(str(exc)) from exc
        permitted = [address for address in addresses if self._policy.permits(address)]
        if not permitted:
            raise OutboundRefused(f"the outbound policy refused every address of {host}")
        failure: Exception | None = None
        for address in permitted:
            try:
                return await self._inner.connect_tcp(
                    address, port, timeout=timeout, local_address=local_address, socket_options=socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
        assert failure is not None
        raise failure

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,  # noqa: ASYNC109 (httpcore's interface)
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise OutboundRefused("the outbound policy refuses Unix sockets")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


def outbound_client(policy: OutboundPolicy, *, resolve: Resolver = system_resolver) -> httpx.AsyncClient:
    """The one client for every request made on a tenant's behalf.

    Proxies from the environment are not used (``trust_env=False``): a proxy would connect on the
    policy's behalf to addresses the policy never saw.
    """
    transport = httpx.AsyncHTTPTransport(trust_env=False)
    # httpx builds its pool without a way to pass a network backend; this pool has httpx's default
    # limits and TLS verification, and ours. tests/unit/webhooks/test_outbound.py fails if httpx
    # stops using it.
    transport._pool = httpcore.AsyncConnectionPool(
        ssl_context=httpx.create_ssl_context(trust_env=False),
        max_connections=100,
        max_keepalive_connections=20,
        keepalive_expiry=5.0,
        network_backend=PolicyBackend(policy, resolve=resolve),
    )
    return httpx.AsyncClient(transport=transport, trust_env=False)


def cause_of(exc: BaseException, kind: type[E]) -> E | None:
    """The exception of ``kind`` that ``exc`` was raised from (httpx raises its own errors from
    httpcore's, which are raised from the socket's), or None."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, kind):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


def refusal(exc: BaseException) -> OutboundRefused | None:
    """The policy's refusal behind ``exc`` (an httpx error raised from it), if there is one."""
    return cause_of(exc, OutboundRefused)
