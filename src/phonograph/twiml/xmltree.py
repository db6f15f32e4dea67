"""The XML edge: a TwiML document's bytes become a small tree of ``Element`` s, or a ``TwimlError``.

Parsing goes through defusedxml's expat SAX reader with DTDs forbidden, so entity expansion ("billion
laughs"), external entities and DOCTYPE tricks are refused before they cost anything. SAX is used without
namespace processing because Twilio accepts SSML such as ``<amazon:effect>`` without declaring the
``amazon`` prefix, which a namespace-aware parser would reject as an unbound prefix.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import NoReturn
from xml.sax import SAXException, SAXParseException
from xml.sax.handler import ContentHandler, ErrorHandler
from xml.sax.xmlreader import AttributesImpl, InputSource, Locator

from defusedxml import DefusedXmlException  # type: ignore[import-untyped]
from defusedxml.expatreader import DefusedExpatParser  # type: ignore[import-untyped]

from phonograph.twiml.errors import TwimlError


@dataclass(slots=True, eq=False)
class Element:
    """One XML element: its tag, attributes, source line, parent's tag, and text and children in order."""

    tag: str
    attributes: dict[str, str]
    line: int
    parent: str | None
    content: list[Element | str] = field(default_factory=list)

    @property
    def children(self) -> list[Element]:
        return [item for item in self.content if isinstance(item, Element)]

    def text(self) -> str:
        """The element's own text (not its children's), as one string."""
        return "".join(item for item in self.content if isinstance(item, str))

    def describe(self) -> str:
        """``<Tag> on line N``, the way every message names an element."""
        return f"<{self.tag}> on line {self.line}"


class _TreeBuilder(ContentHandler):
    def __init__(self) -> None:
        super().__init__()
        self.root: Element | None = None
        self._stack: list[Element] = []
        self._locator: Locator | None = None

    def setDocumentLocator(self, locator: Locator) -> None:  # noqa: N802 (SAX API name)
        self._locator = locator

    def startElement(self, name: str, attrs: AttributesImpl) -> None:  # noqa: N802 (SAX API name)
        line = (self._locator.getLineNumber() if self._locator is not None else None) or 0
        parent = self._stack[-1] if self._stack else None
        element = Element(name, dict(attrs.items()), line, parent.tag if parent else None)
        if parent is None:
            self.root = element
        else:
            parent.content.append(element)
        self._stack.append(element)

    def endElement(self, name: str) -> None:  # noqa: N802 (SAX API name)
        self._stack.pop()

    def characters(self, content: str) -> None:
        if not self._stack:
            return  # whitespace around the root element; expat rejects anything else there
        items = self._stack[-1].content
        if items and isinstance(items[-1], str):
            items[-1] += content
        else:
            items.append(content)


class _RaiseOnError(ErrorHandler):
    """Stop at the first error; the default handler would print warnings to stdout."""

    def error(self, exception: BaseException) -> NoReturn:
        raise exception

    def fatalError(self, exception: BaseException) -> NoReturn:  # noqa: N802 (SAX API name)
        raise exception

    def warning(self, exception: BaseException) -> None:
        return None


def read_tree(document: str | bytes) -> Element:
    """Parse ``document`` into its root ``Element``. A ``str`` is taken as already decoded."""
    builder = _TreeBuilder()
    parser = DefusedExpatParser(forbid_dtd=True, forbid_entities=True, forbid_external=True)
    parser.setContentHandler(builder)
    parser.setErrorHandler(_RaiseOnError())
    source = InputSource()
    if isinstance(document, str):
        source.setCharacterStream(io.StringIO(document))
    else:
        source.setByteStream(io.BytesIO(document))
    try:
        parser.parse(source)
    except SAXParseException as exc:
        raise TwimlError(
            f"The document is not well-formed XML: {exc.getMessage()} "
            f"(line {exc.getLineNumber()}, column {exc.getColumnNumber()})."
        ) from None
    except DefusedXmlException as exc:
        raise TwimlError(
            f"The document declares a DTD or entities ({type(exc).__name__}); TwiML may not, "
            "because entity expansion and external references are refused for safety."
        ) from None
    except SAXException as exc:
        raise TwimlError(f"The document could not be read as XML: {exc.getMessage()}.") from None
    except UnicodeEncodeError as exc:  # a str holding lone surrogates cannot be encoded for expat
        raise TwimlError(f"The document is not valid Unicode text: {exc.reason}.") from None
    except LookupError as exc:  # <?xml encoding="…"?> names a codec Python does not have
        raise TwimlError(f"The document declares an unknown encoding: {exc}.") from None
    if builder.root is None:  # pragma: no cover - expat reports "no element found" first
        raise TwimlError("The document has no root element; it must be <Response>.")
    return builder.root
