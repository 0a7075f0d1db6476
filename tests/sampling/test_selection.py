"""Systematic selection within a stratum, stratified selection, and their reserve lists."""

from __future__ import annotations

import itertools
import math
from collections import Counter
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sampling import Selection, select_stratified, select_systematic, stratum_seed
from sampling.selection import _systematic_positions

seeds = st.one_of(st.integers(), st.text(min_size=1, max_size=20))


@settings(max_examples=300, deadline=None)
@given(size=st.integers(0, 300), fraction=st.floats(0, 1), reserve=st.integers(0, 20), seed=seeds)
def test_systematic_selection_invariants(size, fraction, reserve, seed) -> None:
    frame = list(range(size))
    n = math.floor(fraction * size)
    drawn = select_systematic(frame, n, seed=seed, reserve_size=reserve)
    assert len(drawn.selected) == n and len(set(drawn.selected)) == n and drawn.shortfall == 0
    assert list(drawn.selected) == sorted(drawn.selected), "frame order is kept"
    assert len(drawn.reserve) == min(reserve, size - n) and len(set(drawn.reserve)) == len(drawn.reserve)
    assert set(drawn.selected) | set(drawn.reserve) <= set(frame)
    assert not set(drawn.selected) & set(drawn.reserve)
    assert drawn == select_systematic(frame, n, seed=seed, reserve_size=reserve), "same seed, same sample"


@settings(max_examples=300, deadline=None)
@given(size=st.integers(1, 300), data=st.data(), seed=seeds)
def test_the_sample_is_spread_one_record_per_interval(size, data, seed) -> None:
    n = data.draw(st.integers(1, size))
    step = Fraction(size, n)
    drawn = select_systematic(list(range(size)), n, seed=seed).selected
    # the i-th record covers the point r + i·k of the i-th interval [i·k, (i+1)·k)
    for i, position in enumerate(drawn):
        assert i * step < position + 1 and position < (i + 1) * step
    assert {b - a for a, b in itertools.pairwise(drawn)} <= {math.floor(step), math.ceil(step)}


@settings(max_examples=200, deadline=None)
@given(size=st.integers(1, 120), data=st.data())
def test_every_record_has_the_same_chance(size, data) -> None:
    n = data.draw(st.integers(1, size))
    step = Fraction(size, n)
    taken = Counter(p for start in range(step.numerator) for p in _systematic_positions(size, n, start))
    assert taken == dict.fromkeys(range(size), step.denominator)  # over all starts: n / N each


@settings(max_examples=100, deadline=None)
@given(size=st.integers(0, 100), data=st.data(), seed=seeds)
def test_reserves_do_not_change_the_sample_and_a_longer_list_extends_a_shorter(size, data, seed) -> None:
    frame = list(range(size))
    n = data.draw(st.integers(0, size))
    short, long = data.draw(st.integers(0, 10)), data.draw(st.integers(10, 40))
    first, second = (select_systematic(frame, n, seed, reserve_size=r) for r in (short, long))
    assert first.selected == second.selected
    assert second.reserve[:short] == first.reserve


def test_a_recorded_seed_gives_the_same_draw_as_when_it_was_recorded() -> None:
    # Pinned: if this changes, every sample drawn so far can no longer be repeated from its seed.
    frame = [f"HS{n:03d}" for n in range(1, 101)]
    drawn = select_systematic(frame, 10, seed="2022-08", reserve_size=3)
    assert drawn.selected == tuple(f"HS{n:03d}" for n in range(7, 101, 10))
    assert drawn.reserve == ("HS065", "HS060", "HS009")
    stratified = select_stratified(
        [("T01", n) for n in range(7)] + [("T02", n) for n in range(9)],
        lambda record: record[0],
        {"T01": 2, "T02": 3},
        seed="000",
        reserve_per_stratum=2,
    )
    assert stratified == {
        "T01": Selection(selected=(("T01", 3), ("T01", 6)), reserve=(("T01", 2), ("T01", 4))),
        "T02": Selection(selected=(("T02", 2), ("T02", 5), ("T02", 8)), reserve=(("T02", 4), ("T02", 7))),
    }


def test_a_seed_is_read_as_text() -> None:
    frame = list(range(500))
    assert select_systematic(frame, 20, seed=2022, reserve_size=5) == select_systematic(frame, 20, "2022", 5)


def test_different_seeds_usually_give_different_samples() -> None:
    frame = list(range(1000))
    samples = {select_systematic(frame, 30, seed=seed).selected for seed in range(20)}
    reserves = {select_systematic(frame, 30, seed=seed, reserve_size=5).reserve for seed in range(20)}
    assert len(samples) > 10 and len(reserves) > 10


