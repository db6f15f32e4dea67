"""Room ``webhooks``: request signing, app requests for TwiML, the callback outbox and its worker,
and the log of every request made to an app (the call Events list)."""

from phonograph.webhooks.app_client import (
    AUDIO_MAX_BYTES,
    TWIML_MAX_BYTES,
    AppClient,
    read_capped,
    request_signature,
)
from phonograph.webhooks.event_log import EventLog
from phonograph.webhooks.outbound import (
    STRICT_DENY,
    OutboundPolicy,
    outbound_client,
    refusal,
    system_resolver,
)
from phonograph.webhooks.outbox import DEFAULT_RETRY_DELAYS_S, OutboxWorker, callback_request
from phonograph.webhooks.signing import signature
from phonograph.webhooks.types import (
    HTTP_BAD_HOST_NAME,
    HTTP_CONNECTION_FAILURE,
    HTTP_INVALID_REDIRECT,
    HTTP_RETRIEVAL_FAILURE,
    HTTP_TOO_MANY_REDIRECTS,
    INVALID_URL,
    AppRequest,
    AppResponse,
    Method,
    WebhookError,
)

__all__ = [
    "AUDIO_MAX_BYTES",
    "DEFAULT_RETRY_DELAYS_S",
    "HTTP_BAD_HOST_NAME",
    "HTTP_CONNECTION_FAILURE",
    "HTTP_INVALID_REDIRECT",
    "HTTP_RETRIEVAL_FAILURE",
    "HTTP_TOO_MANY_REDIRECTS",
    "INVALID_URL",
    "STRICT_DENY",
    "TWIML_MAX_BYTES",
    "AppClient",
    "AppRequest",
    "AppResponse",
    "EventLog",
    "Method",
    "OutboundPolicy",
    "OutboxWorker",
    "WebhookError",
    "callback_request",
    "outbound_client",
    "read_capped",
    "refusal",
    "request_signature",
    "signature",
    "system_resolver",
]
