"""``phonograph phones list|add|remove``: the command line, run as users run it, against a test server.

Each command runs in its own empty working directory, so that no ``./data`` of the checkout is
read; credentials come from the options, the environment or a data dir, as each test says.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

from phonograph.testing.server import ServerProcess, free_port
from tests.conftest import TestAccount
from tests.support.api import ok_json
from tests.support.cli import as_account, phonograph

PHONES = "/phonograph/v1/Phones"
TWIML = "<Response><Say>Hello from the command line</Say></Response>"


def phones_of(account: TestAccount) -> list[dict[str, Any]]:
    phones: list[dict[str, Any]] = ok_json(account.http.get(PHONES))["phones"]
    return phones


def line(phone: dict[str, Any]) -> str:
    twiml = "yes" if phone["twiml"] is not None else "no"
    return (
        f"{phone['phone_number']} {phone['answer']} after={phone['answer_after_s']:g}s"
        f" twiml={twiml} sid={phone['sid']}"
    )


def test_add_list_remove(server: ServerProcess, account: TestAccount, tmp_path: Path) -> None:
    options = as_account(server, account)
    added = phonograph(tmp_path, "phones", "add", "+15550001111", *options)
    assert added.code == 0, added.err
    [phone] = phones_of(account)
    assert (phone["phone_number"], phone["answer"], phone["answer_after_s"], phone["twiml"]) == (
        "+15550001111",
        "answer",
        1,
        None,
    )
    assert added.out == line(phone) + "\n"
    assert "+15550001111 answer after=1s twiml=no sid=PV" in added.out

    second = phonograph(
        tmp_path,
        "phones",
        "add",
        "+15550002222",
        "--answer",
        "busy",
        "--answer-after-s",
        "2.5",
        "--twiml",
        TWIML,
        *options,
    )
    assert second.code == 0, second.err
    newest = phones_of(account)[0]
    assert (newest["answer"], newest["answer_after_s"], newest["twiml"]) == ("busy", 2.5, TWIML)

    listed = phonograph(tmp_path, "phones", "list", *options)
    assert listed.code == 0, listed.err
    assert listed.out.splitlines() == [line(item) for item in phones_of(account)]
    assert len(listed.out.splitlines()) == 2

    removed = phonograph(tmp_path, "phones", "remove", "+15550001111", *options)
    assert removed.code == 0, removed.err
    assert removed.out == "removed +15550001111\n"
    assert [item["phone_number"] for item in phones_of(account)] == ["+15550002222"]


def test_list_of_no_phones_prints_nothing(
    server: ServerProcess, account: TestAccount, tmp_path: Path
) -> None:
    listed = phonograph(tmp_path, "phones", "list", *as_account(server, account))
    assert (listed.code, listed.out) == (0, "")


def test_twiml_from_a_file(server: ServerProcess, account: TestAccount, tmp_path: Path) -> None:
    script = tmp_path / "far-end.xml"
    script.write_text(TWIML, encoding="utf-8")
    added = phonograph(
        tmp_path, "phones", "add", "+15550003333", "--twiml-file", str(script), *as_account(server, account)
    )
    assert added.code == 0, added.err
    assert phones_of(account)[0]["twiml"] == TWIML
    assert "twiml=yes" in added.out


def test_credentials_from_the_environment(
    server: ServerProcess, account: TestAccount, tmp_path: Path
) -> None:
    env = {"PHONOGRAPH_ACCOUNT_SID": account.sid, "PHONOGRAPH_AUTH_TOKEN": account.auth_token}
    added = phonograph(tmp_path, "phones", "add", "+15550004444", "--server", server.base_url, env=env)
    assert added.code == 0, added.err
    assert [phone["phone_number"] for phone in phones_of(account)] == ["+15550004444"]


def test_options_win_over_the_environment(
    server: ServerProcess, account: TestAccount, other_account: TestAccount, tmp_path: Path
) -> None:
    env = {"PHONOGRAPH_ACCOUNT_SID": other_account.sid, "PHONOGRAPH_AUTH_TOKEN": other_account.auth_token}
    added = phonograph(tmp_path, "phones", "add", "+15550005555", *as_account(server, account), env=env)
    assert added.code == 0, added.err
    assert len(phones_of(account)) == 1
    assert phones_of(other_account) == []


def test_credentials_from_the_data_dir(server: ServerProcess, tmp_path: Path) -> None:
    """Without options or environment, the server's own credentials.json: the main account."""
    number = f"+1555{uuid.uuid4().int % 10**7:07d}"
    options = ["--server", server.base_url, "--data-dir", str(server.data_dir)]
    added = phonograph(tmp_path, "phones", "add", number, *options)
    assert added.code == 0, added.err
    creds = server.credentials
    assert "sid=PV" in added.out
    with httpx.Client(base_url=server.base_url, auth=(creds.account_sid, creds.auth_token)) as main:
        assert number in [phone["phone_number"] for phone in ok_json(main.get(PHONES))["phones"]]
        removed = phonograph(tmp_path, "phones", "remove", number, *options)
        assert removed.code == 0, removed.err
        assert number not in [phone["phone_number"] for phone in ok_json(main.get(PHONES))["phones"]]


