"""Settings, read once from the environment (docs/architecture.md, "Contracts")."""

from __future__ import annotations

import ipaddress
import math
import os
import socket
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from phonograph.api import MetricsAccess
from phonograph.calls import DEFAULT_LEASE_S, DEFAULT_PLAY_CACHE_BYTES
from phonograph.core import DEFAULT_HOST, DEFAULT_PORT, DigestAlgorithm, is_sid
from phonograph.media import DEFAULT_SAY_CACHE_BYTES
from phonograph.store.blobs import open_blob_store
from phonograph.transcription.models import server_model
from phonograph.webhooks import OutboundPolicy

DEFAULT_RTP_PORTS = "10000-20000"
DEFAULT_SIP_RATE = 5.0
DEFAULT_CALLBACK_RETENTION_DAYS = 30
MAX_CALLBACK_RETENTION_DAYS = 3650
MIN_SECRET_KEY_CHARS = 32
MAX_SIP_RATE = 10_000.0
DEFAULT_SIP_PORT = 5060
DEFAULT_DATA_DIR = Path("./data")
NODE_ID_MAX_CHARS = 128


class SettingsError(ValueError):
    """A setting has a value the server cannot run with; the message names the variable."""


# Captured tracks live in memory (calls/capture.py): keep a call's worth small.
MAX_CAPTURE_S = 600

# Speech-to-text (transcription/engine.py): a model installed in the data dir (`phonograph models
# install`, transcription/models.py), a Whisper model name faster-whisper downloads once (needs
# internet), or a local folder of a CTranslate2-converted Whisper model. Unset: the installed
# default, else this name.
DEFAULT_STT_MODEL = "base.en"
DEFAULT_STT_THREADS = 2
DEFAULT_STT_WORKERS = 1
DEFAULT_STT_QUEUE = 100

# A node's lease (calls/nodes.py): under a second, a busy machine's heartbeat may miss it and the
# node is taken over while it runs; over ten minutes, a dead node's calls hang on that long.
MIN_LEASE_S = 1.0
MAX_LEASE_S = 600.0
MAX_BUS_DELAY_MS = 5000
MAX_DRAIN_S = 3600

# Byte bounds of the audio caches (docs/security.md), set in megabytes; the rooms own the defaults.
MB = 1024 * 1024
DEFAULT_SAY_CACHE_MB = DEFAULT_SAY_CACHE_BYTES // MB
DEFAULT_PLAY_CACHE_MB = DEFAULT_PLAY_CACHE_BYTES // MB


def _positive_int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name) or ""
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise SettingsError(f"{name} must be a whole number") from exc
    if value < 1:
        raise SettingsError(f"{name} must be at least 1")
    return value


def _node_id(env: Mapping[str, str], port: int) -> str:
    """``PHONOGRAPH_NODE_ID``; by default this host and port."""
    node_id = env.get("PHONOGRAPH_NODE_ID") or f"{socket.gethostname()}:{port}"
    if len(node_id) > NODE_ID_MAX_CHARS or not node_id.isprintable() or any(c.isspace() for c in node_id):
        raise SettingsError(
            f"PHONOGRAPH_NODE_ID must be up to {NODE_ID_MAX_CHARS} printable characters without spaces"
        )
    return node_id


def _sip_port(env: Mapping[str, str]) -> int:
    """``PHONOGRAPH_SIP_PORT``: the UDP port SIP listens on (sip/endpoint.py); 0 turns SIP off."""
    raw = env.get("PHONOGRAPH_SIP_PORT") or str(DEFAULT_SIP_PORT)
    port = int(raw) if raw.isdigit() else -1
    if not 0 <= port <= 65_535:
        raise SettingsError("PHONOGRAPH_SIP_PORT must be a port number (0 turns SIP off)")
    return port


def _sip_advertise(env: Mapping[str, str], shown_host: str) -> str:
    """``PHONOGRAPH_SIP_ADVERTISE``: the IP address phones reach this node's SIP and RTP at, put in
    Via, Contact and SDP (an SDP ``c=`` line names an address, not a host); by default the address
    the server listens on."""
    raw = env.get("PHONOGRAPH_SIP_ADVERTISE") or shown_host
    try:
        return str(ipaddress.ip_address(raw))
    except ValueError:
        raise SettingsError("PHONOGRAPH_SIP_ADVERTISE must be an IP address") from None


