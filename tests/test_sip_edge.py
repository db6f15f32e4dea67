"""The SIP port of a running server (issue 15), driven by sipp over loopback, on UDP and on TCP:
OPTIONS is answered; an INVITE for no domain is refused (404); one for a SIP Domain is let in or
refused as its mapped lists say — source addresses, a digest challenge (407) answered by sipp
itself. These domains have no VoiceUrl, so a caller let in rings and then gets 480, never a call
(calls that run an app are in test_sip_calls.py). A domain's users REGISTER with their passwords
and are listed; garbage never stops the port; a SIP port another program holds stops the server
before it creates anything."""

from __future__ import annotations

import shutil
import socket
import subprocess
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest
from twilio.rest import Client

from phonograph.testing.server import ServerProcess, free_port
from tests.support.cli import phonograph
from tests.support.twilio_client import sdk_client

SCENARIOS = Path(__file__).parent / "data" / "sipp"
PASSWORD = "IWasAtPhonograph2026"
SIPP_TIMEOUT_S = 30
"""sipp's own bound for a scenario that fails; a passing one takes milliseconds."""


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def free_sip_port() -> int:
    """A loopback port free for UDP and for TCP alike, as the server's SIP port must be."""
    while True:
        port = free_udp_port()
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp:
            try:
                tcp.bind(("127.0.0.1", port))
            except OSError:
                continue
        return port


@pytest.fixture
def sip_server(tmp_path: Path) -> Iterator[tuple[ServerProcess, int]]:
    port = free_sip_port()
    server = ServerProcess(tmp_path / "data", {"PHONOGRAPH_SIP_PORT": str(port)}).start()
    try:
        yield server, port
    finally:
        server.stop()


