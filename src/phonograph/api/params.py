"""Twilio's form and query parameters: PascalCase names, typed reads, exact error texts
(twilio.com/docs/usage/requests-to-twilio)."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import TypeVar

from phonograph.core import InvalidParameter
from phonograph.core.wire import is_storable_text

E = TypeVar("E", bound=StrEnum)

_TRUE = ("true", "True", "1")
_FALSE = ("false", "False", "0")


class Params:
    """A read-only multi-map of parameters with typed getters that raise ``InvalidParameter``."""

    def __init__(self, pairs: Iterable[tuple[str, str]]) -> None:
        self._values: dict[str, list[str]] = {}
        for name, value in pairs:
            if not (is_storable_text(name) and is_storable_text(value)):
                raise InvalidParameter(f"{name.replace(chr(0), '')} must not contain a NUL character")
            self._values.setdefault(name, []).append(value)

    def __contains__(self, name: str) -> bool:
        return name in self._values

    def get_str(self, name: str, *, max_length: int | None = None) -> str | None:
        values = self._values.get(name)
        if not values:
            return None
        value = values[-1]
        if max_length is not None and len(value) > max_length:
            raise InvalidParameter(f"{name} must be at most {max_length} characters")
        return value

    def get_enum(self, name: str, kind: type[E]) -> E | None:
        value = self.get_str(name)
        if value is None:
            return None
        try:
            return kind(value)
        except ValueError:
            allowed = ", ".join(member.value for member in kind)
            raise InvalidParameter(f"{name} must be one of {allowed}; got {value!r}") from None

    def get_enum_list(self, name: str, kind: type[E]) -> list[E]:
        """A list parameter (``get_list``) whose every item is a member of ``kind``."""
        values = self.get_list(name)
        allowed = {member.value for member in kind}
        for value in values:
            if value not in allowed:
                raise InvalidParameter(f"{name} must be some of {', '.join(sorted(allowed))}; got {value!r}")
        return [kind(value) for value in values]

    def get_bool(self, name: str) -> bool | None:
        value = self.get_str(name)
        if value is None:
            return None
        if value in _TRUE:
            return True
        if value in _FALSE:
            return False
        raise InvalidParameter(f"{name} must be true or false; got {value!r}")

    def get_int(self, name: str, *, minimum: int, maximum: int | None = None) -> int | None:
        value = self.get_str(name)
        if value is None:
            return None
        try:
            number = int(value)
        except ValueError:
            raise InvalidParameter(f"{name} must be an integer; got {value!r}") from None
        if number < minimum or (maximum is not None and number > maximum):
            bound = f"between {minimum} and {maximum}" if maximum is not None else f"at least {minimum}"
            raise InvalidParameter(f"{name} must be {bound}; got {number}")
        return number

    def get_list(self, name: str) -> list[str]:
        """A list parameter: repeated, or one space-separated value, or both
        (twilio.com/docs/usage/requests-to-twilio)."""
        return [item for value in self._values.get(name, []) for item in value.split()]