def _sip_rate(env: Mapping[str, str]) -> float:
    """``PHONOGRAPH_SIP_RATE``: new INVITEs and REGISTERs a second each source address may send
    (sip/ratelimit.py); a PBX or SBC that sends a whole office's calls from one address needs more
    than the default."""
    raw = env.get("PHONOGRAPH_SIP_RATE") or str(DEFAULT_SIP_RATE)
    try:
        rate = float(raw)
    except ValueError:
        rate = 0.0
    if not 0 < rate <= MAX_SIP_RATE:
        raise SettingsError(f"PHONOGRAPH_SIP_RATE must be a number above 0, at most {MAX_SIP_RATE}")
    return rate


def _sip_digest(env: Mapping[str, str]) -> tuple[DigestAlgorithm, ...]:
    """``PHONOGRAPH_SIP_DIGEST``: the digest algorithms phonograph challenges SIP callers with, in
    order (``MD5``, ``SHA-256``). MD5 alone by default: it is what Twilio uses, and user agents
    whose digest code knows only MD5 give up on a challenge list that holds SHA-256 too (baresip
    1.0, Debian 12's, does), though RFC 8760 §2.4 says they should take the one they know."""
    raw = env.get("PHONOGRAPH_SIP_DIGEST") or DigestAlgorithm.MD5.value
    by_name = {algorithm.value.upper(): algorithm for algorithm in DigestAlgorithm}
    names = [name.strip().upper() for name in raw.split(",")]
    if any(name not in by_name for name in names) or len(set(names)) != len(names):
        raise SettingsError("PHONOGRAPH_SIP_DIGEST must list MD5 and/or SHA-256, each once, comma-separated")
    return tuple(by_name[name] for name in names)


def _rtp_ports(env: Mapping[str, str]) -> tuple[int, int]:
    """``PHONOGRAPH_RTP_PORTS``: ``first-last``, the UDP ports calls' RTP takes (an even one each)."""
    raw = env.get("PHONOGRAPH_RTP_PORTS") or DEFAULT_RTP_PORTS
    first, dash, last = raw.partition("-")
    if not (dash and first.isdigit() and last.isdigit() and 1024 <= int(first) < int(last) <= 65_535):
        raise SettingsError("PHONOGRAPH_RTP_PORTS must be a range first-last of ports from 1024 to 65535")
    return int(first), int(last)


def _bus_delay_s(env: Mapping[str, str]) -> float:
    """``PHONOGRAPH_BUS_DELAY_MS``: an artificial routing delay of commands between nodes (tests)."""
    raw = env.get("PHONOGRAPH_BUS_DELAY_MS") or "0"
    delay_ms = int(raw) if raw.isdigit() else -1
    if not 0 <= delay_ms <= MAX_BUS_DELAY_MS:
        raise SettingsError(f"PHONOGRAPH_BUS_DELAY_MS must be a whole number from 0 to {MAX_BUS_DELAY_MS}")
    return delay_ms / 1000


def _seconds(env: Mapping[str, str], name: str, default: float, low: float, high: float) -> float:
    """``name`` as a number of seconds from ``low`` to ``high``; ``default`` when unset."""
    try:
        value = float(env.get(name) or default)
    except ValueError as exc:
        raise SettingsError(f"{name} must be a number of seconds") from exc
    if not (math.isfinite(value) and low <= value <= high):
        raise SettingsError(f"{name} must be between {low:g} and {high:g}")
    return value


def _retention(env: Mapping[str, str]) -> timedelta:
    name = "PHONOGRAPH_CALLBACK_RETENTION_DAYS"
    days = _positive_int(env, name, DEFAULT_CALLBACK_RETENTION_DAYS)
    if days > MAX_CALLBACK_RETENTION_DAYS:
        raise SettingsError(f"{name} must be at most {MAX_CALLBACK_RETENTION_DAYS}")
    return timedelta(days=days)