# --- failures --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "mentions"),
    [
        (["add", "5550001111"], "phone_number"),
        (["add", "+15550001111", "--answer", "maybe"], "answer"),
        (["add", "+15550001111", "--answer-after-s", "601"], "answer_after_s"),
        (["add", "+15550001111", "--twiml", "<Reply/>"], "twiml"),
        (["remove", "+15559999999"], "was not found"),
    ],
    ids=["bad-number", "bad-answer", "too-late", "bad-twiml", "remove-unknown"],
)
def test_server_refusals_print_its_message_and_exit_1(
    server: ServerProcess, account: TestAccount, tmp_path: Path, args: list[str], mentions: str
) -> None:
    refused = phonograph(tmp_path, "phones", *args, *as_account(server, account))
    assert refused.code == 1, refused
    assert refused.err.startswith("error: "), refused.err
    assert mentions in refused.err
    assert refused.out == ""
    assert phones_of(account) == []


def test_duplicate_is_refused(server: ServerProcess, account: TestAccount, tmp_path: Path) -> None:
    options = as_account(server, account)
    assert phonograph(tmp_path, "phones", "add", "+15550001111", *options).code == 0
    again = phonograph(tmp_path, "phones", "add", "+15550001111", "--answer", "busy", *options)
    assert again.code == 1
    assert "already has a virtual phone" in again.err
    assert "409" in again.err
    assert [phone["answer"] for phone in phones_of(account)] == ["answer"]


def test_wrong_credentials(server: ServerProcess, account: TestAccount, tmp_path: Path) -> None:
    options = ["--server", server.base_url, "--account-sid", account.sid, "--auth-token", "0" * 32]
    refused = phonograph(tmp_path, "phones", "list", *options)
    assert refused.code == 1
    assert "Authentication Error" in refused.err


def test_unreachable_server(account: TestAccount, tmp_path: Path) -> None:
    options = ["--account-sid", account.sid, "--auth-token", account.auth_token]
    refused = phonograph(tmp_path, "phones", "list", "--server", f"http://127.0.0.1:{free_port()}", *options)
    assert refused.code == 1
    assert "cannot reach" in refused.err


@pytest.mark.parametrize(
    ("args", "env", "mentions"),
    [
        (["list"], {}, "no credentials"),
        (["list", "--account-sid", "AC" + "0" * 32], {}, "--auth-token"),
        (["list"], {"PHONOGRAPH_ACCOUNT_SID": "AC" + "0" * 32}, "PHONOGRAPH_AUTH_TOKEN"),
        (["add", "+15550001111", "--twiml", TWIML, "--twiml-file", "x.xml"], {}, "not both"),
        (["add", "+15550001111", "--twiml-file", "missing.xml"], {}, "missing.xml"),
    ],
    ids=["no-credentials", "sid-without-token", "half-environment", "two-twimls", "missing-file"],
)
def test_usage_errors_exit_2_before_any_request(
    tmp_path: Path, args: list[str], env: dict[str, str], mentions: str
) -> None:
    # The server address is one nobody listens on: a request would fail with exit status 1.
    refused = phonograph(tmp_path, "phones", *args, "--server", f"http://127.0.0.1:{free_port()}", env=env)
    assert refused.code == 2, refused
    assert mentions in refused.err


def test_help_lists_the_commands(tmp_path: Path) -> None:
    top = phonograph(tmp_path, "--help")
    assert top.code == 0
    assert "serve" in top.out
    assert "phones" in top.out
    phones = phonograph(tmp_path, "phones", "--help")
    assert phones.code == 0
    for command in ("list", "add", "remove"):
        assert command in phones.out
    assert phonograph(tmp_path, "serve", "--help").code == 0
