"""The pytest plugin that ``pip install 'phonograph[testing]'`` registers (entry point ``pytest11``).

Fixtures (docs/testing.md shows them at work):

- ``phonograph_server_env``: the settings the server starts with (session; override it in your
  ``conftest.py`` to change them). Media runs ten times faster than real time by default.
- ``phonograph_server``: one server per test session, on a free port with a temporary data
  directory; with pytest-xdist, one per worker, so tests in parallel never share a server.
- ``phonograph``: a fresh subaccount on that server for each test, as a
  :class:`~phonograph.testing.kit.Phonograph` (``.client``, ``.base_url``, ``.account_sid``,
  ``.auth_token``, ``.http``, virtual phones and waits).
- ``phonograph_app``: a local web app for the server to fetch TwiML from and send webhooks to; it
  checks every signed request against the account's auth token and fails the test if one is wrong.

Only pytest is imported here at start-up: the plugin is registered wherever phonograph is
installed, so an install without the ``testing`` extra must not break the user's pytest.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from phonograph.testing.kit import Phonograph
    from phonograph.testing.server import ServerProcess
    from phonograph.testing.webapp import WebApp

DEFAULT_SPEED = 10


@pytest.fixture(scope="session")
def phonograph_server_env() -> dict[str, str]:
    """``PHONOGRAPH_*`` settings for the test server (README "Configuration" lists them)."""
    return {"PHONOGRAPH_SPEED": str(DEFAULT_SPEED)}


@pytest.fixture(scope="session")
def phonograph_server(
    phonograph_server_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServerProcess]:
    from phonograph.testing.server import ServerProcess

    server = ServerProcess(tmp_path_factory.mktemp("phonograph"), phonograph_server_env).start()
    yield server
    server.stop()


@pytest.fixture
def phonograph(phonograph_server: ServerProcess, request: pytest.FixtureRequest) -> Iterator[Phonograph]:
    from phonograph.testing.kit import subaccount

    with subaccount(phonograph_server, friendly_name=request.node.name[:64]) as made:
        yield made


@pytest.fixture
def phonograph_app(phonograph: Phonograph) -> Iterator[WebApp]:
    from phonograph.testing.webapp import WebApp

    with WebApp(auth_token=phonograph.auth_token) as app:
        yield app
    assert not app.errors, "a route callable raised:\n" + "\n".join(app.errors)
    forged = "\n".join(f"  {hit.summary()}" for hit in app.bad_signatures())
    assert not forged, f"requests with a wrong X-Twilio-Signature:\n{forged}"
