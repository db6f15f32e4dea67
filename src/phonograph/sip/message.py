"""SIP messages on the wire: the checks every message passes before anything acts on it, and the
bytes phonograph sends (RFC 3261 §7, §8.2.6, §18.3, §20).

``sipmessage`` (BSD-2, by aiortc's author) supplies the typed grammar: URIs, Via, addresses, CSeq
and the authentication headers. Around it this module adds what a port open to the internet needs:
a size bound, header folding and compact forms, strict UTF-8, Content-Length, the headers every
request and response must carry, and one error, ``BadMessage``, that names the SIP status to answer
with. Nothing here reads a socket or a clock.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sipmessage import Address, CSeq, Request, Response, Via
from sipmessage.message import COMPACT_FORMS
from sipmessage.uri import URI

from phonograph.core import MalformedBody

MAX_MESSAGE_BYTES = 65_535
"""No UDP datagram is larger; a message on a stream transport may not be either."""
MAX_HEADERS = 128
"""More header lines than any real user agent sends; past it the message is refused (400)."""

REQUIRED_HEADERS = ("Via", "From", "To", "Call-ID", "CSeq")
"""RFC 3261 §8.1.1: the headers without which a message cannot be matched to a transaction or a
dialog. Max-Forwards is not among them: a UAS answers a request that lacks it."""

_TOKEN = re.compile(r"[A-Za-z0-9\-.!%*_+`'~]+")
_REQUEST_LINE = re.compile(r"(?P<method>[A-Za-z0-9\-.!%*_+`'~]+) (?P<uri>\S+) SIP/2\.0")
_STATUS_LINE = re.compile(r"SIP/2\.0 (?P<code>[1-6]\d\d) (?P<phrase>[^\r\n]*)")

REASON_PHRASES = {
    100: "Trying",
    180: "Ringing",
    183: "Session Progress",
    200: "OK",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    407: "Proxy Authentication Required",
    408: "Request Timeout",
    415: "Unsupported Media Type",
    416: "Unsupported URI Scheme",
    420: "Bad Extension",
    480: "Temporarily Unavailable",
    481: "Call/Transaction Does Not Exist",
    482: "Loop Detected",
    483: "Too Many Hops",
    486: "Busy Here",
    487: "Request Terminated",
    488: "Not Acceptable Here",
    500: "Server Internal Error",
    501: "Not Implemented",
    503: "Service Unavailable",
    504: "Server Time-out",
    513: "Message Too Large",
    603: "Decline",
}
"""RFC 3261 §21's phrases for the statuses phonograph sends."""


class BadMessage(MalformedBody):
    """A message that fails RFC 3261's grammar or its checks. ``sip_status`` is the answer a request
    gets (400, or 513 for one too large, RFC 3261 §21.5.14); a bad response is dropped (§18.1.2).
    ``request`` is the request as far as it could be read (start line and header lines), when it
    could: what an answer copies its headers from."""

    def __init__(self, message: str, sip_status: int = 400) -> None:
        super().__init__(message)
        self.sip_status = sip_status
        self.request: Request | None = None


@dataclass(frozen=True)
class Checked:
    """The headers every message carries, parsed once: what transactions and dialogs match on."""

    via: tuple[Via, ...]
    from_: Address
    to: Address
    call_id: str
    cseq: CSeq


@dataclass(frozen=True)
class SipRequest:
    message: Request
    checked: Checked

    @property
    def method(self) -> str:
        return self.message.method


@dataclass(frozen=True)
class SipResponse:
    message: Response
    checked: Checked

    @property
    def code(self) -> int:
        return self.message.code


def parse(data: bytes) -> SipRequest | SipResponse:
    """One SIP message (a datagram, or one framed off a stream by ``StreamFramer``). Raises
    ``BadMessage`` for anything RFC 3261 does not allow, never another exception."""
    if len(data) > MAX_MESSAGE_BYTES:
        raise BadMessage(f"message of {len(data)} bytes is larger than {MAX_MESSAGE_BYTES}", 513)
    head, separator, body = data.partition(b"\r\n\r\n")
    if not separator:
        raise BadMessage("no empty line ends the headers")
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as error:
        raise BadMessage(f"headers are not UTF-8 (byte {error.start})") from None
    start_line, *header_lines = _unfolded(text)
    message = _start(start_line)
    if len(header_lines) > MAX_HEADERS:
        raise BadMessage(f"more than {MAX_HEADERS} header lines")
    for line in header_lines:
        name, colon, value = line.partition(":")
        name = name.strip(" \t")
        if not colon or not _TOKEN.fullmatch(name):
            raise BadMessage(f"malformed header line {line[:40]!r}")
        message.headers.add(COMPACT_FORMS.get(name.lower(), name), value.strip(" \t"))
    try:
        message.body = _body(message, body)
        checked = _checked(message)
        if isinstance(message, Request) and checked.cseq.method != message.method:
            raise BadMessage(f"CSeq method {checked.cseq.method} does not match {message.method}")
    except BadMessage as error:
        error.request = message if isinstance(message, Request) else None
        raise
    if isinstance(message, Request):
        return SipRequest(message, checked)
    return SipResponse(message, checked)


