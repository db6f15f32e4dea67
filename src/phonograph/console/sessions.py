"""The console's session: a signed cookie, and the CSRF token every form carries.

The cookie holds who logged in (an Account SID, or an API key SID and its account), which account
they are looking at (theirs or a subaccount), a CSRF token, when it expires, and a fingerprint of
the credential used: an HMAC of the Auth Token (or of the key's stored digest) under the server's
secret. Rotating the Auth Token or deleting the key ends every console session made with it; the
credential itself is never in the cookie, the page or its JavaScript.

Signed with HMAC-SHA256 (RFC 2104) under ``PHONOGRAPH_SECRET_KEY`` or a key made once into the
data dir (``secret_key``): a cookie is trusted only if its signature verifies, it has not expired
and it did not log out (a logout is kept in the database until the session would have expired,
so a copy of the cookie is refused on every node).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import os
import secrets
from dataclasses import asdict, dataclass, replace
from pathlib import Path

COOKIE = "phonograph_console"
LOGIN_COOKIE = "phonograph_login"
"""The login form's double-submit CSRF token: the form has no session yet."""
SESSION_S = 12 * 3600
SECRET_FILE = "console-secret-key"
_SECRET_BYTES = 32


def secret_key(configured: str | None, data_dir: Path) -> bytes:
    """``configured`` (``PHONOGRAPH_SECRET_KEY``), else the key in the data dir, made on first use
    (0600): several nodes share a key only through the setting."""
    if configured is not None:
        return configured.encode()
    path = data_dir / SECRET_FILE
    try:
        return bytes.fromhex(path.read_text().strip())
    except FileNotFoundError:
        pass
    key = secrets.token_bytes(_SECRET_BYTES)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key.hex())
    return key


@dataclass(frozen=True)
class ConsoleSession:
    account_sid: str
    key_sid: str | None
    fingerprint: str
    viewing: str
    csrf: str
    expires_at: int

    def viewing_account(self, account_sid: str) -> ConsoleSession:
        return replace(self, viewing=account_sid)

    @property
    def digest(self) -> str:
        """What a logout keeps of the session (store/models/console_logout.py): its CSRF token is
        random and made with it, so it names it."""
        return hashlib.sha256(self.csrf.encode()).hexdigest()


class Signer:
    def __init__(self, key: bytes) -> None:
        self._key = key

    def fingerprint(self, credential: str) -> str:
        """What the cookie keeps of a credential: enough to tell it changed, nothing to log in with."""
        return hmac.new(self._key, b"credential:" + credential.encode(), hashlib.sha256).hexdigest()[:32]

    def new_session(
        self, account_sid: str, key_sid: str | None, credential: str, now_s: int
    ) -> ConsoleSession:
        return ConsoleSession(
            account_sid=account_sid,
            key_sid=key_sid,
            fingerprint=self.fingerprint(credential),
            viewing=account_sid,
            csrf=secrets.token_urlsafe(24),
            expires_at=now_s + SESSION_S,
        )

    def dump(self, session: ConsoleSession) -> str:
        payload = base64.urlsafe_b64encode(json.dumps(asdict(session), separators=(",", ":")).encode())
        return f"{payload.decode()}.{self._mac(payload)}"

    def load(self, cookie: str | None, now_s: int) -> ConsoleSession | None:
        """The session a cookie holds, or None: unsigned, tampered with, malformed or expired."""
        if not cookie or "." not in cookie:
            return None
        payload, _, mac = cookie.rpartition(".")
        if not hmac.compare_digest(mac, self._mac(payload.encode())):
            return None
        try:
            session = ConsoleSession(**json.loads(base64.urlsafe_b64decode(payload)))
        except (binascii.Error, ValueError, TypeError):
            return None
        return session if session.expires_at > now_s else None

    def _mac(self, payload: bytes) -> str:
        digest = hmac.new(self._key, b"session:" + payload, hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode().rstrip("=")
