"""Room ``calls``: call state machine, sessions, one runner per TwiML verb, dial, conferences.

Filled by the calls issue (#3)."""
