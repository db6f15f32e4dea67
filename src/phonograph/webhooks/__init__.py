"""Room ``webhooks``: request signing, app requests for TwiML, the callback outbox and its worker.

Filled by the calls issue (#3)."""
