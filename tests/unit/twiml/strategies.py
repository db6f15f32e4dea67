"""Hypothesis strategies for parsed TwiML, derived from the dataclasses' field types.

Each field's strategy comes from its annotation (bool, int, str, enums, optional values, tuples of enums);
``SPECIAL`` covers the fields whose values have a shape of their own (ranges, key sets, URIs, text).
Generated values are the ones the parser produces: strings are stripped and non-empty, lists have no
repeats, Say text is whitespace-normalized, recording status callback events are TwiML's three, and a
recording configuration id never comes with programmatic recording attributes (``_recording_modes``).
"""

from __future__ import annotations

import types
import typing
from dataclasses import fields, replace
from enum import Enum
from typing import Any

from hypothesis import strategies as st

from phonograph.twiml import (
    TWIML_RECORDING_EVENTS,
    Conference,
    Dial,
    DialRecord,
    Document,
    Gather,
    Hangup,
    Number,
    Pause,
    Play,
    Record,
    Recording,
    Redirect,
    Reject,
    Say,
    Sip,
    Start,
    Stop,
)

# Letters, digits, punctuation (XML specials included), spaces and a few non-ASCII letters.
_ALPHABET = st.characters(
    codec="utf-8",
    categories=("L", "N", "P", "S", "Zs"),
    exclude_characters="\x85\xa0\u2028\u2029",
)
WORDS = st.text(_ALPHABET, min_size=1, max_size=20).map(str.strip).filter(bool)
SAY_TEXT = st.text(_ALPHABET, min_size=1, max_size=40).map(lambda text: " ".join(text.split())).filter(bool)
URL = st.one_of(WORDS, WORDS.map(lambda path: f"https://example.com/{path}"))
DTMF = st.text(st.sampled_from("0123456789ABCD*#wW"), min_size=1, max_size=12)
RECORDING_EVENTS = st.lists(st.sampled_from(TWIML_RECORDING_EVENTS), unique=True, min_size=1).map(tuple)
SECONDS = st.integers(min_value=0, max_value=100_000)
POSITIVE = st.integers(min_value=1, max_value=100_000)


def _optional(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.none() | strategy


SPECIAL: dict[tuple[type, str], st.SearchStrategy[Any]] = {
    (Say, "text"): SAY_TEXT,
    (Say, "loop"): SECONDS,
    (Play, "url"): _optional(URL),
    (Play, "digits"): _optional(DTMF),
    (Play, "loop"): SECONDS,
    (Pause, "length_s"): POSITIVE,
    (Gather, "timeout_s"): SECONDS,
    (Gather, "speech_timeout_s"): st.none() | st.just("auto") | SECONDS,
    (Gather, "max_speech_time_s"): POSITIVE,
    (Gather, "finish_on_key"): st.sampled_from(["", *"0123456789#*"]),
    (Gather, "num_digits"): _optional(POSITIVE),
    (Redirect, "url"): URL,
    (Record, "timeout_s"): SECONDS,
    (Record, "finish_on_key"): st.text(st.sampled_from("0123456789#*"), max_size=12),
    (Record, "max_length_s"): st.integers(min_value=1, max_value=86_400),
    (Dial, "timeout_s"): POSITIVE,
    (Dial, "time_limit_s"): POSITIVE,
    (Number, "send_digits"): _optional(DTMF),
    (Sip, "uri"): WORDS.map(lambda user: f"sip:{user}@example.com"),
    (Conference, "wait_url"): st.none() | st.just("") | URL,
    (Conference, "max_participants"): st.integers(min_value=2, max_value=250),
    (Conference, "participant_label"): _optional(
        WORDS.filter(lambda label: "/" not in label and "%2f" not in label.lower())
    ),
    **{
        (cls, "recording_status_callback_event"): _optional(RECORDING_EVENTS)
        for cls in (Record, Dial, Conference, Recording)
    },
}

RECORDING_PARAMETERS = frozenset(
    {
        "trim",
        "recording_status_callback",
        "recording_status_callback_method",
        "recording_status_callback_event",
        "recording_track",
        "track",
        "channels",
    }
)
"""The programmatic recording fields, which may not be written together with a configuration id."""


INVARIANTS: dict[type, typing.Callable[[Any], bool]] = {
    Play: lambda play: play.url is not None or play.digits is not None,
}
"""Rules across fields, which the parser enforces."""


def instances(cls: type) -> st.SearchStrategy[Any]:
    """Instances of a TwiML dataclass whose nested nouns are generated too."""
    hints = typing.get_type_hints(cls)
    kwargs: dict[str, st.SearchStrategy[Any]] = {}
    for field in fields(cls):
        if (cls, field.name) in SPECIAL:
            kwargs[field.name] = SPECIAL[(cls, field.name)]
        elif field.name == "children":
            kwargs[field.name] = _children(cls)
        elif field.name == "targets":
            nouns = st.one_of(*map(instances, (Number, Sip, Conference)))
            kwargs[field.name] = st.lists(nouns, min_size=1, max_size=3)
        else:
            kwargs[field.name] = _from_type(hints[field.name], allow_empty=field.default == ())
        if field.name in ("children", "targets"):
            kwargs[field.name] = kwargs[field.name].map(tuple)
    built = st.builds(cls, **kwargs)
    if "recording_configuration_id" in kwargs:
        built = _recording_modes(built)
    return built.filter(INVARIANTS[cls]) if cls in INVARIANTS else built


def _recording_modes(built: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Either the programmatic recording fields (no id) or an id alone, as the parser allows."""
    return st.one_of(
        built.map(lambda value: replace(value, recording_configuration_id=None)), built.map(_id_alone)
    )


def _id_alone(value: Any) -> Any:
    cleared: dict[str, Any] = {name: None for name in RECORDING_PARAMETERS if hasattr(value, name)}
    if isinstance(value, Dial) and value.record.dual:
        # A -dual record value names the channel layout, which the configuration decides.
        cleared["record"] = DialRecord.RECORD_FROM_ANSWER
    return replace(value, **cleared)


def _children(cls: type) -> st.SearchStrategy[list[Any]]:
    if cls is Gather:
        return st.lists(st.one_of(*map(instances, (Say, Play, Pause))), max_size=3)
    return st.lists(instances(Recording), min_size=1, max_size=2)


def _from_type(hint: Any, *, allow_empty: bool) -> st.SearchStrategy[Any]:
    if hint is bool:
        return st.booleans()
    if hint is str:
        return WORDS
    if isinstance(hint, type) and issubclass(hint, Enum):
        return st.sampled_from(list(hint))
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (types.UnionType, typing.Union) and type(None) in args:
        (inner,) = [arg for arg in args if arg is not type(None)]
        return st.none() | _from_type(inner, allow_empty=allow_empty)
    if origin is tuple and args[1] is Ellipsis:
        members = st.lists(st.sampled_from(list(args[0])), unique=True, min_size=0 if allow_empty else 1)
        return members.map(tuple)
    raise AssertionError(f"no strategy for {hint!r}; add one to SPECIAL")


VERB_TYPES = (Say, Play, Pause, Gather, Hangup, Reject, Redirect, Record, Dial, Start, Stop)
documents = st.lists(st.one_of(*map(instances, VERB_TYPES)), max_size=4).map(
    lambda verbs: Document(verbs=tuple(verbs))
)
