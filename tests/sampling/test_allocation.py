"""Quota allocation: the seeds' plans, hand calculations, and invariants over many inputs."""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from sampling import (
    Allocation,
    AllocationMethod,
    Stratum,
    allocate_fixed,
    allocate_minimum_then_proportional,
    allocate_proportional,
)

DEPARTMENTS = [Stratum(f"455-PB{n:02d}") for n in range(1, 14)]  # seed 001: 13 district departments
COMMUNES = [Stratum(f"X{n:02d}") for n in range(1, 29)]  # seed 001 (2020): 28 communes and towns
RESIDENTIAL_GROUPS = [Stratum(f"21172-T{n:02d}") for n in range(1, 13)]  # seed 000: 12 tổ dân phố


@pytest.mark.parametrize(
    "units, plan, grand_total",
    [
        (DEPARTMENTS, {"CH1": (3, 39), "CH2": (15, 195), "CH3": (56, 728), "CH4": (10, 130)}, 1092),
        (
            COMMUNES,
            {"CX1 council": (15, 420), "CX1 leaders": (2, 56), "CX2": (12, 336), "CX3": (13, 364), "CX4": (30, 840)},
            2016,
        ),
    ],
    ids=["seed 001 departments", "seed 001 communes"],
)
def test_seed_001_plan(units, plan, grand_total) -> None:
    totals = {}
    for form, (per_unit, _forms) in plan.items():
        allocation = allocate_fixed(units, per_stratum=per_unit)
        assert set(allocation.quotas.values()) == {per_unit} and allocation.capped == ()
        assert allocation.method is AllocationMethod.FIXED_PER_STRATUM
        totals[form] = allocation.total
    assert totals == {form: forms for form, (_per_unit, forms) in plan.items()}
    assert sum(totals.values()) == grand_total


def test_seed_000_plan_is_30_per_residential_group_plus_the_standing_committee() -> None:
    groups = allocate_fixed(RESIDENTIAL_GROUPS, per_stratum=30)
    committee = allocate_fixed([Stratum("21172")], per_stratum=3)
    assert list(groups.quotas.values()) == [30] * 12 and groups.total == 360
    assert groups.total + committee.total == 363


def test_a_stratum_smaller_than_a_fixed_quota_is_taken_whole_and_reported() -> None:
    plan = allocate_fixed([Stratum("T01", 120), Stratum("T02", 12), Stratum("T03", 30), Stratum("T04")], 30)
    assert dict(plan.quotas) == {"T01": 30, "T02": 12, "T03": 30, "T04": 30}
    assert plan.capped == ("T02",) and plan.total == 102


@pytest.mark.parametrize(
    "total, sizes, minimum, expected",
    [
        (100, [50, 30, 20], 0, [50, 30, 20]),
        (10, [1, 1, 1, 97], 1, [1, 1, 1, 7]),
        # y's share, 9.09, is below its minimum: y gets 30, x the remaining 70
        (100, [1000, 100], 30, [70, 30]),
        # exact shares 33.33 each: naive rounding gives 99; largest remainder gives the first one more
        (100, [100, 100, 100], 0, [34, 33, 33]),
        # exact shares 16.67, 16.67, 16.67, 50: naive rounding gives 101
        (100, [50, 50, 50, 150], 0, [17, 17, 16, 50]),
        # shares 0.5, 1.5, 1: the tie of remainders goes to the larger population, not the first given
        (3, [10, 30, 20], 0, [0, 2, 1]),
        (3, [30, 10, 20], 0, [2, 0, 1]),
        # equal populations and remainders: the order given decides
        (1, [10, 10], 0, [1, 0]),
        # the small stratum is taken whole (its minimum is above its population); the rest goes to the other
        (10, [3, 100], 5, [3, 7]),
        # everyone: every quota is its population
        (60, [10, 20, 30], 5, [10, 20, 30]),
        (0, [10, 20], 0, [0, 0]),
    ],
)
def test_hand_calculated_proportional_allocations(total, sizes, minimum, expected) -> None:
    strata = [Stratum(f"s{n}", size, minimum=minimum) for n, size in enumerate(sizes)]
    plan = allocate_proportional(total, strata)
    assert list(plan.quotas.values()) == expected
    assert plan.total == total and plan.method is AllocationMethod.PROPORTIONAL


