"""The order a call tries a BYOC trunk's targets in, when it goes on to the next, and the number's
Request-URI at a target (calls/byoc.py)."""

from __future__ import annotations

from datetime import UTC, datetime

from phonograph.calls.byoc import dial_order, failover, number_at
from phonograph.store import ConnectionPolicyTarget

MOMENT = datetime(2026, 12, 7, tzinfo=UTC)


def target(sid: str, priority: int, weight: int, enabled: bool = True) -> ConnectionPolicyTarget:
    uri = f"sip:{sid}.example"
    return ConnectionPolicyTarget(sid, "AC", "NY", None, uri, priority, weight, enabled, MOMENT, MOMENT)


def test_targets_are_tried_by_priority_then_drawn_by_weight_and_disabled_ones_never() -> None:
    targets = [
        target("low", 20, 10),
        target("off", 0, 10, enabled=False),
        target("a", 5, 1),
        target("b", 5, 3),
    ]
    # A first draw in [0, 0.25) of weights 1 + 3 picks a first; any later one picks b first.
    assert [found.sid for found in dial_order(targets, iter([0.1, 0.0, 0.0]).__next__)] == ["a", "b", "low"]
    assert [found.sid for found in dial_order(targets, iter([0.3, 0.0, 0.0]).__next__)] == ["b", "a", "low"]


def test_a_5xx_or_no_answer_goes_on_to_the_next_target_and_any_other_answer_is_final() -> None:
    codes = (408, 500, 503, 600, 603, 486, 404)
    assert [failover(code) for code in codes] == [True, True, True, False, False, False, False]


def test_the_number_is_the_user_of_the_targets_uri() -> None:
    assert number_at("sip:sbc.example", "+14155550100") == "sip:+14155550100@sbc.example"
    assert number_at("sip:user@sbc.example:5080;transport=udp", "+14155550100") == (
        "sip:+14155550100@sbc.example:5080;transport=udp"
    )
    assert number_at("SIP:user:secret@sbc.example", "+14155550100") == "sip:+14155550100@sbc.example"
