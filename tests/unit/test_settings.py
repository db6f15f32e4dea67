"""Settings.from_env: defaults, and every value the server refuses to start with."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from phonograph.core import DigestAlgorithm
from phonograph.settings import Settings, SettingsError

SID = "AC" + "0123456789abcdef" * 2


def test_defaults(tmp_path: Path) -> None:
    settings = Settings.from_env({}, data_dir=tmp_path)
    assert settings.data_dir == tmp_path.resolve()
    assert settings.database_url == f"sqlite+aiosqlite:///{tmp_path.resolve() / 'phonograph.db'}"
    assert settings.public_url == "http://127.0.0.1:8080"
    assert (settings.account_sid, settings.auth_token, settings.speed) == (None, None, 1.0)
    assert settings.storage_url == str(tmp_path.resolve() / "media")
    assert settings.journal_dir == tmp_path.resolve() / "journal"


def test_values_from_the_environment(tmp_path: Path) -> None:
    env = {
        "PHONOGRAPH_ACCOUNT_SID": SID,
        "PHONOGRAPH_AUTH_TOKEN": "secret",
        "PHONOGRAPH_SPEED": "2.5",
        "PHONOGRAPH_PUBLIC_URL": "https://rec.example.com/",
        "PHONOGRAPH_DATA_DIR": str(tmp_path),
    }
    settings = Settings.from_env(env)
    assert (settings.account_sid, settings.auth_token, settings.speed) == (SID, "secret", 2.5)
    assert settings.public_url == "https://rec.example.com"
    assert settings.credentials_file == tmp_path.resolve() / "credentials.json"


def test_the_node_is_this_host_and_port_unless_named(tmp_path: Path) -> None:
    settings = Settings.from_env({}, data_dir=tmp_path, port=9090)
    assert (settings.node_id, settings.node_lease_s) == (f"{socket.gethostname()}:9090", 15.0)
    named = Settings.from_env(
        {"PHONOGRAPH_NODE_ID": "rec-1", "PHONOGRAPH_NODE_LEASE_S": "4.5"}, data_dir=tmp_path
    )
    assert (named.node_id, named.node_lease_s) == ("rec-1", 4.5)


def test_sip_listens_on_5060_unless_told_another_port_or_0_for_none(tmp_path: Path) -> None:
    assert Settings.from_env({}, data_dir=tmp_path).sip_port == 5060
    assert Settings.from_env({"PHONOGRAPH_SIP_PORT": "5070"}, data_dir=tmp_path).sip_port == 5070
    assert Settings.from_env({"PHONOGRAPH_SIP_PORT": "0"}, data_dir=tmp_path).sip_port == 0
    sip = Settings.from_env(
        {"PHONOGRAPH_SIP_ADVERTISE": "203.0.113.7", "PHONOGRAPH_RTP_PORTS": "20000-20099"}, data_dir=tmp_path
    )
    assert (sip.sip_advertise, sip.rtp_ports, sip.sip_rate) == ("203.0.113.7", (20_000, 20_099), 5.0)
    assert Settings.from_env({"PHONOGRAPH_SIP_RATE": "200"}, data_dir=tmp_path).sip_rate == 200.0
    # Digest challenges: MD5 alone (as Twilio) unless SHA-256 is asked for too, in the order given.
    assert sip.sip_digest == (DigestAlgorithm.MD5,)
    both = Settings.from_env({"PHONOGRAPH_SIP_DIGEST": "sha-256, MD5"}, data_dir=tmp_path).sip_digest
    assert both == (DigestAlgorithm.SHA256, DigestAlgorithm.MD5)
    # By default the address the server listens on; 127.0.0.1 for all of them (0.0.0.0).
    assert Settings.from_env({}, data_dir=tmp_path, host="0.0.0.0").sip_advertise == "127.0.0.1"


def test_the_console_is_on_unless_turned_off_and_callbacks_stay_30_days(tmp_path: Path) -> None:
    settings = Settings.from_env({}, data_dir=tmp_path)
    assert (settings.console, settings.secret_key, settings.callback_retention.days) == (True, None, 30)
    env = {
        "PHONOGRAPH_CONSOLE": "off",
        "PHONOGRAPH_SECRET_KEY": "k" * 32,
        "PHONOGRAPH_CALLBACK_RETENTION_DAYS": "7",
    }
    settings = Settings.from_env(env, data_dir=tmp_path)
    assert (settings.console, settings.secret_key, settings.callback_retention.days) == (False, "k" * 32, 7)


def test_empty_values_count_as_unset(tmp_path: Path) -> None:
    env = {"PHONOGRAPH_ACCOUNT_SID": "", "PHONOGRAPH_AUTH_TOKEN": "", "PHONOGRAPH_SPEED": ""}
    settings = Settings.from_env(env, data_dir=tmp_path)
    assert (settings.account_sid, settings.auth_token, settings.speed) == (None, None, 1.0)


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({"PHONOGRAPH_ACCOUNT_SID": SID}, "PHONOGRAPH_AUTH_TOKEN"),
        ({"PHONOGRAPH_AUTH_TOKEN": "secret"}, "PHONOGRAPH_ACCOUNT_SID"),
        ({"PHONOGRAPH_ACCOUNT_SID": "AC123", "PHONOGRAPH_AUTH_TOKEN": "t"}, "PHONOGRAPH_ACCOUNT_SID"),
        ({"PHONOGRAPH_ACCOUNT_SID": SID + "0", "PHONOGRAPH_AUTH_TOKEN": "t"}, "PHONOGRAPH_ACCOUNT_SID"),
        ({"PHONOGRAPH_ACCOUNT_SID": "AC" + "g" * 32, "PHONOGRAPH_AUTH_TOKEN": "t"}, "PHONOGRAPH_ACCOUNT_SID"),
        ({"PHONOGRAPH_ACCOUNT_SID": "SK" + SID[2:], "PHONOGRAPH_AUTH_TOKEN": "t"}, "PHONOGRAPH_ACCOUNT_SID"),
        ({"PHONOGRAPH_SPEED": "0"}, "PHONOGRAPH_SPEED"),
        ({"PHONOGRAPH_SPEED": "-1"}, "PHONOGRAPH_SPEED"),
        ({"PHONOGRAPH_SPEED": "fast"}, "PHONOGRAPH_SPEED"),
        ({"PHONOGRAPH_SPEED": "nan"}, "PHONOGRAPH_SPEED"),
        ({"PHONOGRAPH_SPEED": "inf"}, "PHONOGRAPH_SPEED"),
        ({"PHONOGRAPH_STORAGE_URL": "http://example.com/media"}, "PHONOGRAPH_STORAGE_URL"),
        ({"PHONOGRAPH_STORAGE_URL": "gs://bucket/prefix"}, "PHONOGRAPH_STORAGE_URL"),
        ({"PHONOGRAPH_STORAGE_URL": "file://host/media"}, "PHONOGRAPH_STORAGE_URL"),
        ({"PHONOGRAPH_NODE_ID": "node a"}, "PHONOGRAPH_NODE_ID"),
        ({"PHONOGRAPH_NODE_ID": "n" * 129}, "PHONOGRAPH_NODE_ID"),
        ({"PHONOGRAPH_NODE_ID": "node\x00"}, "PHONOGRAPH_NODE_ID"),
        ({"PHONOGRAPH_NODE_LEASE_S": "0.5"}, "PHONOGRAPH_NODE_LEASE_S"),
        ({"PHONOGRAPH_NODE_LEASE_S": "601"}, "PHONOGRAPH_NODE_LEASE_S"),
        ({"PHONOGRAPH_NODE_LEASE_S": "nan"}, "PHONOGRAPH_NODE_LEASE_S"),
        ({"PHONOGRAPH_NODE_LEASE_S": "soon"}, "PHONOGRAPH_NODE_LEASE_S"),
        ({"PHONOGRAPH_BUS_DELAY_MS": "-5"}, "PHONOGRAPH_BUS_DELAY_MS"),
        ({"PHONOGRAPH_BUS_DELAY_MS": "5001"}, "PHONOGRAPH_BUS_DELAY_MS"),
        ({"PHONOGRAPH_BUS_DELAY_MS": "0.5"}, "PHONOGRAPH_BUS_DELAY_MS"),
        ({"PHONOGRAPH_CONSOLE": "yes"}, "PHONOGRAPH_CONSOLE"),
        ({"PHONOGRAPH_SECRET_KEY": "short"}, "PHONOGRAPH_SECRET_KEY"),
        ({"PHONOGRAPH_CALLBACK_RETENTION_DAYS": "0"}, "PHONOGRAPH_CALLBACK_RETENTION_DAYS"),
        ({"PHONOGRAPH_CALLBACK_RETENTION_DAYS": "9" * 12}, "PHONOGRAPH_CALLBACK_RETENTION_DAYS"),
        ({"PHONOGRAPH_DRAIN_S": "-1"}, "PHONOGRAPH_DRAIN_S"),
        ({"PHONOGRAPH_DRAIN_S": "3601"}, "PHONOGRAPH_DRAIN_S"),
        ({"PHONOGRAPH_DRAIN_S": "soon"}, "PHONOGRAPH_DRAIN_S"),
        ({"PHONOGRAPH_SIP_PORT": "65536"}, "PHONOGRAPH_SIP_PORT"),
        ({"PHONOGRAPH_SIP_PORT": "-1"}, "PHONOGRAPH_SIP_PORT"),
        ({"PHONOGRAPH_SIP_PORT": "sip"}, "PHONOGRAPH_SIP_PORT"),
        ({"PHONOGRAPH_SIP_ADVERTISE": "pbx.example.com"}, "PHONOGRAPH_SIP_ADVERTISE"),
        ({"PHONOGRAPH_RTP_PORTS": "20000"}, "PHONOGRAPH_RTP_PORTS"),
        ({"PHONOGRAPH_RTP_PORTS": "20000-10000"}, "PHONOGRAPH_RTP_PORTS"),
        ({"PHONOGRAPH_RTP_PORTS": "80-90"}, "PHONOGRAPH_RTP_PORTS"),
        ({"PHONOGRAPH_SIP_RATE": "0"}, "PHONOGRAPH_SIP_RATE"),
        ({"PHONOGRAPH_SIP_RATE": "fast"}, "PHONOGRAPH_SIP_RATE"),
        ({"PHONOGRAPH_SIP_DIGEST": "SHA-1"}, "PHONOGRAPH_SIP_DIGEST"),
        ({"PHONOGRAPH_SIP_DIGEST": "MD5,MD5"}, "PHONOGRAPH_SIP_DIGEST"),
    ],
)
def test_bad_values_name_their_variable(tmp_path: Path, env: dict[str, str], variable: str) -> None:
    with pytest.raises(SettingsError, match=variable):
        Settings.from_env(env, data_dir=tmp_path)


@pytest.mark.parametrize(
    "url", ["/srv/phonograph/media", "file:///srv/phonograph/media", "s3://bucket", "s3://bucket/prefix"]
)
def test_storage_url_takes_a_folder_or_a_bucket(tmp_path: Path, url: str) -> None:
    settings = Settings.from_env({"PHONOGRAPH_STORAGE_URL": url}, data_dir=tmp_path)
    assert settings.storage_url == url


def test_an_s3_url_without_a_bucket_is_refused(tmp_path: Path) -> None:
    env = {"PHONOGRAPH_STORAGE_URL": "s3:///prefix"}
    with pytest.raises(SettingsError, match=r"PHONOGRAPH_STORAGE_URL: .*s3://bucket/prefix"):
        Settings.from_env(env, data_dir=tmp_path)
