"""Where a call's next TwiML comes from, and the one way a running program is replaced.

Redirect, ``action`` URLs and a REST update of a live call all end in ``ReplaceProgram``
(docs/style.md rule 6): the running document stops and the new source's document runs instead.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ProgramSource:
    """A TwiML document to fetch (``url``) or to run as given (``twiml``), and what to send with it."""

    url: str | None = None
    method: str = "POST"
    fallback_url: str | None = None
    fallback_method: str = "POST"
    twiml: str | None = None
    params: tuple[tuple[str, str], ...] = ()


class ReplaceProgram(Exception):
    """Raised by a verb to stop the running document and run ``source`` next."""

    def __init__(self, source: ProgramSource) -> None:
        super().__init__(source.url or "inline TwiML")
        self.source = source


class EndProgram(Exception):
    """Raised by a verb that ends the call (Hangup, Reject): nothing after it runs."""
