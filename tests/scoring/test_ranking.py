"""Ranks within groups of units, for the units with enough forms (SIPAS by kind of unit)."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from scoring import SchemaError, Unranked, competition_ranks, rank_within_groups


def units(*rows: tuple[str, str, float, int]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["unit", "group", "index", "forms"])


def ranks(table: pd.DataFrame) -> dict[str, object]:
    return {row.unit: (None if pd.isna(row.rank) else int(row.rank)) for row in table.itertuples()}


def test_ties_share_a_rank_and_the_next_rank_is_skipped() -> None:
    table = rank_within_groups(
        units(("A", "xã", 85.0, 40), ("B", "xã", 91.2, 40), ("C", "xã", 85.0, 40), ("D", "xã", 60.0, 40)), 30
    )
    assert ranks(table) == {"B": 1, "A": 2, "C": 2, "D": 4}
    assert table["unit"].tolist() == ["B", "A", "C", "D"]


def test_a_unit_under_the_minimum_is_listed_unranked_and_takes_no_rank_from_the_others() -> None:
    table = rank_within_groups(
        units(("A", "xã", 80.0, 30), ("B", "xã", 99.0, 29), ("C", "xã", 70.0, 31), ("D", "xã", math.nan, 45)), 30
    )
    # B has the best index but one form fewer than the minimum: A (exactly the minimum) is first.
    assert ranks(table) == {"A": 1, "C": 2, "B": None, "D": None}
    reasons = dict(zip(table["unit"], table["unranked"], strict=True))
    assert reasons == {"A": None, "C": None, "B": Unranked.TOO_FEW_FORMS.value, "D": Unranked.NO_INDEX.value}
    assert table["unit"].tolist() == ["A", "C", "B", "D"]  # the ranked first


def test_each_group_is_ranked_apart() -> None:
    table = rank_within_groups(
        units(
            ("CA", "cơ quan ngành dọc", 95.0, 50),
            ("X1", "trung tâm cấp xã", 90.0, 50),
            ("THUE", "cơ quan ngành dọc", 80.0, 50),
            ("X2", "trung tâm cấp xã", 92.0, 50),
        ),
        30,
    )
    assert ranks(table) == {"CA": 1, "THUE": 2, "X2": 1, "X1": 2}
    assert table["group"].tolist() == ["cơ quan ngành dọc"] * 2 + ["trung tâm cấp xã"] * 2


def test_no_unit_ranked_gives_only_missing_ranks() -> None:
    table = rank_within_groups(units(("A", "xã", 80.0, 3)), 30)
    assert ranks(table) == {"A": None}


@pytest.mark.parametrize("minimum", [0, -1, 2.5, True, "30"])
def test_the_minimum_must_be_a_whole_number_of_one_or_more(minimum: object) -> None:
    with pytest.raises(ValueError, match="min_forms"):
        rank_within_groups(units(("A", "xã", 80.0, 3)), minimum)  # type: ignore[arg-type]


def test_a_missing_column_is_named() -> None:
    with pytest.raises(SchemaError, match="forms"):
        rank_within_groups(pd.DataFrame({"unit": ["A"], "group": ["xã"], "index": [80.0]}), 30)


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["g1", "g2"]), st.sampled_from([50.0, 60.0, 75.5, 90.0, math.nan]), st.integers(0, 60)
        ),
        max_size=25,
    ),
    st.integers(1, 60),
)
def test_a_rank_is_one_more_than_the_ranked_units_of_the_group_ahead_of_it(rows, minimum) -> None:
    frame = units(*((f"U{n:02d}", group, index, forms) for n, (group, index, forms) in enumerate(rows)))
    table = rank_within_groups(frame, minimum)
    assert sorted(table["unit"]) == sorted(frame["unit"])
    is_ranked = (table["forms"] >= minimum) & table["index"].notna()
    assert (table["rank"].notna() == is_ranked).all()
    ranked = table[is_ranked]
    for row in ranked.itertuples():
        ahead = ranked[(ranked["group"] == row.group) & (ranked["index"] > row.index)]
        assert row.rank == 1 + len(ahead)


def test_competition_ranks_are_those_of_the_par_standings() -> None:
    assert competition_ranks(pd.Series([70.0, 90.0, 70.0, 60.0])).tolist() == [2, 1, 2, 4]
