"""PAR Index survey points, unit index, class and rank (METHODOLOGY.md section 6).

>>> import pandas as pd
>>> from scoring.settings import ParQuestion, ParSettings
>>> settings = ParSettings(questionnaires=(("CX1", 1),), max_points={"1.1": 1.0},
...     questions=(ParQuestion("Q", "1.1", {"A": 1.0, "B": 0.6, "C": 0.2, "D": 0.0}, ("X",)),))
>>> answers = ["A"] * 20 + ["B"] * 12 + ["C"] * 6 + ["D"] * 2 + ["X"] * 3
>>> responses = pd.DataFrame({"unit": "U", "respondent_group": "citizen", "Q": answers})
>>> round(float(compute_par(responses, settings, by=["unit"]).subcriteria.loc[0, "points"]), 4)
0.71
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from scoring.ranking import competition_ranks
from scoring.schema import matching, require_columns
from scoring.settings import ParSettings

# Class bounds of the provincial indices: A ≥ 90, B 80–<90, C 70–<80, else D (DEFAULT).
DEFAULT_CLASS_BOUNDS: tuple[tuple[str, float], ...] = (("A", 90.0), ("B", 80.0), ("C", 70.0))
DEFAULT_LOWEST_CLASS = "D"


@dataclass(frozen=True)
class ParResult:
    """PAR survey points per slice: per sub-criterion and group, per sub-criterion, in total."""

    by: tuple[str, ...]
    by_group: pd.DataFrame
    subcriteria: pd.DataFrame
    totals: pd.DataFrame
    settings: dict[str, Any]


def compute_par(responses: pd.DataFrame, settings: ParSettings, by: Sequence[str] = ("unit",)) -> ParResult:
    """Compute the survey points of ``responses`` (see ``scoring.schema``) per slice ``by``.

    - group score G = maximum × mean coefficient over the group's valid answers to the
      sub-criterion's questions ("không biết" and blanks left out);
    - sub-criterion points = weighted mean of G over the groups that answered;
    - ``totals``: the sum of the sub-criteria's points, beside the sum of their maxima.
    """
    by = tuple(by)
    require_columns(responses, (*by, "respondent_group"), (q.code for q in settings.questions))
    keys = [responses[column].fillna("").astype(str).rename(column) for column in (*by, "respondent_group")]
    measures: dict[tuple[str, str], pd.Series] = {}
    for question in settings.questions:
        column = responses[question.code]
        coefficients = {value: coefficient for value, coefficient in question.coefficients.items()}
        coefficients.update({str(value): c for value, c in question.coefficients.items()})
        valid = column.isin(matching(question.coefficients))
        measures[(question.subcriterion, "valid")] = measures.get((question.subcriterion, "valid"), 0) + valid
        score = column.where(valid).map(coefficients).astype(float).fillna(0.0)
        measures[(question.subcriterion, "coefficient_sum")] = (
            measures.get((question.subcriterion, "coefficient_sum"), 0) + score
        )
    wide = pd.DataFrame(measures, index=responses.index)
    wide.columns = pd.MultiIndex.from_tuples(wide.columns, names=["subcriterion", "measure"])
    long = wide.groupby(keys, sort=True).sum().stack("subcriterion", future_stack=True).reset_index()
    long["valid"] = long["valid"].astype("int64")
    long["max_points"] = long["subcriterion"].map(settings.max_points)
    with np.errstate(invalid="ignore", divide="ignore"):
        long["mean_coefficient"] = long["coefficient_sum"] / long["valid"].where(long["valid"] > 0)
    long["points"] = long["max_points"] * long["mean_coefficient"]
    long["flagged"] = long["valid"] < settings.min_valid_answers
    by_group = long.drop(columns=["coefficient_sum"])

    answered = by_group[by_group["valid"] > 0].assign(
        _w=lambda t: t["respondent_group"].map(settings.group_weight).astype(float)
    )
    answered = answered.assign(_wx=answered["_w"] * answered["points"])
    # Only the groups that answered make the points, so only they can flag them (a group whose
    # form does not ask a sub-criterion has no valid answer to it, and says nothing of it).
    subcriteria = (
        by_group.groupby([*by, "subcriterion"], sort=False)
        .agg(max_points=("max_points", "first"), valid=("valid", "sum"))
        .join(
            answered.groupby([*by, "subcriterion"]).agg(
                groups=("_w", "size"), _w=("_w", "sum"), _wx=("_wx", "sum"), flagged=("flagged", "any")
            )
        )
        .reset_index()
    )
    subcriteria["groups"] = subcriteria["groups"].fillna(0).astype("int64")
    subcriteria["points"] = subcriteria["_wx"] / subcriteria["_w"]
    subcriteria["flagged"] = subcriteria["flagged"].fillna(True).astype(bool) | subcriteria["points"].isna()
    subcriteria["label"] = subcriteria["subcriterion"].map(settings.labels)
    subcriteria = subcriteria[[*by, "subcriterion", "max_points", "valid", "flagged", "groups", "points", "label"]]

    grouped = subcriteria.groupby(list(by), sort=True) if by else subcriteria.groupby(lambda _: 0)
    totals = grouped.agg(
        survey_points=("points", "sum"),
        subcriteria=("points", "count"),
        valid=("valid", "sum"),
        flagged=("flagged", "any"),
    )
    totals = totals.reset_index(drop=not by)
    totals["max_points"] = sum(settings.max_points.values())
    totals["flagged"] = totals["flagged"] | (totals["subcriteria"] < len(settings.max_points))
    return ParResult(by=by, by_group=by_group, subcriteria=subcriteria, totals=totals, settings=settings.to_record())


def classify(index: float, bounds: Sequence[tuple[str, float]] = DEFAULT_CLASS_BOUNDS) -> str:
    """The class of a unit index: the first class whose lower bound it reaches.

    >>> classify(87.2), classify(90.0), classify(69.99)
    ('B', 'A', 'D')
    """
    return next((label for label, lower in bounds if index >= lower), DEFAULT_LOWEST_CLASS)


def rank_units(
    survey_points: Mapping[str, float],
    appraised_points: Mapping[str, float],
    *,
    max_points: float = 100.0,
    other_points: Mapping[str, float] | None = None,
    bounds: Sequence[tuple[str, float]] = DEFAULT_CLASS_BOUNDS,
) -> pd.DataFrame:
    """Unit index = 100 × (appraised + survey + other points) / maximum, its class and rank.

    Only units with appraised points are indexed. ``other_points`` holds points computed
    elsewhere, such as the SIPAS criterion's. Ranks are descending; ties share a rank.

    >>> rank_units({"X": 24.30}, {"X": 61.20}, other_points={"X": 1.70})[["index", "class", "rank"]].to_dict("records")
    [{'index': 87.2, 'class': 'B', 'rank': 1}]
    """
    other_points = other_points or {}
    rows = [
        {
            "unit": unit,
            "appraised_points": appraised,
            "survey_points": survey_points.get(unit, 0.0),
            "other_points": other_points.get(unit, 0.0),
        }
        for unit, appraised in appraised_points.items()
    ]
    table = pd.DataFrame(rows, columns=["unit", "appraised_points", "survey_points", "other_points"])
    total = table["appraised_points"] + table["survey_points"] + table["other_points"]
    table["total_points"] = total
    table["max_points"] = max_points
    table["index"] = (100 * total / max_points).round(10)
    table["class"] = table["index"].map(lambda value: classify(value, bounds))
    table["rank"] = competition_ranks(table["index"])
    return table.sort_values(["rank", "unit"]).reset_index(drop=True)
