"""``X-Twilio-Signature``: how Twilio signs every request it sends to an app
(twilio.com/docs/usage/webhooks/webhooks-security).

The signed string is the full URL as requested (query string included), then, for a form POST,
each parameter's name and value with no separators, sorted by name and, for a repeated name, by
value. It is keyed with the account's Auth Token, hashed with HMAC-SHA1 and base64-encoded
[W-SIG; SDK ``twilio/request_validator.py``].

Exact duplicate pairs count once: the SDK's validator (``sorted(set(values))``) is what apps
check against, so we sign what it computes. Python sorts strings by code point, which is the
byte order of their UTF-8 form (Twilio's "Unix-style case-sensitive sorting").
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable


def signature(auth_token: str, url: str, params: Iterable[tuple[str, str]] = ()) -> str:
    """The ``X-Twilio-Signature`` of a request to ``url`` with these form (POST) parameters.

    For a GET, pass the parameters in ``url``'s query string and none here.
    """
    signed = url + "".join(name + value for name, value in sorted(set(params)))
    mac = hmac.new(auth_token.encode("utf-8"), signed.encode("utf-8"), hashlib.sha1)
    return base64.b64encode(mac.digest()).decode("ascii")
