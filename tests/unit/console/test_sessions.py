"""The console's session cookie: signed, expiring, holding no credential."""

from __future__ import annotations

from pathlib import Path

from phonograph.console.sessions import SECRET_FILE, SESSION_S, Signer, secret_key

TOKEN = "0123456789abcdef0123456789abcdef"


def test_a_session_round_trips_and_expires() -> None:
    signer = Signer(b"k" * 32)
    session = signer.new_session("AC" + "1" * 32, None, TOKEN, now_s=1_000)
    cookie = signer.dump(session)
    assert TOKEN not in cookie
    assert signer.load(cookie, now_s=1_000 + SESSION_S - 1) == session
    assert signer.load(cookie, now_s=1_000 + SESSION_S) is None


def test_a_tampered_or_foreign_cookie_is_no_session() -> None:
    signer = Signer(b"k" * 32)
    cookie = signer.dump(signer.new_session("AC" + "1" * 32, None, TOKEN, now_s=0))
    payload, _, mac = cookie.rpartition(".")
    assert signer.load(f"{payload}x.{mac}", now_s=1) is None
    assert Signer(b"other" * 8).load(cookie, now_s=1) is None
    for junk in ("", "no-dot", ".", "a.b", "!!!." + mac):
        assert signer.load(junk, now_s=1) is None


def test_the_fingerprint_tells_a_rotated_token_without_holding_it() -> None:
    signer = Signer(b"k" * 32)
    assert signer.fingerprint(TOKEN) == signer.fingerprint(TOKEN)
    assert signer.fingerprint(TOKEN) != signer.fingerprint(TOKEN[::-1])
    assert TOKEN not in signer.fingerprint(TOKEN)


def test_the_key_is_the_settings_or_one_made_once_into_the_data_dir(tmp_path: Path) -> None:
    assert secret_key("s" * 40, tmp_path) == b"s" * 40
    made = secret_key(None, tmp_path)
    assert len(made) == 32
    assert secret_key(None, tmp_path) == made
    assert (tmp_path / SECRET_FILE).stat().st_mode & 0o777 == 0o600
