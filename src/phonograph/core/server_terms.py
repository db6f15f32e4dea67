"""Where a server listens unless told otherwise: the settings' defaults and the command line's
(``phonograph calls list`` talks to ``http://127.0.0.1:8080`` without loading the server)."""

from __future__ import annotations

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8080
