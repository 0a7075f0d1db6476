"""Selection from a frame and substitution between sub-groups."""

from __future__ import annotations

import math
import subprocess
import sys
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sampling import fill_quota, select_stratified, select_systematic


@settings(max_examples=300, deadline=None)
@given(size=st.integers(0, 300), fraction=st.floats(0, 1), reserve=st.integers(0, 20), seed=st.integers())
def test_systematic_selection_invariants(size, fraction, reserve, seed) -> None:
    frame = list(range(size))
    n = round(fraction * size)
    drawn = select_systematic(frame, n, seed=seed, reserve_size=reserve)
    assert len(drawn.selected) == n and len(set(drawn.selected)) == n
    assert list(drawn.selected) == sorted(drawn.selected), "frame order is kept"
    assert not set(drawn.selected) & set(drawn.reserve)
    assert len(drawn.reserve) == min(reserve, size - n)
    assert drawn == select_systematic(frame, n, seed=seed, reserve_size=reserve), "same seed, same sample"
    if 0 < n < size:
        step = Fraction(size, n)  # the sample is spread evenly: gaps of floor(k) or ceil(k)
        assert drawn.selected[0] < step
        gaps = {b - a for a, b in zip(drawn.selected, drawn.selected[1:], strict=False)}
        assert gaps <= {math.floor(step), math.ceil(step)}


def test_different_seeds_usually_give_different_samples() -> None:
    frame = list(range(1000))
    samples = {select_systematic(frame, 30, seed=seed).selected for seed in range(20)}
    assert len(samples) > 10


def test_a_stratum_smaller_than_its_quota_is_taken_whole_with_the_shortfall() -> None:
    drawn = select_systematic(["a", "b"], 5, seed=1, reserve_size=3)
    assert drawn.selected == ("a", "b") and drawn.reserve == () and drawn.shortfall == 3


def test_adding_a_stratum_changes_no_other_stratum_sample() -> None:
    frame = [(f"T{n % 3}", n) for n in range(300)]
    first = select_stratified(frame, lambda r: r[0], {"T0": 10, "T1": 10}, seed="2022")
    second = select_stratified(frame, lambda r: r[0], {"T0": 10, "T1": 10, "T2": 10}, seed="2022")
    assert first["T0"] == second["T0"] and first["T1"] == second["T1"]
    assert all(record[0] == "T2" for record in second["T2"].selected)


def test_a_quota_for_a_stratum_absent_from_the_frame_reports_its_shortfall() -> None:
    drawn = select_stratified([("T1", 1)], lambda r: r[0], {"T9": 4}, seed=7)
    assert drawn["T9"].selected == () and drawn["T9"].shortfall == 4


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: select_systematic([1], -1, seed=1), "sample_size must not be negative"),
        (lambda: select_systematic([1], 1, seed=1, reserve_size=-2), "reserve_size must not be negative"),
        (lambda: select_stratified([], str, {"a": -1}, seed=1), "quotas must not be negative"),
        (lambda: fill_quota(5, {"business": 1}, ["business", "citizen"]), "available has no count for citizen"),
        (lambda: fill_quota(-5, {"a": 1}, ["a"]), "quota must not be negative"),
    ],
)
def test_bad_arguments_are_named(call, message) -> None:
    with pytest.raises(ValueError, match=message):
        call()


def test_seed_001_cx4_businesses_short_are_replaced_by_citizens() -> None:
    result = fill_quota(30, {"business": 12, "citizen": 200}, ["business", "citizen"])
    assert dict(result.counts) == {"business": 12, "citizen": 18}
    assert (result.substituted, result.unfilled) == (18, 0)


@settings(max_examples=300, deadline=None)
@given(quota=st.integers(0, 100), business=st.integers(0, 60), citizen=st.integers(0, 60))
def test_substitution_invariants(quota, business, citizen) -> None:
    result = fill_quota(quota, {"business": business, "citizen": citizen}, ["business", "citizen"])
    assert result.counts["business"] <= business and result.counts["citizen"] <= citizen
    assert sum(result.counts.values()) + result.unfilled == quota
    assert result.substituted == result.counts["citizen"]


def test_the_package_imports_no_web_or_database_library() -> None:
    code = "import sys, sampling; print(sorted(m for m in ('flask', 'sqlalchemy', 'pandas') if m in sys.modules))"
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert output.strip() == "[]"
