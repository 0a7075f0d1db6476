"""The PAR Index of a round's units (``scoring.par_index``): what applies, percent, class, rank, change."""

from __future__ import annotations

import math

import pytest

from scoring.par_index import AreaScore, Leaf, UnitPoints, compute_index

LEAVES = (
    Leaf("1.1", "1", 6.0, "self_assessed"),
    Leaf("1.2", "1", 4.0, "survey"),
    Leaf("2.1", "2", 8.0, "sipas"),
    Leaf("2.2", "2", 2.0, "other"),
)


def by_unit(indices):
    return {index.unit: index for index in indices}


def test_two_units_computed_by_hand() -> None:
    """A: 1.1 5.5 + 1.2 3.2 + 2.1 7.0 + 2.2 1.5 = 17.2 of 20; bonus 1, penalty 0.5 → 17.7;
    100 × 17.7 / 20 = 88.5 → B. Area 1: 8.7 of 10, area 2: 8.5 of 10. Last year 90 → −1.5.
    B: no survey (1.2 does not apply): 1.1 6 + 2.1 8 + 2.2 2 = 16 of 16 → 100 → A, rank 1."""
    a = UnitPoints("A", "xã", {"1.1": 5.5, "1.2": 3.2, "2.1": 7.0, "2.2": 1.5}, 1.0, 0.5, previous_percent=90.0)
    b = UnitPoints("B", "xã", {"1.1": 6.0, "2.1": 8.0, "2.2": 2.0})
    indices = by_unit(compute_index(LEAVES, [a, b]))
    assert (indices["A"].points, indices["A"].max_points, indices["A"].percent) == (17.7, 20.0, 88.5)
    assert (indices["A"].grade, indices["A"].rank, indices["A"].change) == ("B", 2, -1.5)
    assert indices["A"].areas == (AreaScore("1", 8.7, 10.0), AreaScore("2", 8.5, 10.0))
    assert indices["A"].by_method == {"self_assessed": 5.5, "survey": 3.2, "sipas": 7.0, "other": 1.5}
    b_index = indices["B"]
    assert (b_index.max_points, b_index.percent, b_index.grade, b_index.rank) == (16.0, 100.0, "A", 1)
    assert indices["B"].not_applying == ("1.2",) and indices["B"].change is None
    assert indices["B"].areas[0] == AreaScore("1", 6.0, 6.0)


def test_ties_share_a_rank_within_each_kind_only() -> None:
    full = {"1.1": 6.0, "1.2": 4.0, "2.1": 8.0, "2.2": 2.0}
    half = {code: points / 2 for code, points in full.items()}
    units = [
        UnitPoints("X1", "xã", half),
        UnitPoints("X2", "xã", full),
        UnitPoints("X3", "xã", half),
        UnitPoints("X4", "xã", {"1.1": 1.0}),
        UnitPoints("P1", "phường", half),
    ]
    indices = compute_index(LEAVES, units)
    assert [(index.kind, index.unit, index.rank) for index in indices] == [
        ("phường", "P1", 1),
        ("xã", "X2", 1),
        ("xã", "X1", 2),
        ("xã", "X3", 2),
        ("xã", "X4", 4),
    ]


@pytest.mark.parametrize(
    ("percent", "grade"), [(90.0, "A"), (89.99, "B"), (80.0, "B"), (79.5, "C"), (70.0, "C"), (69.9, "D")]
)
def test_the_default_class_bounds(percent: float, grade: str) -> None:
    unit = UnitPoints("U", "xã", {"1.1": 6.0 * percent / 100})
    assert compute_index(LEAVES[:1], [unit])[0].grade == grade


def test_class_bounds_are_a_setting() -> None:
    unit = UnitPoints("U", "xã", {"1.1": 5.1})  # 85 %
    assert compute_index(LEAVES[:1], [unit], bounds=(("A", 95.0), ("B", 85.0), ("C", 75.0)))[0].grade == "B"
    assert compute_index(LEAVES[:1], [unit], bounds=(("A", 95.0), ("B", 90.0), ("C", 86.0)))[0].grade == "D"


def test_a_penalty_lowers_the_points_but_not_the_maximum() -> None:
    unit = UnitPoints("U", "xã", {"1.1": 6.0, "1.2": 4.0}, penalty=2.0)
    index = compute_index(LEAVES, [unit])[0]
    assert (index.points, index.max_points, index.percent) == (8.0, 10.0, 80.0)


def test_a_unit_nothing_applies_to_is_ranked_last_without_a_percent() -> None:
    indices = by_unit(compute_index(LEAVES, [UnitPoints("E", "xã", {}), UnitPoints("F", "xã", {"1.1": 0.0})]))
    assert math.isnan(indices["E"].percent) and indices["E"].rank == 2 and indices["E"].grade == "D"
    assert indices["F"].percent == 0.0 and indices["F"].rank == 1


@pytest.mark.parametrize(
    ("leaves", "units", "message"),
    [
        ((Leaf("1", "1", 1.0, "x"), Leaf("1", "1", 1.0, "x")), [], "leaf code is given twice"),
        ((Leaf("1", "1", 0.0, "x"),), [], "not a positive number"),
        (LEAVES, [UnitPoints("U", "k", {}), UnitPoints("U", "k", {})], "unit U is given twice"),
        (LEAVES, [UnitPoints("U", "k", {"9.9": 1.0})], "unknown leaves 9.9"),
        (LEAVES, [UnitPoints("U", "k", {"1.2": 4.5})], "4.5 points for 1.2"),
        (LEAVES, [UnitPoints("U", "k", {}, penalty=-1.0)], "positive amounts"),
    ],
)
def test_bad_arguments_are_refused_naming_them(leaves, units, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        compute_index(leaves, units)
