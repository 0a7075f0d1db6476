"""Quota allocation: the seeds' plans, hand calculations, and invariants over many inputs."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sampling import Stratum, allocate_fixed, allocate_proportional, slovin_sample_size

DEPARTMENTS = [Stratum(f"D455-PB{n:02d}") for n in range(1, 14)]
COMMUNES = [Stratum(f"X{n:02d}") for n in range(1, 29)]


@pytest.mark.parametrize(
    "strata, per_unit, expected",
    [
        (DEPARTMENTS, [3, 15, 56, 10], [39, 195, 728, 130]),
        (COMMUNES, [15, 2, 12, 13, 30], [420, 56, 336, 364, 840]),
    ],
    ids=["seed 001 departments (CH1-CH4)", "seed 001 communes (CX1-CX4)"],
)
def test_seed_001_plan_comes_out_group_by_group(strata, per_unit, expected) -> None:
    totals = [allocate_fixed(strata, per_stratum=n).total for n in per_unit]
    assert totals == expected
    assert sum(totals) in (1092, 2016)


def test_seed_000_plan_is_30_per_residential_group_plus_the_standing_committee() -> None:
    groups = allocate_fixed([Stratum(f"W21172-T{n:02d}") for n in range(1, 13)], per_stratum=30)
    committee = allocate_fixed([Stratum("W21172")], per_stratum=3)
    assert groups.total + committee.total == 363


@pytest.mark.parametrize(
    "total, sizes, minimum, expected",
    [
        (100, [50, 30, 20], 0, [50, 30, 20]),
        (10, [1, 1, 1, 97], 1, [1, 1, 1, 7]),
        (100, [1000, 100], 30, [70, 30]),
        # exact shares 33.33 each: naive rounding gives 99; largest remainder gives 100
        (100, [100, 100, 100], 0, [34, 33, 33]),
        # exact shares 16.67, 16.67, 16.67, 50: naive rounding gives 101
        (100, [50, 50, 50, 150], 0, [17, 17, 16, 50]),
        # the small stratum is taken whole (below its minimum); the rest goes to the other
        (10, [3, 100], 5, [3, 7]),
    ],
)
def test_hand_calculated_proportional_allocations(total, sizes, minimum, expected) -> None:
    strata = [Stratum(f"s{n}", size, minimum=minimum) for n, size in enumerate(sizes)]
    assert list(allocate_proportional(total, strata).quotas.values()) == expected


def test_a_stratum_smaller_than_a_fixed_quota_is_taken_whole_and_reported() -> None:
    plan = allocate_fixed([Stratum("T01", 120), Stratum("T02", 12)], per_stratum=30)
    assert dict(plan.quotas) == {"T01": 30, "T02": 12}
    assert plan.capped == ("T02",)


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: allocate_proportional(10, [Stratum("a", 3), Stratum("b", 4)]), "total 10 exceeds"),
        (lambda: allocate_proportional(5, [Stratum("a", 9, minimum=3), Stratum("b", 9, minimum=3)]), "minimums need"),
        (lambda: allocate_proportional(-1, [Stratum("a", 3)]), "total must not be negative"),
        (lambda: allocate_proportional(2, [Stratum("a")]), "needs the population of a"),
        (lambda: allocate_fixed([Stratum("a"), Stratum("a")], 3), "the key(s) a appear more than once"),
        (lambda: allocate_fixed([Stratum("a")], -3), "per_stratum must not be negative"),
        (lambda: Stratum("a", -1), "population of stratum 'a'"),
        (lambda: slovin_sample_size(100, margin_of_error=1.5), "margin_of_error"),
        (lambda: slovin_sample_size(-5), "population must not be negative"),
    ],
)
def test_bad_arguments_are_named(call, message) -> None:
    with pytest.raises(ValueError) as refused:
        call()
    assert message in str(refused.value)


strata_lists = st.lists(st.tuples(st.integers(0, 500), st.integers(0, 40)), min_size=1, max_size=12).map(
    lambda pairs: [Stratum(f"s{n}", size, minimum=minimum) for n, (size, minimum) in enumerate(pairs)]
)


@settings(max_examples=300, deadline=None)
@given(strata=strata_lists, fraction=st.floats(0, 1))
def test_proportional_invariants(strata, fraction) -> None:
    available = sum(s.population for s in strata)
    needed = sum(min(s.minimum, s.population) for s in strata)
    total = round(needed + fraction * (available - needed))
    plan = allocate_proportional(total, strata)
    assert plan.total == total
    for stratum in strata:
        quota = plan.quotas[stratum.key]
        assert min(stratum.minimum, stratum.population) <= quota <= stratum.population
    assert allocate_proportional(total, list(reversed(strata))).quotas.keys() == set(plan.quotas)


@settings(max_examples=200, deadline=None)
@given(strata=strata_lists)
def test_a_total_below_the_minimums_is_refused(strata) -> None:
    needed = sum(min(s.minimum, s.population) for s in strata)
    if needed == 0:
        return
    with pytest.raises(ValueError, match="minimums need"):
        allocate_proportional(needed - 1, strata)


@settings(max_examples=200, deadline=None)
@given(strata=strata_lists, extra=st.integers(1, 50))
def test_more_than_the_population_is_refused(strata, extra) -> None:
    with pytest.raises(ValueError, match="exceeds the strata's population"):
        allocate_proportional(sum(s.population for s in strata) + extra, strata)


@settings(max_examples=300, deadline=None)
@given(population=st.integers(0, 10**6), error=st.sampled_from([0.03, 0.05, 0.1]))
def test_slovin_stays_within_its_bounds_and_meets_the_margin(population, error) -> None:
    n = slovin_sample_size(population, margin_of_error=error)
    assert n <= population
    assert n >= min(population, 30)
    assert n >= math.floor(population / (1 + population * error * error))
