"""Substitution between the sub-groups of a quota (seed 001, CX4)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sampling import fill_quota

CX4 = ["business", "citizen"]


def test_seed_001_cx4_businesses_short_are_replaced_by_citizens() -> None:
    result = fill_quota(30, {"business": 12, "citizen": 200}, CX4)
    assert dict(result.counts) == {"business": 12, "citizen": 18}
    assert (result.preferred, result.shortfall, result.substituted, result.unfilled) == ("business", 18, 18, 0)


def test_enough_businesses_means_no_substitution() -> None:
    result = fill_quota(30, {"business": 45, "citizen": 200}, CX4)
    assert dict(result.counts) == {"business": 30, "citizen": 0}
    assert (result.shortfall, result.substituted, result.unfilled) == (0, 0, 0)


def test_what_even_the_substitutes_cannot_cover_is_reported_unfilled() -> None:
    result = fill_quota(30, {"business": 12, "citizen": 10}, CX4)
    assert dict(result.counts) == {"business": 12, "citizen": 10}
    assert (result.shortfall, result.substituted, result.unfilled) == (18, 10, 8)


def test_substitutes_are_taken_in_order_of_preference() -> None:
    result = fill_quota(
        20,
        {"business": 5, "production unit": 4, "citizen": 100, "other": 9},
        ["business", "production unit", "citizen"],
    )
    assert list(result.counts.items()) == [("business", 5), ("production unit", 4), ("citizen", 11)]
    assert result.substituted == 15


def test_the_result_is_read_only() -> None:
    result = fill_quota(3, {"business": 1, "citizen": 5}, CX4)
    with pytest.raises(TypeError):
        result.counts["citizen"] = 0  # type: ignore[index]


@settings(max_examples=300, deadline=None)
@given(
    quota=st.integers(0, 100),
    available=st.lists(st.integers(0, 60), min_size=1, max_size=4),
)
def test_substitution_invariants(quota, available) -> None:
    groups = [f"g{n}" for n in range(len(available))]
    result = fill_quota(quota, dict(zip(groups, available, strict=True)), groups)
    assert list(result.counts) == groups
    assert all(0 <= result.counts[group] <= count for group, count in zip(groups, available, strict=True))
    assert sum(result.counts.values()) + result.unfilled == quota
    assert result.unfilled == max(0, quota - sum(available))
    assert result.counts["g0"] == min(quota, available[0])
    assert result.substituted == sum(result.counts.values()) - result.counts["g0"]
    assert result.shortfall == result.substituted + result.unfilled


@pytest.mark.parametrize(
    "args, error, message",
    [
        ((-5, {"a": 1}, ["a"]), ValueError, "quota must not be negative"),
        ((2.5, {"a": 1}, ["a"]), TypeError, "quota must be a whole number"),
        ((5, {"business": 1}, CX4), ValueError, "available has no count for citizen"),
        ((5, {}, CX4), ValueError, "available has no count for business, citizen$"),
        ((5, {"business": -1, "citizen": 3}, CX4), ValueError, r"available\['business'\] must not be negative"),
        ((5, {"a": 1}, []), ValueError, "preference must be a sequence naming at least one sub-group$"),
        ((5, {"a": 1}, "a"), ValueError, "preference must be a sequence"),
        ((5, {"a": 1}, ["a", "a"]), ValueError, "preference names a sub-group more than once$"),
    ],
)
def test_bad_arguments_are_named(args, error, message) -> None:
    with pytest.raises(error, match=f"^{message}"):  # the message starts with the argument at fault
        fill_quota(*args)
