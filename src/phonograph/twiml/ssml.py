"""``<Say>`` content: text mixed with SSML elements, flattened to the plain text phonograph speaks.

Twilio accepts these SSML tags inside ``<Say>`` (https://www.twilio.com/docs/voice/twiml/say/text-speech):
``break emphasis lang p phoneme prosody s say-as sub w amazon:effect amazon:domain``. phonograph's TTS is
plain text, so markup is dropped and only what would be spoken stays: ``<sub alias="...">`` speaks its
alias, and runs of whitespace collapse to one space.

An SSML element is also a word boundary. Twilio's SDK writes ``<Say>Your code is<say-as>1234</say-as>``
with no space, and a TTS engine reads "is" and "1234" as two words, so the flattened text must too; no
space is added before closing punctuation (``<say-as>1234</say-as>.`` gives "1234."). Anything else
nested in ``<Say>`` (another verb, an unknown tag) is a 12100 error.
"""

from __future__ import annotations

import re

from phonograph.twiml.errors import TwimlError
from phonograph.twiml.xmltree import Element

SSML_TAGS = frozenset(
    {
        "break",
        "emphasis",
        "lang",
        "p",
        "phoneme",
        "prosody",
        "s",
        "say-as",
        "sub",
        "w",
        "amazon:effect",
        "amazon:domain",
    }
)
# A word boundary made by markup. NUL cannot occur in XML text, so it never collides with content.
_BOUNDARY = "\x00"
_BOUNDARY_BEFORE_CLOSING = re.compile(_BOUNDARY + r"+(?=[.,;:!?)\]}])")
_BOUNDARY_AFTER_OPENING = re.compile(r"(?<=[(\[{])" + _BOUNDARY + "+")


def spoken_text(say: Element) -> str:
    """The plain text of a ``<Say>`` element and its SSML, whitespace-normalized."""
    pieces: list[str] = []
    # An explicit stack, not recursion: a 64 KiB document can nest thousands of elements deep.
    pending: list[Element | str] = list(reversed(say.content))
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            pieces.append(item)
            continue
        if item.tag not in SSML_TAGS:
            allowed = ", ".join(sorted(SSML_TAGS))
            raise TwimlError(
                f"{item.describe()} is not allowed inside <{item.parent}>; <Say> may contain text and "
                f"the SSML elements {allowed}."
            )
        pieces.append(_BOUNDARY)
        alias = item.attributes.get("alias") if item.tag == "sub" else None
        if alias is not None:
            pieces.extend((alias, _BOUNDARY))
        else:
            pending.append(_BOUNDARY)
            pending.extend(reversed(item.content))
    text = _BOUNDARY_BEFORE_CLOSING.sub("", "".join(pieces))
    text = _BOUNDARY_AFTER_OPENING.sub("", text)
    return " ".join(text.replace(_BOUNDARY, " ").split())
