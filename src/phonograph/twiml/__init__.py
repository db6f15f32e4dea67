"""Room ``twiml``: TwiML parsing and validation into frozen dataclasses; pure and synchronous.

Filled by the calls issue (#3)."""