def test_strata_taken_whole_are_reported() -> None:
    plan = allocate_proportional(10, [Stratum("small", 3, minimum=5), Stratum("large", 100, minimum=5)])
    assert plan.capped == ("small",)


def test_an_allocation_cannot_be_changed_after_the_fact() -> None:
    plan = allocate_fixed(DEPARTMENTS, per_stratum=3)
    with pytest.raises(TypeError):
        plan.quotas["455-PB01"] = 99  # type: ignore[index]


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: allocate_proportional(10, [Stratum("a", 3), Stratum("b", 4)]), ValueError, "total 10 exceeds"),
        (
            lambda: allocate_proportional(5, [Stratum("a", 9, minimum=3), Stratum("b", 9, minimum=3)]),
            ValueError,
            "total 5 is below the 6 forms that the strata's minimums need",
        ),
        (lambda: allocate_proportional(-1, [Stratum("a", 3)]), ValueError, "total must not be negative"),
        (lambda: allocate_proportional(2.0, [Stratum("a", 3)]), TypeError, "total must be a whole number"),
        (
            lambda: allocate_proportional(2, [Stratum("a"), Stratum("b"), Stratum("c", 4)]),
            ValueError,
            "strata: proportional allocation needs the population of a, b$",
        ),
        (lambda: allocate_proportional(2, ["a"]), TypeError, "strata must be a sequence of Stratum"),
        (
            lambda: allocate_fixed([Stratum("b"), Stratum("a"), Stratum("b"), Stratum("a")], 3),
            ValueError,
            r"strata: the key\(s\) a, b appear more than once$",
        ),
        (
            lambda: allocate_minimum_then_proportional(10, [Stratum("a", 3), Stratum("b", 4)]),
            ValueError,
            "total 10 exceeds the strata's population of 7$",
        ),
        (  # b's minimum is lowered to its 2 people: 3 + 2 forms are needed
            lambda: allocate_minimum_then_proportional(4, [Stratum("a", 9, minimum=3), Stratum("b", 2, minimum=3)]),
            ValueError,
            "total 4 is below the 5 forms that the strata's minimums need$",
        ),
        (
            lambda: allocate_minimum_then_proportional(2, [Stratum("a"), Stratum("b", 4)]),
            ValueError,
            "strata: proportional allocation needs the population of a$",
        ),
        (lambda: allocate_minimum_then_proportional(-1, [Stratum("a", 3)]), ValueError, "total must not be negative"),
        (lambda: allocate_fixed([Stratum("a")], -3), ValueError, "per_stratum must not be negative"),
        (lambda: allocate_fixed([Stratum("a")], 2.5), TypeError, "per_stratum must be a whole number"),
        (lambda: Stratum("a", -1), ValueError, "population of stratum 'a' must not be negative"),
        (lambda: Stratum("a", 10, minimum=-2), ValueError, "minimum of stratum 'a' must not be negative"),
    ],
)
def test_bad_arguments_are_named(call, error, message) -> None:
    with pytest.raises(error, match=f"^{message}"):  # the message starts with the argument at fault
        call()


def strata_lists(max_population: int = 500, max_minimum: int = 40, **kwargs):
    pairs = st.lists(st.tuples(st.integers(0, max_population), st.integers(0, max_minimum)), min_size=1, **kwargs)
    return pairs.map(lambda pairs: [Stratum(f"s{n}", size, minimum=low) for n, (size, low) in enumerate(pairs)])


def feasible_total(strata, fraction: float) -> int:
    available = sum(s.population for s in strata)
    needed = sum(min(s.minimum, s.population) for s in strata)
    return needed + math.floor(fraction * (available - needed))


# The two ways a total is shared by size, for the properties they have in common.
SHARING = pytest.mark.parametrize("allocate", [allocate_proportional, allocate_minimum_then_proportional])


@SHARING
@settings(max_examples=300, deadline=None)
@given(strata=strata_lists(max_size=12), fraction=st.floats(0, 1))
def test_shared_totals_add_up_keep_minimums_and_caps(allocate, strata, fraction) -> None:
    total = feasible_total(strata, fraction)
    plan = allocate(total, strata)
    assert list(plan.quotas) == [s.key for s in strata]
    assert plan.total == total
    for stratum in strata:
        assert min(stratum.minimum, stratum.population) <= plan.quotas[stratum.key] <= stratum.population
    assert plan.capped == tuple(s.key for s in strata if 0 < s.population == plan.quotas[s.key])


