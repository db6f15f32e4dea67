"""SIP messages cut out of a byte stream (TCP, later TLS): RFC 3261 §18.3 frames them by the empty
line after the headers and the Content-Length, which a stream message must carry. The buffer is
bounded: a peer that sends more than one message's worth without completing it is cut off."""

from __future__ import annotations

import re

from phonograph.sip.message import MAX_MESSAGE_BYTES, BadMessage

_CONTENT_LENGTH = re.compile(rb"^(?:content-length|l)[ \t]*:[ \t]*(\d+)[ \t]*$", re.IGNORECASE | re.MULTILINE)
_KEEPALIVE = b"\r\n"
"""RFC 5626 §4.4.1: a client may send CRLF pairs between messages to keep the connection alive."""


class StreamFramer:
    """Feed it what the stream delivers; it gives back the whole messages, in order."""

    def __init__(self, max_message_bytes: int = MAX_MESSAGE_BYTES) -> None:
        self._buffer = bytearray()
        self._max_bytes = max_message_bytes

    def feed(self, data: bytes) -> list[bytes]:
        """The messages ``data`` completes. Raises ``BadMessage`` for a stream that cannot be framed
        (no Content-Length, or a message past the bound): the connection is then closed, since
        nothing after it can be trusted to start a message."""
        self._buffer += data
        messages: list[bytes] = []
        while message := self._next():
            messages.append(message)
        if len(self._buffer) > self._max_bytes:
            raise BadMessage(f"more than {self._max_bytes} bytes without a whole message", 513)
        return messages

    def _next(self) -> bytes | None:
        buffer = self._buffer
        while buffer.startswith(_KEEPALIVE):
            del buffer[: len(_KEEPALIVE)]
        end_of_head = buffer.find(b"\r\n\r\n")
        if end_of_head < 0:
            return None
        head_bytes = end_of_head + 4
        found = _CONTENT_LENGTH.search(bytes(buffer[:end_of_head]))
        if found is None:
            raise BadMessage("a message on a stream transport has no Content-Length (RFC 3261 §18.3)")
        total = head_bytes + int(found[1])
        if total > self._max_bytes:
            raise BadMessage(f"a message of {total} bytes is larger than {self._max_bytes}", 513)
        if len(buffer) < total:
            return None
        message = bytes(buffer[:total])
        del buffer[:total]
        return message