def _on_off(env: Mapping[str, str], name: str, *, default: bool) -> bool:
    raw = (env.get(name) or ("on" if default else "off")).lower()
    if raw not in ("on", "off"):
        raise SettingsError(f"{name} must be on or off")
    return raw == "on"


def _secret_key(env: Mapping[str, str]) -> str | None:
    """``PHONOGRAPH_SECRET_KEY``: what signs the console's session cookies; shared by the nodes of
    one cluster, so a session started on one is good on another."""
    key = env.get("PHONOGRAPH_SECRET_KEY") or None
    if key is not None and len(key) < MIN_SECRET_KEY_CHARS:
        raise SettingsError(f"PHONOGRAPH_SECRET_KEY must be at least {MIN_SECRET_KEY_CHARS} characters")
    return key


@dataclass(frozen=True)
class Settings:
    host: str
    port: int
    data_dir: Path
    database_url: str
    public_url: str
    account_sid: str | None
    auth_token: str | None
    speed: float
    # Where recording media lives: a folder (plain path or file:///abs/path) or s3://bucket/prefix.
    storage_url: str
    capture_s: float = 0.0
    # Transcription: the model, CPU threads per job, jobs run at once, and how many may wait.
    stt_model: str = DEFAULT_STT_MODEL
    stt_threads: int = DEFAULT_STT_THREADS
    stt_workers: int = DEFAULT_STT_WORKERS
    stt_queue: int = DEFAULT_STT_QUEUE
    # Which addresses tenant-supplied URLs may reach (webhooks/outbound.py, docs/security.md).
    outbound: OutboundPolicy = field(default_factory=OutboundPolicy)
    say_cache_bytes: int = DEFAULT_SAY_CACHE_BYTES
    play_cache_bytes: int = DEFAULT_PLAY_CACHE_BYTES
    # Who may read GET /metrics (api/metrics.py): a main account, anyone, or nobody.
    metrics: MetricsAccess = MetricsAccess.AUTH
    # This process among those sharing the database, and how long its lease on its live calls
    # lasts without a heartbeat (calls/nodes.py).
    node_id: str = f"{DEFAULT_HOST}:{DEFAULT_PORT}"
    node_lease_s: float = DEFAULT_LEASE_S
    # For tests: hold every command routed from another node this long (calls/bus.py).
    bus_delay_s: float = 0.0
    # How long a stopping node lets its live calls end by themselves before it ends them.
    drain_s: float = 0.0
    # The UDP port SIP listens on, on ``host``; 0: no SIP (sip/endpoint.py).
    sip_port: int = DEFAULT_SIP_PORT
    # The address put in Via, Contact and SDP, and the UDP ports of calls' RTP (sip/dialogs.py).
    sip_advertise: str = DEFAULT_HOST
    rtp_ports: tuple[int, int] = (10_000, 20_000)
    # New INVITEs and REGISTERs a second per source address (sip/ratelimit.py).
    sip_rate: float = DEFAULT_SIP_RATE
    # The digest algorithms SIP callers are challenged with, in order (sip/admission.py).
    sip_digest: tuple[DigestAlgorithm, ...] = (DigestAlgorithm.MD5,)
    # How long a delivered or failed callback stays in the callback log (webhooks/outbox.py).
    callback_retention: timedelta = timedelta(days=DEFAULT_CALLBACK_RETENTION_DAYS)
    # The web console at /console (console/); its session cookies are signed with ``secret_key``,
    # or else with a key made once into the data dir (console/keys.py).
    console: bool = True
    secret_key: str | None = None

    @property
    def credentials_file(self) -> Path:
        return self.data_dir / "credentials.json"

    @property
    def journal_dir(self) -> Path:
        """Where live recordings journal their tracks; it must survive a crash, so it is on disk."""
        return self.data_dir / "journal"

    @classmethod
    def from_env(
        cls,
        env: Mapping[str, str] | None = None,
        *,
        host: str = DEFAULT_HOST,
        port: int = DEFAULT_PORT,
        data_dir: Path | None = None,
    ) -> Settings:
        """Settings from ``env`` (default ``os.environ``); command-line values win over it."""
        env = os.environ if env is None else env
        data = (data_dir or Path(env.get("PHONOGRAPH_DATA_DIR") or DEFAULT_DATA_DIR)).resolve()
        account_sid = env.get("PHONOGRAPH_ACCOUNT_SID") or None
        auth_token = env.get("PHONOGRAPH_AUTH_TOKEN") or None
        if (account_sid is None) != (auth_token is None):
            raise SettingsError("set both PHONOGRAPH_ACCOUNT_SID and PHONOGRAPH_AUTH_TOKEN, or neither")
        if account_sid is not None and not is_sid(account_sid, "AC"):
            raise SettingsError("PHONOGRAPH_ACCOUNT_SID must be 'AC' followed by 32 hex digits")
        try:
            speed = float(env.get("PHONOGRAPH_SPEED") or 1)
        except ValueError as exc:
            raise SettingsError("PHONOGRAPH_SPEED must be a number") from exc
        if not (math.isfinite(speed) and speed > 0):
            raise SettingsError("PHONOGRAPH_SPEED must be a finite number greater than 0")
        capture_s = _seconds(env, "PHONOGRAPH_CAPTURE_S", 0, 0, MAX_CAPTURE_S)
        storage_url = env.get("PHONOGRAPH_STORAGE_URL") or str(data / "media")
        try:
            open_blob_store(storage_url)
        except ValueError as exc:
            raise SettingsError(f"PHONOGRAPH_STORAGE_URL: {exc}") from exc
        try:
            outbound = OutboundPolicy.from_settings(
                env.get("PHONOGRAPH_OUTBOUND_DENY") or "", env.get("PHONOGRAPH_OUTBOUND_ALLOW") or ""
            )
        except ValueError as exc:
            raise SettingsError(str(exc)) from exc
        try:
            metrics = MetricsAccess(env.get("PHONOGRAPH_METRICS") or MetricsAccess.AUTH)
        except ValueError:
            allowed = ", ".join(access.value for access in MetricsAccess)
            raise SettingsError(f"PHONOGRAPH_METRICS must be one of {allowed}") from None
        shown_host = "127.0.0.1" if host in ("0.0.0.0", "::") else host
        return cls(
            host=host,
            port=port,
            data_dir=data,
            database_url=env.get("PHONOGRAPH_DATABASE_URL")
            or f"sqlite+aiosqlite:///{data / 'phonograph.db'}",
            public_url=(env.get("PHONOGRAPH_PUBLIC_URL") or f"http://{shown_host}:{port}").rstrip("/"),
            account_sid=account_sid,
            auth_token=auth_token,
            speed=speed,
            capture_s=capture_s,
            storage_url=storage_url,
            stt_model=server_model(env.get("PHONOGRAPH_STT_MODEL") or None, data, DEFAULT_STT_MODEL),
            stt_threads=_positive_int(env, "PHONOGRAPH_STT_THREADS", DEFAULT_STT_THREADS),
            stt_workers=_positive_int(env, "PHONOGRAPH_STT_WORKERS", DEFAULT_STT_WORKERS),
            stt_queue=_positive_int(env, "PHONOGRAPH_STT_QUEUE", DEFAULT_STT_QUEUE),
            outbound=outbound,
            say_cache_bytes=_positive_int(env, "PHONOGRAPH_SAY_CACHE_MB", DEFAULT_SAY_CACHE_MB) * MB,
            play_cache_bytes=_positive_int(env, "PHONOGRAPH_PLAY_CACHE_MB", DEFAULT_PLAY_CACHE_MB) * MB,
            metrics=metrics,
            node_id=_node_id(env, port),
            node_lease_s=_seconds(env, "PHONOGRAPH_NODE_LEASE_S", DEFAULT_LEASE_S, MIN_LEASE_S, MAX_LEASE_S),
            bus_delay_s=_bus_delay_s(env),
            drain_s=_seconds(env, "PHONOGRAPH_DRAIN_S", 0, 0, MAX_DRAIN_S),
            sip_port=_sip_port(env),
            sip_advertise=_sip_advertise(env, shown_host),
            rtp_ports=_rtp_ports(env),
            sip_rate=_sip_rate(env),
            sip_digest=_sip_digest(env),
            callback_retention=_retention(env),
            console=_on_off(env, "PHONOGRAPH_CONSOLE", default=True),
            secret_key=_secret_key(env),
        )