@settings(max_examples=200, deadline=None)
@given(strata=strata_lists(max_size=12), fraction=st.floats(0, 0.5))
def test_a_stratum_whose_share_is_below_its_minimum_gets_exactly_its_minimum(strata, fraction) -> None:
    total = feasible_total(strata, fraction)
    available = sum(s.population for s in strata)
    floors = {s.key: min(s.minimum, s.population) for s in strata}
    raised = [s.key for s in strata if Fraction(total * s.population, available or 1) < floors[s.key]]
    # Only examples where the minimum changes some quota say anything about it.
    assume(raised)
    plan = allocate_proportional(total, strata)
    assert {key: plan.quotas[key] for key in raised} == {key: floors[key] for key in raised}
    assert all(plan.quotas[s.key] >= floors[s.key] for s in strata)
    assert plan.total == total


@settings(max_examples=200, deadline=None)
@given(strata=strata_lists(max_size=12, max_minimum=0), fraction=st.floats(0, 1))
def test_without_minimums_each_quota_is_its_exact_share_rounded_down_or_up(strata, fraction) -> None:
    total = feasible_total(strata, fraction)
    available = sum(s.population for s in strata)
    plan = allocate_proportional(total, strata)
    for stratum in strata:
        share = Fraction(total * stratum.population, available) if available else Fraction(0)
        assert plan.quotas[stratum.key] in (math.floor(share), math.ceil(share))


@SHARING
@settings(max_examples=200, deadline=None)
@given(sizes=st.lists(st.integers(0, 500), min_size=1, max_size=10), minimum=st.integers(0, 40), data=st.data())
def test_a_larger_stratum_never_gets_fewer_forms_than_a_smaller_one(allocate, sizes, minimum, data) -> None:
    strata = [Stratum(f"s{n}", size, minimum=minimum) for n, size in enumerate(sizes)]
    plan = allocate(feasible_total(strata, data.draw(st.floats(0, 1))), strata)
    for a in strata:
        for b in strata:
            if a.population > b.population:
                assert plan.quotas[a.key] >= plan.quotas[b.key]


@settings(max_examples=200, deadline=None)
@given(
    sizes=st.lists(st.integers(0, 500), min_size=1, max_size=10, unique=True),
    minimums=st.lists(st.integers(0, 40), min_size=10, max_size=10),
    fraction=st.floats(0, 1),
    data=st.data(),
)
def test_the_order_of_the_strata_does_not_matter_when_populations_differ(sizes, minimums, fraction, data) -> None:
    strata = [Stratum(f"s{n}", size, minimum=low) for n, (size, low) in enumerate(zip(sizes, minimums, strict=False))]
    total = feasible_total(strata, fraction)
    shuffled = data.draw(st.permutations(strata))
    assert dict(allocate_proportional(total, shuffled).quotas) == dict(allocate_proportional(total, strata).quotas)


@SHARING
@settings(max_examples=200, deadline=None)
@given(strata=strata_lists(max_size=12))
def test_a_total_below_the_minimums_is_refused(allocate, strata) -> None:
    needed = sum(min(s.minimum, s.population) for s in strata)
    assume(needed > 0)  # with no minimum to meet, no total is too small
    with pytest.raises(ValueError, match=f"^total {needed - 1} is below the {needed} forms"):
        allocate(needed - 1, strata)


@SHARING
@settings(max_examples=100, deadline=None)
@given(strata=strata_lists(max_size=12), extra=st.integers(1, 50))
def test_more_than_the_population_is_refused(allocate, strata, extra) -> None:
    available = sum(s.population for s in strata)
    with pytest.raises(ValueError, match=f"^total {available + extra} exceeds the strata's population of {available}$"):
        allocate(available + extra, strata)