def test_records_need_not_be_hashable_or_distinct() -> None:
    frame = [{"code": "HS1"}, {"code": "HS1"}, {"code": "HS2"}, {"code": "HS3"}]
    drawn = select_systematic(frame, 2, seed="x", reserve_size=2)
    assert len(drawn.selected) == 2 and len(drawn.reserve) == 2
    assert sorted(map(id, drawn.selected + drawn.reserve)) == sorted(map(id, frame))


@pytest.mark.parametrize("size, n", [(0, 0), (0, 4), (2, 2), (2, 5)])
def test_a_stratum_no_larger_than_its_quota_is_taken_whole_with_the_shortfall(size, n) -> None:
    frame = [f"r{i}" for i in range(size)]
    assert select_systematic(frame, n, seed=1, reserve_size=3) == Selection(tuple(frame), (), n - size)


frames = st.lists(st.tuples(st.sampled_from(["T01", "T02", "T03", "T04"]), st.integers()), max_size=120)


@settings(max_examples=150, deadline=None)
@given(
    frame=frames,
    quotas=st.dictionaries(st.sampled_from(["T01", "T02", "T03", "T05"]), st.integers(0, 40)),
    reserve=st.integers(0, 5),
    seed=seeds,
)
def test_stratified_selection_invariants(frame, quotas, reserve, seed) -> None:
    drawn = select_stratified(frame, lambda record: record[0], quotas, seed, reserve_per_stratum=reserve)
    assert list(drawn) == list(quotas)
    for key, quota in quotas.items():
        stratum = [record for record in frame if record[0] == key]
        selection = drawn[key]
        assert selection == select_systematic(stratum, quota, stratum_seed(seed, key), reserve)
        assert all(record[0] == key for record in selection.selected + selection.reserve)
        assert len(selection.selected) == min(quota, len(stratum))
        assert selection.shortfall == max(0, quota - len(stratum))


def test_adding_a_stratum_changes_no_other_stratum_sample() -> None:
    frame = [(f"T{n % 3}", n) for n in range(300)]
    first = select_stratified(frame, lambda r: r[0], {"T0": 10, "T1": 10}, seed="2022", reserve_per_stratum=3)
    second = select_stratified(frame, lambda r: r[0], {"T2": 10, "T1": 10, "T0": 10}, "2022", 3)
    assert first["T0"] == second["T0"] and first["T1"] == second["T1"]
    assert all(record[0] == "T2" for record in second["T2"].selected)


def test_a_stratum_absent_from_the_frame_reports_its_whole_quota_short() -> None:
    drawn = select_stratified([("T01", 1), ("T02", 2)], lambda r: r[0], {"T09": 4, "T01": 1}, seed=7)
    assert drawn == {"T09": Selection((), (), shortfall=4), "T01": Selection((("T01", 1),), ())}


def test_stratum_seeds_are_stable_and_distinct() -> None:
    assert stratum_seed("2022-08", "21172-T01") == stratum_seed("2022-08", "21172-T01")
    assert stratum_seed("2022-08", "21172-T01").startswith("ff94c7c2871a9cb1")
    assert len({stratum_seed("2022-08", f"21172-T{n:02d}") for n in range(1, 13)}) == 12


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: select_systematic([1], -1, seed=1), ValueError, "sample_size must not be negative, got -1"),
        (lambda: select_systematic([1], 0.5, seed=1), TypeError, "sample_size must be a whole number"),
        (lambda: select_systematic([1], 1, 1, reserve_size=-2), ValueError, "reserve_size must not be negative"),
        (lambda: select_systematic([1], 1, seed=None), TypeError, "seed must be an int or a str, got None"),
        (lambda: select_systematic([1], 1, seed=""), ValueError, "seed must not be empty$"),
        (lambda: select_stratified([], str, {"a": -1}, seed=1), ValueError, r"quotas\['a'\] must not be negative"),
        (lambda: select_stratified([], str, {}, seed=1, reserve_per_stratum=-1), ValueError, "reserve_per_stratum"),
        (lambda: select_stratified([], str, {}, seed=3.5), TypeError, "seed must be an int or a str"),
    ],
)
def test_bad_arguments_are_named(call, error, message) -> None:
    with pytest.raises(error, match=f"^{message}"):  # the message starts with the argument at fault
        call()


def test_no_reserve_is_drawn_unless_asked_for() -> None:
    frame = [f"HS{n:03d}" for n in range(1, 101)]
    drawn = select_systematic(frame, 10, seed="2022-08")
    assert drawn == Selection(
        selected=select_systematic(frame, 10, seed="2022-08", reserve_size=5).selected, reserve=()
    )
    assert drawn.shortfall == 0
    stratified = select_stratified(frame, lambda record: "T01", {"T01": 10}, seed="2022-08")
    assert stratified["T01"].reserve == () and len(stratified["T01"].selected) == 10