def sipp(
    scenario: str,
    port: int,
    tmp_path: Path,
    *options: str,
    final: str | None = None,
    check: str = "",
    fill: Mapping[str, str] | None = None,
    local_port: int | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run ``scenario`` once against the server's SIP port; ``final``: the code it must end on, for
    the scenarios that name it FINAL; ``check``: sipp actions on that final answer (CHECK);
    ``fill``: other placeholders of the scenario, and their values; ``local_port``: sipp's own
    (a free one by default)."""
    text = (SCENARIOS / scenario).read_text()
    if final is not None:
        text = text.replace('response="FINAL"', f'response="{final}"')
        # A variable sipp assigns must be referenced again, or it refuses the scenario.
        checked = f'{check}</recv>\n  <Reference variables="1" />' if check else "</recv>"
        text = text.replace("CHECK</recv>", checked)
    command = sipp_command(scenario, tmp_path, local_port or free_udp_port(), fill or {}, text)
    return subprocess.run(
        [*command, f"127.0.0.1:{port}", *options],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=SIPP_TIMEOUT_S + 30,
        check=False,
    )


def sipp_command(
    scenario: str, tmp_path: Path, local_port: int, fill: Mapping[str, str], text: str | None = None
) -> list[str]:
    """sipp running ``scenario`` (``text`` instead of its file when given; its placeholders filled)
    once from ``local_port`` on loopback, failing on its timeout, its errors in ``tmp_path``."""
    binary = shutil.which("sipp")
    assert binary is not None, "scripts/test installs sipp (Debian's sip-tester)"
    text = text if text is not None else (SCENARIOS / scenario).read_text()
    for placeholder, value in fill.items():
        text = text.replace(placeholder, value)
    path = tmp_path / scenario
    path.write_text(text)
    return [
        binary,
        "-sf",
        str(path),
        "-i",
        "127.0.0.1",
        "-p",
        str(local_port),
        "-m",
        "1",
        "-timeout",
        f"{SIPP_TIMEOUT_S}s",
        "-timeout_error",
        "-nostdin",
        "-trace_err",
        "-error_file",
        str(tmp_path / f"{scenario}.errors.log"),
    ]


def test_sipp_gets_an_answer_to_options(sip_server: tuple[ServerProcess, int], tmp_path: Path) -> None:
    _, port = sip_server
    done = sipp("options.xml", port, tmp_path)
    passed(done)


def test_an_invite_for_nothing_known_is_refused_and_never_becomes_a_call(
    sip_server: tuple[ServerProcess, int], tmp_path: Path
) -> None:
    server, port = sip_server
    done = sipp("invite_refused.xml", port, tmp_path)
    passed(done)
    assert main_client(server).calls.list() == []


def test_garbage_on_the_port_never_stops_it(sip_server: tuple[ServerProcess, int], tmp_path: Path) -> None:
    _, port = sip_server
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as junk:
        for data in (
            b"",
            b"\x00" * 1400,
            b"SIP/2.0 200 OK\r\n\r\n",
            b"INVITE sip:x SIP/2.0\r\nVia: ;;;\r\n\r\n",
        ):
            junk.sendto(data, ("127.0.0.1", port))
    done = sipp("options.xml", port, tmp_path)
    passed(done)


def main_client(server: ServerProcess) -> Client:
    return sdk_client(server.base_url, server.credentials.account_sid, server.credentials.auth_token)


def domain_options(domain: str, username: str = "alice", password: str = PASSWORD) -> tuple[str, ...]:
    # -auth_uri: sipp digests the Request-URI only when told it (by default it takes host:port).
    return (
        "-s",
        username,
        "-key",
        "domain",
        domain,
        "-au",
        username,
        "-ap",
        password,
        "-auth_uri",
        f"{username}@{domain}",
    )


@dataclass(frozen=True)
class CallsDomain:
    name: str
    address_list: str | None
    address: str | None


def calls_domain(
    client: Client, name: str, *, alice: bool = False, address: str | None = None
) -> CallsDomain:
    """A domain without a VoiceUrl (a caller let in gets 480), with alice's credential mapped for
    calls when ``alice``, and an IP access control list holding ``address`` when given."""
    domain = client.sip.domains.create(domain_name=name)
    calls = client.sip.domains(domain.sid).auth.calls
    if alice:
        credentials = client.sip.credential_lists.create(friendly_name="agents")
        client.sip.credential_lists(credentials.sid).credentials.create(username="alice", password=PASSWORD)
        calls.credential_list_mappings.create(credential_list_sid=credentials.sid)
    if address is None:
        return CallsDomain(name, None, None)
    addresses = client.sip.ip_access_control_lists.create(friendly_name="addresses")
    entry = client.sip.ip_access_control_lists(addresses.sid).ip_addresses.create(
        friendly_name="peer", ip_address=address
    )
    calls.ip_access_control_list_mappings.create(ip_access_control_list_sid=addresses.sid)
    return CallsDomain(name, addresses.sid, entry.sid)


def move_address(client: Client, domain: CallsDomain, address: str, prefix_length: int = 32) -> None:
    assert domain.address_list is not None
    assert domain.address is not None
    client.sip.ip_access_control_lists(domain.address_list).ip_addresses(domain.address).update(
        ip_address=address, cidr_prefix_length=prefix_length
    )


def passed(done: subprocess.CompletedProcess[str]) -> None:
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]


def test_a_domain_with_nothing_mapped_lets_no_call_in(
    sip_server: tuple[ServerProcess, int], tmp_path: Path
) -> None:
    server, port = sip_server
    domain = calls_domain(main_client(server), "closed.sip.twilio.com")
    passed(sipp("invite_domain.xml", port, tmp_path, *domain_options(domain.name), final="403"))
    assert main_client(server).calls.list() == []


def test_an_address_list_lets_its_addresses_in_and_no_others(
    sip_server: tuple[ServerProcess, int], tmp_path: Path
) -> None:
    server, port = sip_server
    client = main_client(server)
    domain = calls_domain(client, "office.sip.twilio.com", address="127.0.0.1")
    # Let in: with no VoiceUrl to run, the answer is 480, never a call.
    passed(sipp("invite_domain.xml", port, tmp_path, *domain_options(domain.name), final="480"))
    move_address(client, domain, "10.0.0.0", 8)
    passed(sipp("invite_domain.xml", port, tmp_path, *domain_options(domain.name), final="403"))
    assert client.calls.list() == []


@pytest.mark.parametrize(("password", "final"), [(PASSWORD, "480"), ("Wr0ngPassword!!", "403")])
def test_a_credential_list_challenges_and_lets_only_the_right_password_in(
    sip_server: tuple[ServerProcess, int], tmp_path: Path, password: str, final: str
) -> None:
    server, port = sip_server
    domain = calls_domain(main_client(server), "agents.sip.twilio.com", alice=True)
    options = domain_options(domain.name, password=password)
    passed(sipp("invite_domain_digest.xml", port, tmp_path, *options, final=final))
    assert main_client(server).calls.list() == []


def test_with_both_kinds_of_list_mapped_both_must_let_the_caller_in(
    sip_server: tuple[ServerProcess, int], tmp_path: Path
) -> None:
    server, port = sip_server
    client = main_client(server)
    domain = calls_domain(client, "both.sip.twilio.com", alice=True, address="192.0.2.1")
    # From an address outside the list: refused before any challenge, whatever the password.
    passed(sipp("invite_domain.xml", port, tmp_path, *domain_options(domain.name), final="403"))
    move_address(client, domain, "127.0.0.1")
    passed(sipp("invite_domain_digest.xml", port, tmp_path, *domain_options(domain.name), final="480"))


def registration_domain(client: Client, name: str, *, enabled: bool = True) -> str:
    """A domain taking registrations from a credential list with alice in it; its name."""
    domain = client.sip.domains.create(domain_name=name, sip_registration=enabled)
    credentials = client.sip.credential_lists.create(friendly_name=f"users of {name}")
    client.sip.credential_lists(credentials.sid).credentials.create(username="alice", password=PASSWORD)
    client.sip.domains(domain.sid).auth.registrations.credential_list_mappings.create(
        credential_list_sid=credentials.sid
    )
    return name


def register_options(domain: str, user: str = "alice", password: str = PASSWORD) -> tuple[str, ...]:
    """sipp registers ``user`` at ``domain`` as alice with ``password`` (a REGISTER's Request-URI, and
    so its digest URI, is the domain alone)."""
    return ("-s", user, "-key", "domain", domain, "-au", "alice", "-ap", password, "-auth_uri", domain)


# The 200 must list the contact just registered, with what is left of its 120 s.
REGISTERED = (
    '<action><ereg regexp="&lt;sip:alice@127\\.0\\.0\\.1:[0-9]+&gt;;expires=1[12][0-9]" '
    'search_in="hdr" header="Contact:" check_it="true" assign_to="1" /></action>'
)


def test_a_domain_user_registers_with_its_password_and_is_listed(
    sip_server: tuple[ServerProcess, int], tmp_path: Path
) -> None:
    server, port = sip_server
    name = registration_domain(main_client(server), "phones.sip.twilio.com")
    done = sipp("register_digest.xml", port, tmp_path, *register_options(name), final="200", check=REGISTERED)
    passed(done)


@pytest.mark.parametrize(
    ("user", "password"),
    [("alice", "Wr0ngPassword!!"), ("bob", PASSWORD)],  # a wrong password; alice registering bob
)
def test_a_wrong_password_or_another_users_address_is_refused(
    sip_server: tuple[ServerProcess, int], tmp_path: Path, user: str, password: str
) -> None:
    server, port = sip_server
    name = registration_domain(main_client(server), "phones.sip.twilio.com")
    done = sipp("register_digest.xml", port, tmp_path, *register_options(name, user, password), final="403")
    passed(done)


def test_a_domain_without_registration_takes_none(
    sip_server: tuple[ServerProcess, int], tmp_path: Path
) -> None:
    server, port = sip_server
    name = registration_domain(main_client(server), "closed.sip.twilio.com", enabled=False)
    done = sipp("register.xml", port, tmp_path, *register_options(name), final="403")
    passed(done)


def test_over_tcp_the_same_requests_get_the_same_answers(
    sip_server: tuple[ServerProcess, int], tmp_path: Path
) -> None:
    server, port = sip_server
    passed(sipp("options.xml", port, tmp_path, "-t", "t1"))
    domain = calls_domain(main_client(server), "tcp.sip.twilio.com", alice=True)
    options = ("-t", "t1", *domain_options(domain.name))
    passed(sipp("invite_domain_digest.xml", port, tmp_path, *options, final="480"))


@pytest.mark.parametrize(("transport", "kind"), [("udp", socket.SOCK_DGRAM), ("tcp", socket.SOCK_STREAM)])
def test_a_busy_sip_port_stops_the_server_before_it_creates_anything(
    tmp_path: Path, transport: str, kind: int
) -> None:
    data_dir = tmp_path / "data"
    with socket.socket(socket.AF_INET, kind) as taken:
        taken.bind(("127.0.0.1", 0))
        if kind == socket.SOCK_STREAM:
            taken.listen()
        port = taken.getsockname()[1]
        result = phonograph(
            None,
            "serve",
            "--port",
            str(free_port()),
            "--data-dir",
            str(data_dir),
            env={"PHONOGRAPH_SIP_PORT": str(port)},
        )
    assert result.code == 2
    assert f"cannot listen for SIP on {transport} 127.0.0.1:{port}" in result.out + result.err
    assert not data_dir.exists()