@settings(max_examples=200, deadline=None)
@given(
    sizes=st.lists(st.one_of(st.none(), st.integers(0, 100)), max_size=30),
    per_stratum=st.integers(0, 100),
)
def test_fixed_invariants(sizes, per_stratum) -> None:
    strata = [Stratum(f"u{n}", size) for n, size in enumerate(sizes)]
    plan = allocate_fixed(strata, per_stratum)
    expected = {s.key: per_stratum if s.population is None else min(per_stratum, s.population) for s in strata}
    assert dict(plan.quotas) == expected
    assert plan.total == sum(expected.values())
    assert plan.capped == tuple(s.key for s in strata if s.population is not None and s.population < per_stratum)


def test_the_capped_strata_are_a_tuple_whatever_was_given() -> None:
    plan = Allocation(quotas={"A": 8}, method=AllocationMethod.FIXED_PER_STRATUM, capped=["A"])
    assert plan.capped == ("A",)


# Minimum first, then the rest in proportion: each share is min(m + λ·N, N), m the minimum
# lowered to the population N.


def test_the_worked_example_of_minimum_then_proportional() -> None:
    # 100 forms, four residential groups of 600, 300, 90 and 10 people, 10 each first.
    # Minimums 40, rest 60, λ = 60/1000: 46, 28, 15.4 and 10.6 > 10, so T4 is taken whole;
    # the others share 100 - 10 - 30 = 60 by λ = 60/990: 46.36, 28.18, 15.45 (99 whole
    # forms; the last goes to the largest fraction, T3's).
    strata = [Stratum(key, size, minimum=10) for key, size in [("T1", 600), ("T2", 300), ("T3", 90), ("T4", 10)]]
    plan = allocate_minimum_then_proportional(100, strata)
    assert dict(plan.quotas) == {"T1": 46, "T2": 28, "T3": 16, "T4": 10}
    assert plan.capped == ("T4",) and plan.total == 100
    assert plan.method is AllocationMethod.MINIMUM_THEN_PROPORTIONAL
    # The minimum as a floor under a proportional share instead gives the large groups more.
    assert list(allocate_proportional(100, strata).quotas.values()) == [53, 27, 10, 10]


@pytest.mark.parametrize(
    "total, sizes, minimum, expected",
    [
        # minimums 60, rest 40 by λ = 40/1400: 48.57, 28.57, 22.86; the 2 forms left go to
        # the largest fraction (.86), then to the larger of the two tied at 4/7
        (100, [1000, 300, 100], 20, [49, 28, 23]),
        # minimums 3, rest 3 by λ = 3/60: 1.5, 2.5, 2; the form left goes to the larger of the
        # two tied at .5, not to the first given
        (6, [10, 30, 20], 1, [1, 3, 2]),
        # without minimums it is the plain proportional share
        (100, [50, 30, 20], 0, [50, 30, 20]),
        (100, [100, 100, 100], 0, [34, 33, 33]),
        # the minimums take everything
        (30, [100, 100, 100], 10, [10, 10, 10]),
        # a minimum above the population is lowered to it; that stratum is then full and the
        # rest goes to the other: 5 + 2
        (10, [3, 100], 5, [3, 7]),
        # capping cascades: λ = 65/131 fills the 11 (10 + 5.46), then λ = 64/120 fills the 20
        # (10 + 10.67), and the 100 gets 10 + 54
        (95, [20, 11, 100], 10, [20, 11, 64]),
        # everyone
        (60, [10, 20, 30], 5, [10, 20, 30]),
        (0, [10, 20], 0, [0, 0]),
    ],
)
def test_hand_calculated_minimum_then_proportional_allocations(total, sizes, minimum, expected) -> None:
    strata = [Stratum(f"s{n}", size, minimum=minimum) for n, size in enumerate(sizes)]
    plan = allocate_minimum_then_proportional(total, strata)
    assert list(plan.quotas.values()) == expected
    assert plan.total == total


def exact_minimum_then_proportional_shares(total: int, strata) -> dict[str, Fraction]:
    """The rule's exact shares found another way: min(m + λ·N, N) summed is piecewise linear
    in λ ∈ [0, 1] with a corner where each stratum fills up, so λ is read off the right piece."""
    floors = {s.key: min(s.minimum, s.population) for s in strata}

    def summed(scale: Fraction) -> Fraction:
        return sum((min(Fraction(s.population), floors[s.key] + scale * s.population) for s in strata), Fraction(0))

    fills_up_at = {Fraction(s.population - floors[s.key], s.population) for s in strata if s.population}
    corners = sorted({Fraction(0), Fraction(1)} | fills_up_at)
    scale = Fraction(0)
    for low, high in itertools.pairwise(corners):
        if summed(low) <= total <= summed(high):
            rise = summed(high) - summed(low)
            scale = low if rise == 0 else low + (high - low) * (total - summed(low)) / rise
            break
    return {s.key: min(Fraction(s.population), floors[s.key] + scale * s.population) for s in strata}


