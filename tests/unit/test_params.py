"""Params: Twilio's form and query parameters, read with types and exact errors naming the parameter."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum

import pytest

from phonograph.api.params import Params
from phonograph.core import InvalidParameter


class Color(StrEnum):
    RED = "red"
    GREEN = "green"


def refused(call: Callable[[], object], name: str) -> str:
    """The message of the InvalidParameter that ``call`` raises; it names the parameter."""
    with pytest.raises(InvalidParameter) as info:
        call()
    assert name in info.value.message
    assert (info.value.code, info.value.status) == (20001, 400)
    return info.value.message


def test_absent_parameters_read_as_none_or_empty() -> None:
    params = Params([])
    assert "Name" not in params
    assert params.get_str("Name") is None
    assert params.get_int("Name", minimum=0) is None
    assert params.get_bool("Name") is None
    assert params.get_enum("Name", Color) is None
    assert params.get_list("Name") == []


def test_a_repeated_scalar_reads_as_its_last_value() -> None:
    params = Params([("Name", "first"), ("Other", "x"), ("Name", "last")])
    assert "Name" in params
    assert params.get_str("Name") == "last"


def test_empty_value_is_present() -> None:
    params = Params([("Name", "")])
    assert "Name" in params
    assert params.get_str("Name") == ""


@pytest.mark.parametrize(
    ("pairs", "expected"),
    [
        ([("Event", "in-progress completed")], ["in-progress", "completed"]),
        ([("Event", "in-progress"), ("Event", "completed")], ["in-progress", "completed"]),
        ([("Event", "in-progress  absent"), ("Event", "completed")], ["in-progress", "absent", "completed"]),
        ([("Event", "")], []),
        ([("Event", " completed ")], ["completed"]),
    ],
)
def test_lists_are_repeated_or_space_separated(pairs: list[tuple[str, str]], expected: list[str]) -> None:
    assert Params(pairs).get_list("Event") == expected


def test_max_length() -> None:
    assert Params([("Name", "x" * 64)]).get_str("Name", max_length=64) == "x" * 64
    refused(lambda: Params([("Name", "x" * 65)]).get_str("Name", max_length=64), "Name")


@pytest.mark.parametrize(
    ("value", "expected"),
    [("true", True), ("True", True), ("1", True), ("false", False), ("False", False), ("0", False)],
)
def test_booleans(value: str, expected: bool) -> None:
    assert Params([("Trim", value)]).get_bool("Trim") is expected


@pytest.mark.parametrize("value", ["yes", "TRUE", "", "2", "t"])
def test_bad_booleans_name_the_parameter(value: str) -> None:
    refused(lambda: Params([("Trim", value)]).get_bool("Trim"), "Trim")


@pytest.mark.parametrize(("value", "expected"), [("0", 0), ("7", 7), ("10", 10), ("-0", 0)])
def test_integers_within_bounds(value: str, expected: int) -> None:
    assert Params([("PageSize", value)]).get_int("PageSize", minimum=0, maximum=10) == expected


@pytest.mark.parametrize("value", ["abc", "", "1.5", "-1", "11", "1e3"])
def test_bad_integers_name_the_parameter(value: str) -> None:
    refused(lambda: Params([("PageSize", value)]).get_int("PageSize", minimum=0, maximum=10), "PageSize")


def test_integer_without_maximum() -> None:
    assert Params([("Page", "123456789")]).get_int("Page", minimum=0) == 123456789
    assert "at least 0" in refused(lambda: Params([("Page", "-1")]).get_int("Page", minimum=0), "Page")


def test_enums() -> None:
    assert Params([("Color", "green")]).get_enum("Color", Color) is Color.GREEN


@pytest.mark.parametrize("value", ["blue", "Red", ""])
def test_bad_enums_name_the_parameter_and_the_allowed_values(value: str) -> None:
    message = refused(lambda: Params([("Color", value)]).get_enum("Color", Color), "Color")
    assert "red" in message
    assert "green" in message
