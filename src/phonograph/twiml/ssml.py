"""``<Say>`` content: text mixed with SSML elements, flattened to the plain text phonograph speaks.

Twilio accepts these SSML tags inside ``<Say>`` (https://www.twilio.com/docs/voice/twiml/say/text-speech):
``break emphasis lang p phoneme prosody s say-as sub w amazon:effect amazon:domain``. phonograph's TTS is
plain text, so markup is dropped and only what would be spoken stays: ``<sub alias="...">`` speaks its
alias, ``<break>``, ``<p>`` and ``<s>`` separate words, and runs of whitespace collapse to one space.
Anything else nested in ``<Say>`` (another verb, an unknown tag) is a 12100 error.
"""

from __future__ import annotations

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
_SEPARATING_TAGS = frozenset({"break", "p", "s"})


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
        if item.tag == "sub" and item.attributes.get("alias") is not None:
            pieces.append(item.attributes["alias"])
            continue
        if item.tag in _SEPARATING_TAGS:
            pieces.append(" ")
            pending.append(" ")
        pending.extend(reversed(item.content))
    return " ".join("".join(pieces).split())