def _unfolded(text: str) -> list[str]:
    """The lines of a header block, each folded continuation joined to its header (RFC 3261 §7.3.1:
    a line starting with whitespace continues the one before)."""
    lines: list[str] = []
    for line in text.split("\r\n"):
        if line[:1] in (" ", "\t") and len(lines) > 1:
            lines[-1] += " " + line.strip(" \t")
        else:
            lines.append(line)
    return lines


def _start(line: str) -> Request | Response:
    if match := _STATUS_LINE.fullmatch(line):
        return Response(int(match["code"]), match["phrase"])
    if match := _REQUEST_LINE.fullmatch(line):
        try:
            uri = URI.parse(match["uri"])
        except ValueError:
            raise BadMessage(f"malformed Request-URI {match['uri'][:80]!r}") from None
        return Request(match["method"], uri)
    raise BadMessage(f"malformed start line {line[:80]!r}")


def _body(message: Request | Response, body: bytes) -> bytes:
    """The body as Content-Length gives it: bytes past it are not part of the message; a message
    shorter than it is refused (RFC 3261 §18.3)."""
    declared = message.headers.get("Content-Length")
    if declared is None:
        return body
    if not declared.isdigit():
        raise BadMessage(f"Content-Length {declared[:20]!r} is not a number")
    length = int(declared)
    if length > len(body):
        raise BadMessage(f"Content-Length {length} is longer than the {len(body)}-byte body")
    return body[:length]


def _checked(message: Request | Response) -> Checked:
    missing = [name for name in REQUIRED_HEADERS if message.headers.get(name) is None]
    if missing:
        raise BadMessage(f"missing {', '.join(missing)}")
    try:
        via = tuple(message.via)
        from_, to, cseq = message.from_address, message.to_address, message.cseq
    except ValueError as error:
        raise BadMessage(f"malformed header: {error}") from None
    if not via:
        raise BadMessage("an empty Via")
    call_id = message.headers["Call-ID"]
    if not call_id or " " in call_id:
        raise BadMessage(f"malformed Call-ID {call_id[:40]!r}")
    return Checked(via, from_, to, call_id, cseq)


def response_to(request: SipRequest | Request, code: int, *, to_tag: str | None = None) -> Response:
    """The response a UAS sends to ``request`` (RFC 3261 §8.2.6.2): its Via (all of them, in
    order), From, Call-ID and CSeq copied; its To, with ``to_tag`` added unless the request's To
    already has one (a request inside a dialog) or the response is a 100. A request that failed
    its checks (``BadMessage.request``) gets the headers it has, as they were written."""
    message = request.message if isinstance(request, SipRequest) else request
    response = Response(code, REASON_PHRASES.get(code, "Unknown"))
    for name in ("Via", "From", "To", "Call-ID", "CSeq"):
        if values := message.headers.getlist(name):
            response.headers.setlist(name, list(values))
    if isinstance(request, SipRequest):
        to = request.checked.to
        if to_tag is not None and code > 100 and "tag" not in to.parameters:
            response.to_address = Address(to.uri, to.name, to.parameters.replace(tag=to_tag))
    return response


def encode(message: Request | Response) -> bytes:
    """``message`` on the wire, with a Content-Length that counts its body."""
    message.headers.set("Content-Length", str(len(message.body)))
    return bytes(message)


def seen(response: Response, source: tuple[str, int]) -> Response:
    """``response`` with its top Via saying where the request came from (RFC 3581 §4)."""
    try:
        top, *rest = response.via
    except ValueError:
        return response  # a Via that could not be read is sent back as it was written
    parameters = top.parameters.replace(received=source[0])
    if "rport" in top.parameters:
        parameters = parameters.replace(rport=str(source[1]))
    response.via = [Via(top.transport, top.host, top.port, parameters), *rest]
    return response


def x_headers(message: Request | Response) -> tuple[tuple[str, str], ...]:
    """The message's ``X-`` headers, in order: what Twilio passes to the app (``SipHeader_X-…``)."""
    headers = message.headers
    names = headers.keys()  # sipmessage's Headers is not iterable
    return tuple(
        (name, value) for name in names if name.lower().startswith("x-") for value in headers.getlist(name)
    )
