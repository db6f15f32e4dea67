"""``parse()``: a TwiML document in, a frozen ``Document`` out; and the one registry of elements.

Adding a verb or noun is one entry in ``ELEMENTS``: its parse function and the elements it may appear in.
Twilio elements phonograph does not run are listed in ``UNSUPPORTED`` so that they are refused with a
message saying so, rather than as unknown.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from phonograph.twiml.content import Context
from phonograph.twiml.errors import BODY_TOO_LARGE, MAX_DOCUMENT_BYTES, TwimlError
from phonograph.twiml.parse_dial import parse_conference, parse_dial, parse_number, parse_sip
from phonograph.twiml.parse_verbs import (
    parse_gather,
    parse_hangup,
    parse_pause,
    parse_play,
    parse_record,
    parse_recording,
    parse_redirect,
    parse_reject,
    parse_say,
    parse_start,
    parse_stop,
)
from phonograph.twiml.values import Attributes
from phonograph.twiml.verbs import Document, Node, is_verb
from phonograph.twiml.xmltree import Element, read_tree

ROOT = "Response"
ElementParser = Callable[[Element, Attributes, Context], Node]


@dataclass(frozen=True, slots=True)
class ElementSpec:
    """How to parse one element, and which elements it may be nested in."""

    parse: ElementParser
    parents: frozenset[str]


_IN_RESPONSE = frozenset({ROOT})
_IN_RESPONSE_OR_GATHER = frozenset({ROOT, "Gather"})

ELEMENTS: dict[str, ElementSpec] = {
    "Say": ElementSpec(parse_say, _IN_RESPONSE_OR_GATHER),
    "Play": ElementSpec(parse_play, _IN_RESPONSE_OR_GATHER),
    "Pause": ElementSpec(parse_pause, _IN_RESPONSE_OR_GATHER),
    "Gather": ElementSpec(parse_gather, _IN_RESPONSE),
    "Hangup": ElementSpec(parse_hangup, _IN_RESPONSE),
    "Reject": ElementSpec(parse_reject, _IN_RESPONSE),
    "Redirect": ElementSpec(parse_redirect, _IN_RESPONSE),
    "Record": ElementSpec(parse_record, _IN_RESPONSE),
    "Dial": ElementSpec(parse_dial, _IN_RESPONSE),
    "Number": ElementSpec(parse_number, frozenset({"Dial"})),
    "Sip": ElementSpec(parse_sip, frozenset({"Dial"})),
    "Conference": ElementSpec(parse_conference, frozenset({"Dial"})),
    "Start": ElementSpec(parse_start, _IN_RESPONSE),
    "Stop": ElementSpec(parse_stop, _IN_RESPONSE),
    "Recording": ElementSpec(parse_recording, frozenset({"Start", "Stop"})),
}

UNSUPPORTED = frozenset(
    {
        # verbs
        "Connect", "Echo", "Enqueue", "Leave", "Message", "Pay", "Queue", "Refer", "Sms",
        # nouns of <Dial>, <Start>, <Connect>, <Pay>, <Enqueue>, <Refer>
        "AiSession", "Application", "ApplicationSid", "Assistant", "Autopilot", "Client", "Config",
        "Conversation", "ConversationRelay", "ConversationRelaySession", "Header", "Headers", "Identity",
        "Language", "Parameter", "Prompt", "Room", "Sim", "Siprec", "Stream", "Task", "Transcription",
        "Uri", "VirtualAgent", "WhatsApp",
    }
)  # fmt: skip
"""Twilio's TwiML elements (per its SDK's ``voice_response.py``) that phonograph does not run."""

_BY_LOWER_NAME = {name.lower(): name for name in (*ELEMENTS, *UNSUPPORTED, ROOT)}


def parse(document: str | bytes) -> Document:
    """Parse a TwiML document into its verbs, or raise ``TwimlError`` naming what is wrong and where."""
    size = len(document.encode("utf-8", "surrogatepass")) if isinstance(document, str) else len(document)
    if size > MAX_DOCUMENT_BYTES:
        raise TwimlError(
            f"The TwiML document is {size} bytes; the limit is {MAX_DOCUMENT_BYTES} bytes (64 KiB).",
            code=BODY_TOO_LARGE,
        )
    root = read_tree(document)
    if root.tag != ROOT:
        raise TwimlError(f"The root element is {root.describe()}; a TwiML document's root must be <{ROOT}>.")
    context = Context(parse_element=_parse_element)
    attributes = Attributes(root)
    verbs = context.children(root, is_verb)
    return Document(verbs=verbs, warnings=(*attributes.warnings(), *context.warnings))


def _parse_element(element: Element, context: Context) -> Node:
    spec = _spec(element)
    attributes = Attributes(element)
    mark = len(context.warnings)
    node = spec.parse(element, attributes, context)
    # An element's own warnings go before those of the elements nested in it: document order.
    context.warnings[mark:mark] = attributes.warnings()
    return node


def _spec(element: Element) -> ElementSpec:
    spec = ELEMENTS.get(element.tag)
    if spec is not None:
        if element.parent not in spec.parents:
            places = " or ".join(f"<{parent}>" for parent in sorted(spec.parents))
            raise TwimlError(
                f"{element.describe()} is not allowed inside <{element.parent}>; it belongs in {places}."
            )
        return spec
    if element.tag == ROOT:
        raise TwimlError(f"{element.describe()} is nested; <{ROOT}> may only be the document's root element.")
    if element.tag in UNSUPPORTED:
        raise TwimlError(f"{element.describe()} is a Twilio element that is not supported by phonograph.")
    known = _BY_LOWER_NAME.get(element.tag.lower())
    hint = f" (TwiML is case-sensitive: did you mean <{known}>?)" if known else ""
    raise TwimlError(f"{element.describe()} is an unknown TwiML verb or noun{hint}.")
