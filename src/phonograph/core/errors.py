"""The one error hierarchy. Every error a user can see carries a Twilio code and an HTTP status.

    PhonographError                     (code, status, message)
    ├── InvalidParameter                20001 / 400   a field or parameter is wrong; the message names it
    │   └── MalformedBody               20001 / 400   the body is not parseable (JSON, form)
    ├── AuthenticationFailed            20003 / 401   missing or wrong credentials, inactive account
    ├── MethodNotAllowed                20004 / 405
    ├── Forbidden                       20403 / 403   the caller may see it but not change it
    ├── NotFound                        20404 / 404   absent, deleted, or owned by another account
    ├── Conflict                        20409 / 409   unique name taken, second account default, ...
    ├── PreconditionFailed              20412 / 412   If-Match does not match the ETag
    ├── PayloadTooLarge                 20413 / 413
    ├── TooManyRequests                 20429 / 429   try again after ``retry_after_s``
    └── InternalError                   20500 / 500

Rooms translate foreign exceptions into these at their edge; the API room renders them in the
shape of the API family that was called (v2010 and v2: ``{code, message, more_info, status}``;
v3: RFC 9457). Codes 20409/20412/20413 are phonograph's choice where Twilio documents none
(docs/compatibility.md lists them).
"""

from __future__ import annotations

MORE_INFO_BASE = "https://www.twilio.com/docs/errors/"


class PhonographError(Exception):
    """Base of every error that reaches a user. Subclasses fix ``code`` and ``status``."""

    code: int = 20500
    status: int = 500

    def __init__(
        self,
        message: str,
        *,
        code: int | None = None,
        status: int | None = None,
        retry_after_s: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status
        # Sent as ``Retry-After`` (api/errors.py): Twilio's 429s and 21501 say when to try again.
        self.retry_after_s = retry_after_s

    @property
    def more_info(self) -> str:
        return f"{MORE_INFO_BASE}{self.code}"


class InvalidParameter(PhonographError):
    code = 20001
    status = 400


class MalformedBody(InvalidParameter):
    pass


class AuthenticationFailed(PhonographError):
    code = 20003
    status = 401


class MethodNotAllowed(PhonographError):
    code = 20004
    status = 405


class NotFound(PhonographError):
    code = 20404
    status = 404


class Forbidden(PhonographError):
    code = 20403
    status = 403


class Conflict(PhonographError):
    code = 20409
    status = 409


class PreconditionFailed(PhonographError):
    code = 20412
    status = 412


class PayloadTooLarge(PhonographError):
    code = 20413
    status = 413


class TooManyRequests(PhonographError):
    """Twilio 20429 (https://www.twilio.com/docs/errors/20429): the server is busy; the answer's
    ``Retry-After`` says when to try again."""

    code = 20429
    status = 429


class ServiceUnavailable(PhonographError):
    """Twilio 20503 (https://www.twilio.com/docs/api/errors/20503): something the server depends
    on (the media store) does not answer now; try again with back-off."""

    code = 20503
    status = 503


class InternalError(PhonographError):
    code = 20500
    status = 500
