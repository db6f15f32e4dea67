"""What an element may contain: text only, nested elements only, or nothing; and the parsing context.

Each element parser receives the ``Element``, its ``Attributes`` and a ``Context``; the context parses
nested elements through the one registry in ``parser.py`` and collects warnings.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeGuard, TypeVar

from phonograph.twiml.errors import TwimlError, TwimlWarning, shorten
from phonograph.twiml.xmltree import Element

T = TypeVar("T")


@dataclass(slots=True)
class Context:
    """Parsing state shared by every element parser of one document."""

    parse_element: Callable[[Element, Context], object]
    warnings: list[TwimlWarning] = field(default_factory=list)

    def children(self, element: Element, accept: Callable[[object], TypeGuard[T]]) -> tuple[T, ...]:
        """Parse ``element``'s nested elements; text between them must be whitespace.

        ``accept`` tells the type checker what the registry's parents table already guarantees.
        """
        forbid_text(element)
        parsed: list[T] = []
        for child in element.children:
            node = self.parse_element(child, self)
            if not accept(node):  # pragma: no cover - the registry's parents table prevents it
                raise TwimlError(f"{child.describe()} is not allowed inside <{element.tag}>.")
            parsed.append(node)
        return tuple(parsed)

    def refuse_children(self, element: Element, what: str) -> None:
        """Raise when ``element`` has nested elements; ``what`` says what it may hold instead.

        The child goes through the registry first, so an unknown or unsupported element gets that
        (more useful) message rather than a generic one.
        """
        if element.children:
            child = element.children[0]
            self.parse_element(child, self)
            raise TwimlError(f"{element.describe()} may contain {what}; found {child.describe()}.")


def forbid_text(element: Element) -> None:
    """Raise when ``element`` holds non-whitespace text (it may hold only nested elements)."""
    text = element.text().strip()
    if text:
        raise TwimlError(f'{element.describe()} may not contain text; found "{shorten(text)}".')


def forbid_content(element: Element, ctx: Context) -> None:
    """Raise when ``element`` holds text or nested elements (it must be empty)."""
    forbid_text(element)
    ctx.refuse_children(element, "nothing")


def body_text(element: Element, ctx: Context, *, required: str | None = None) -> str | None:
    """The element's text, stripped; nested elements are refused. ``required`` names what is missing."""
    ctx.refuse_children(element, "only text")
    text = element.text().strip()
    if not text and required is not None:
        raise TwimlError(f"{element.describe()} needs {required} as its text.")
    return text or None
