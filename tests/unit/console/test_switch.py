"""The console is served unless the settings turn it off (nothing of it is mounted then)."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from phonograph.app import build_app
from phonograph.settings import Settings


def test_the_console_is_served_by_default_and_not_when_off(tmp_path: Path) -> None:
    # No lifespan (no database): the login form and the redirects need none.
    on = TestClient(build_app(Settings.from_env({}, data_dir=tmp_path / "on")), follow_redirects=False)
    assert on.get("/").headers["location"] == "/console"
    assert "Auth Token" in on.get("/console/login").text
    assert on.get("/console/static/vendor/htmx-2.0.11.min.js").status_code == 200
    settings = Settings.from_env({"PHONOGRAPH_CONSOLE": "off"}, data_dir=tmp_path / "off")
    off = TestClient(build_app(settings), follow_redirects=False)
    for path in ("/", "/console/login", "/console/static/vendor/htmx-2.0.11.min.js"):
        # As any path the server does not serve: the API's 401 to a caller without credentials.
        answer = off.get(path)
        assert (answer.status_code, answer.json()["code"]) == (401, 20003), path
    assert not (tmp_path / "off").exists()  # no key made for a console that is off
