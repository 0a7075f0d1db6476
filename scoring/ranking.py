"""Ranks of units, within groups of comparable units, for those with enough forms.

A province reports its units' SIPAS in groups of one kind (Khánh Hòa's 2025 survey: provincial
departments, vertical agencies, communes) and ranks a unit only when enough forms were
collected for it; the others are listed with the reason they have no rank.

>>> import pandas as pd
>>> units = pd.DataFrame({"unit": ["A", "B", "C", "D"], "group": ["xã", "xã", "xã", "sở"],
...                       "index": [81.0, 90.5, 81.0, 70.0], "forms": [40, 35, 50, 12]})
>>> table = rank_within_groups(units, min_forms=30)
>>> table["unit"].tolist(), table["rank"].tolist(), table["unranked"].tolist()
(['D', 'B', 'A', 'C'], [<NA>, 1, 2, 2], ['too_few_forms', None, None, None])
"""

from __future__ import annotations

import enum

import pandas as pd

from scoring.schema import SchemaError

COLUMNS = ("unit", "group", "index", "forms")


class Unranked(enum.Enum):
    """Why a unit has no rank: fewer forms than the minimum, or no figure to rank it by."""

    TOO_FEW_FORMS = "too_few_forms"
    NO_INDEX = "no_index"


def competition_ranks(values: pd.Series) -> pd.Series:
    """Rank 1 for the highest value; tied values share the best of their ranks (1, 1, 3).

    >>> competition_ranks(pd.Series([70.0, 90.0, 70.0, 60.0])).tolist()
    [2, 1, 2, 4]
    """
    return values.rank(method="min", ascending=False).astype("int64")


def rank_within_groups(units: pd.DataFrame, min_forms: int) -> pd.DataFrame:
    """Each unit's rank by ``index`` among the units of its ``group`` that can be ranked.

    ``units`` has one row per unit with the columns ``unit``, ``group``, ``index`` (missing:
    NaN) and ``forms`` (how many forms the index rests on). A unit is ranked when it has at
    least ``min_forms`` forms and an index; ties share a rank (``competition_ranks``). The
    result adds ``rank`` (an integer, ``<NA>`` for a unit not ranked) and ``unranked`` (the
    ``Unranked`` value saying why, else ``None``), sorted by group, then ranked units by rank
    and unit, then the others by unit.
    """
    if isinstance(min_forms, bool) or not isinstance(min_forms, int) or min_forms < 1:
        raise ValueError(f"min_forms must be a whole number of 1 or more, not {min_forms!r}")
    missing = [column for column in COLUMNS if column not in units.columns]
    if missing:
        raise SchemaError(f"the units lack the column(s) {', '.join(missing)}")
    table = units.reset_index(drop=True).copy()
    too_few = table["forms"] < min_forms
    no_index = table["index"].isna()
    table["unranked"] = None
    table.loc[no_index, "unranked"] = Unranked.NO_INDEX.value
    table.loc[too_few, "unranked"] = Unranked.TOO_FEW_FORMS.value
    table["unranked"] = table["unranked"].astype(object)
    ranked = table["unranked"].isna()
    table["rank"] = pd.array([pd.NA] * len(table), dtype="Int64")
    if ranked.any():
        ranks = table[ranked].groupby("group", sort=False)["index"].transform(competition_ranks)
        table.loc[ranked, "rank"] = ranks.astype("Int64")
    table = table.assign(_unranked=~ranked, _rank=table["rank"].fillna(0))
    table = table.sort_values(["group", "_unranked", "_rank", "unit"], kind="stable")
    return table.drop(columns=["_unranked", "_rank"]).reset_index(drop=True)