@settings(max_examples=300, deadline=None)
@given(strata=strata_lists(max_size=12), fraction=st.floats(0, 1))
def test_minimum_then_proportional_rounds_its_exact_shares(strata, fraction) -> None:
    total = feasible_total(strata, fraction)
    plan = allocate_minimum_then_proportional(total, strata)
    assert plan.method is AllocationMethod.MINIMUM_THEN_PROPORTIONAL
    shares = exact_minimum_then_proportional_shares(total, strata)
    for stratum in strata:
        assert plan.quotas[stratum.key] in (math.floor(shares[stratum.key]), math.ceil(shares[stratum.key]))


def first_shares(total: int, strata: list[Stratum]) -> tuple[dict[str, int], int, dict[str, Fraction]]:
    """Each stratum's minimum (up to its population), the rest, and minimum + the rest shared by
    whole population before any cap: λ = (total - Σm) / ΣN."""
    available = sum(s.population for s in strata)
    floors = {s.key: min(s.minimum, s.population) for s in strata}
    rest = total - sum(floors.values())
    return floors, rest, {s.key: floors[s.key] + Fraction(rest * s.population, available or 1) for s in strata}


@settings(max_examples=300, deadline=None)
@given(strata=strata_lists(max_size=12), fraction=st.floats(0, 1))
def test_the_rest_is_shared_by_whole_population_when_no_stratum_fills_up(strata, fraction) -> None:
    total = feasible_total(strata, fraction)
    floors, rest, shares = first_shares(total, strata)
    # Only examples where the minimums and the rest both matter, and no cap.
    assume(rest > 0 and any(floors.values()))
    assume(all(shares[s.key] <= s.population for s in strata))
    plan = allocate_minimum_then_proportional(total, strata)
    for stratum in strata:
        assert plan.quotas[stratum.key] in (math.floor(shares[stratum.key]), math.ceil(shares[stratum.key]))


@settings(max_examples=200, deadline=None)
@given(strata=strata_lists(max_size=12), fraction=st.floats(0, 1))
def test_a_full_stratum_only_ever_gives_the_others_more(strata, fraction) -> None:
    # λ never falls below its first value, (total - Σm) / ΣN: capping one stratum hands the
    # others what it cannot take.
    total = feasible_total(strata, fraction)
    _floors, _rest, shares = first_shares(total, strata)
    plan = allocate_minimum_then_proportional(total, strata)
    for stratum in strata:
        first = min(stratum.population, shares[stratum.key])
        assert plan.quotas[stratum.key] >= math.floor(first)


@settings(max_examples=200, deadline=None)
@given(
    halves=st.lists(st.integers(0, 200), min_size=2, max_size=12, unique=True).filter(lambda x: len(x) % 2 == 0),
    data=st.data(),
)
def test_when_every_share_ends_in_a_half_the_larger_strata_get_the_forms_left(halves, data) -> None:
    # Odd populations N = 2h + 1, minimums up to h, and the rest half the population: λ = 1/2
    # and no cap, so each share is m + h + 1/2. The n/2 forms left go to the larger half of
    # the strata, in whatever order the strata come, and the same every time.
    strata = [Stratum(f"s{n}", 2 * h + 1, minimum=data.draw(st.integers(0, h))) for n, h in enumerate(halves)]
    total = sum(s.minimum for s in strata) + sum(s.population for s in strata) // 2
    larger = sorted(s.population for s in strata)[len(strata) // 2 :]
    expected = {s.key: s.minimum + s.population // 2 + (s.population in larger) for s in strata}
    shuffled = data.draw(st.permutations(strata))
    assert dict(allocate_minimum_then_proportional(total, shuffled).quotas) == expected
    assert allocate_minimum_then_proportional(total, shuffled) == allocate_minimum_then_proportional(total, shuffled)
