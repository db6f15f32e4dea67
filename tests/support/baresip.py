"""baresip (Debian's ``baresip-core``) as a real phone in the SIP tests: no sound card — it sends a
WAV file of one tone (its ``aufile`` source), plays what it hears into ALSA's ``null`` device, and
its ``sndfile`` filter writes what it sent and what it heard to WAV files, which the tests analyse.

It listens on loopback only and reaches phonograph through its account's ``outbound`` proxy, so a
SIP Domain's name (``alice@desk.sip.twilio.com``) needs no DNS.
"""

from __future__ import annotations

import shutil
import subprocess
import threading
import time
from pathlib import Path
from types import TracebackType
from typing import IO

from phonograph.testing.audio import Audio
from tests.support.calls import tone_wav
from tests.test_sip_edge import free_udp_port

WAIT_S = 30.0
"""How long a test waits for a line baresip prints (a condition; it comes far sooner)."""
REGISTERED = "200 OK () ["
"""What baresip 1.0 prints when a REGISTER is accepted: ``alice@…: {0/UDP/v4} 200 OK () [1 binding]``."""
CALL_ENDED = "terminated (duration:"
MODULES = ("g711", "aufile", "alsa", "sndfile", "menu", "account")


class Baresip:
    """One baresip process with one account. ``account``: the account line's parameters after the
    address (``auth_pass``, ``answermode``, …); ``commands``: what it runs once started (``-e``)."""

    def __init__(
        self,
        folder: Path,
        address: str,
        sip_port: int,
        tone_hz: int,
        account: str,
        commands: tuple[str, ...] = (),
    ) -> None:
        binary = shutil.which("baresip")
        assert binary is not None, "scripts/test installs baresip (Debian's baresip-core)"
        folder.mkdir(parents=True, exist_ok=True)
        self.folder = folder
        # Longer than any call of the tests: aufile stops sending at the end of its file.
        (folder / "tone.wav").write_bytes(tone_wav(tone_hz, 30.0, rate_hz=8000))
        (folder / "config").write_text(
            f"sip_listen 127.0.0.1:{free_udp_port()}\n"
            f"audio_source aufile,{folder / 'tone.wav'}\n"
            "audio_player alsa,null\n"
            "audio_alert alsa,null\n"
            "module_path /usr/lib/baresip/modules\n"
            + "".join(
                f"module {name}.so\n" for name in ("g711", "aufile", "alsa", "sndfile", "menu", "account")
            )
            + f"snd_path {folder}\n"
        )
        # The outbound proxy: every request goes to phonograph's port, whatever host the URI names.
        (folder / "accounts").write_text(f'<{address}>;outbound="sip:127.0.0.1:{sip_port}";{account}\n')
        options = [option for command in commands for option in ("-e", command)]
        self._command = [binary, "-4", "-n", "127.0.0.1", "-f", str(folder), *options]
        self._lines: list[str] = []
        self._changed = threading.Condition()
        self._process: subprocess.Popen[str] | None = None
        self._reader: threading.Thread | None = None

    def __enter__(self) -> Baresip:
        self._process = subprocess.Popen(
            self._command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            cwd=self.folder,
        )
        output = self._process.stdout
        assert output is not None
        self._reader = threading.Thread(target=self._read, args=(output,), name="baresip output", daemon=True)
        self._reader.start()
        return self

    def _read(self, output: IO[str]) -> None:
        for line in output:
            with self._changed:
                self._lines.append(line.rstrip())
                self._changed.notify_all()

    def wait_for(self, text: str) -> str:
        """The first line holding ``text``, once baresip printed it."""
        deadline = time.monotonic() + WAIT_S
        with self._changed:
            while True:
                found = next((line for line in self._lines if text in line), None)
                if found is not None:
                    return found
                left = deadline - time.monotonic()
                assert left > 0, f"baresip never printed {text!r}:\n" + "\n".join(self._lines[-40:])
                self._changed.wait(left)

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        process = self._process
        assert process is not None
        process.terminate()
        try:
            process.wait(timeout=WAIT_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if self._reader is not None:
            self._reader.join(timeout=WAIT_S)

    def dump(self, direction: str) -> Audio:
        """What the phone sent (``enc``) or heard (``dec``) on its one call, once it ended."""
        [path] = self.folder.glob(f"dump-*-{direction}.wav")
        return Audio.from_wav(path.read_bytes())
