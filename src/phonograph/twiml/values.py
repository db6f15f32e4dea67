"""Attribute readers: one element's attributes, each read once into a typed value or a ``TwimlError``.

Twilio is lenient about attributes it does not know (it logs 12200 and carries on), so an attribute that
no reader asks for becomes a ``TwimlWarning`` rather than an error; newer SDKs' attributes never break a
call. Attributes Twilio documents but phonograph deliberately does not model are read with ``ignore`` and
warned about with a message that says so.

Value rules (Twilio's TwiML reference pages): booleans are ``true``/``false`` in any case; methods are
``GET``/``POST`` in any case; integers are plain decimal; enum values match case-insensitively; lists are
separated by spaces or commas. Surrounding whitespace is ignored everywhere; an empty value means absent.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import TypeVar

from phonograph.twiml.enums import HttpMethod
from phonograph.twiml.errors import PARSE_FAILURE, SCHEMA_WARNING, TwimlError, TwimlWarning, shorten
from phonograph.twiml.xmltree import Element

E = TypeVar("E", bound=StrEnum)

_INTEGER = re.compile(r"-?[0-9]{1,18}")
_LIST_SEPARATOR = re.compile(r"[\s,]+")


class Attributes:
    """The attributes of one element; what no reader asks for is reported by ``warnings()``."""

    def __init__(self, element: Element) -> None:
        self._element = element
        self._unread = dict(element.attributes)
        self._ignored: dict[str, str] = {}

    @property
    def where(self) -> str:
        """``<Tag> on line N`` of the element these attributes belong to."""
        return self._element.describe()

    def error(self, name: str, value: str, expected: str, code: int = PARSE_FAILURE) -> TwimlError:
        """The error for a bad value: names the element, attribute, value, line and what is allowed."""
        return TwimlError(f'{self.where} has an invalid {name}="{shorten(value)}": {expected}.', code=code)

    def raw(self, name: str) -> str | None:
        """The stripped value of ``name``, or None when absent or empty; marks it as read."""
        value = self._unread.pop(name, None)
        if value is None:
            return None
        value = value.strip()
        return value or None

    def string(self, name: str, default: str | None = None) -> str | None:
        value = self.raw(name)
        return default if value is None else value

    def text(self, name: str, default: str) -> str:
        value = self.raw(name)
        return default if value is None else value

    def verbatim(self, name: str) -> str | None:
        """The value exactly as written (even empty), for attributes where "" means something."""
        return self._unread.pop(name, None)

    def boolean(self, name: str, *, default: bool, code: int = PARSE_FAILURE) -> bool:
        value = self.raw(name)
        if value is None:
            return default
        lowered = value.lower()
        if lowered not in ("true", "false"):
            raise self.error(name, value, "must be true or false", code)
        return lowered == "true"

    def integer(
        self, name: str, *, default: int, code: int = PARSE_FAILURE, minimum: int, maximum: int | None = None
    ) -> int:
        value = self.optional_integer(name, code=code, minimum=minimum, maximum=maximum)
        return default if value is None else value

    def optional_integer(
        self, name: str, *, code: int = PARSE_FAILURE, minimum: int, maximum: int | None = None
    ) -> int | None:
        value = self.raw(name)
        if value is None:
            return None
        if maximum is None:
            expected = f"must be a whole number of at least {minimum}"
        else:
            expected = f"must be a whole number from {minimum} to {maximum}"
        if not _INTEGER.fullmatch(value):
            raise self.error(name, value, expected, code)
        number = int(value)
        if number < minimum or (maximum is not None and number > maximum):
            raise self.error(name, value, expected, code)
        return number

    def method(self, name: str = "method", *, code: int = PARSE_FAILURE) -> HttpMethod:
        """An HTTP method, ``POST`` when absent (every TwiML method attribute defaults to POST)."""
        value = self.optional_method(name, HttpMethod, code=code)
        return HttpMethod.POST if value is None else value

    def optional_method(self, name: str, kind: type[E], *, code: int = PARSE_FAILURE) -> E | None:
        """A ``GET``/``POST`` member of ``kind`` in any case, or None when not written."""
        value = self.raw(name)
        if value is None:
            return None
        try:
            return kind(value.upper())
        except ValueError:
            raise self.error(name, value, "must be GET or POST", code) from None

    def choice(
        self,
        name: str,
        kind: type[E],
        *,
        default: E,
        code: int = PARSE_FAILURE,
        aliases: Mapping[str, E] | None = None,
    ) -> E:
        value = self.optional_choice(name, kind, code=code, aliases=aliases)
        return default if value is None else value

    def optional_choice(
        self, name: str, kind: type[E], *, code: int = PARSE_FAILURE, aliases: Mapping[str, E] | None = None
    ) -> E | None:
        value = self.raw(name)
        if value is None:
            return None
        return self._member(name, value, tuple(kind), code, aliases or {})

    def choices(
        self, name: str, kind: type[E], *, default: tuple[E, ...], code: int = PARSE_FAILURE
    ) -> tuple[E, ...]:
        """A space- or comma-separated list of enum values, in order, without repeats."""
        members = self.optional_choices(name, kind, code=code)
        return default if members is None else members

    def optional_choices(
        self, name: str, kind: type[E], *, code: int = PARSE_FAILURE, allowed: Sequence[E] | None = None
    ) -> tuple[E, ...] | None:
        """Like ``choices``, but None when not written; ``allowed`` narrows ``kind`` to the members this
        attribute accepts (a value outside it is refused like an unknown one)."""
        value = self.raw(name)
        if value is None:
            return None
        members: list[E] = []
        for word in _LIST_SEPARATOR.split(value):
            if not word:
                continue
            member = self._member(name, value, allowed or tuple(kind), code, {}, word)
            if member not in members:
                members.append(member)
        return tuple(members) if members else None

    def ignore(self, *names: str) -> None:
        """Twilio attributes phonograph does not model: read them so they warn as unsupported."""
        for name in names:
            value = self._unread.pop(name, None)
            if value is not None:
                self._ignored[name] = value

    def warnings(self) -> list[TwimlWarning]:
        """One 12200 warning per attribute nobody read."""
        where = self.where
        unsupported = "is not supported by phonograph and was ignored"
        found = [
            TwimlWarning(SCHEMA_WARNING, f'{where}: attribute {name}="{shorten(value)}" {unsupported}.')
            for name, value in self._ignored.items()
        ]
        found += [
            TwimlWarning(SCHEMA_WARNING, f'{where}: unknown attribute {name}="{shorten(value)}" was ignored.')
            for name, value in self._unread.items()
        ]
        return found

    def _member(
        self,
        name: str,
        value: str,
        members: Sequence[E],
        code: int,
        aliases: Mapping[str, E],
        word: str | None = None,
    ) -> E:
        wanted = (word if word is not None else value).lower()
        if wanted in aliases:
            return aliases[wanted]
        for member in members:
            if member.value.lower() == wanted:
                return member
        allowed = ", ".join([member.value for member in members] + list(aliases))
        raise self.error(name, value, f"must be one of {allowed}", code)
