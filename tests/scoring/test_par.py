"""PAR survey points: METHODOLOGY.md section 6's worked example and hand-checked cases."""

from __future__ import annotations

import pandas as pd
import pytest

from scoring import classify, compute_par, par_settings, rank_units, sipas_points
from scoring.settings import ParQuestion, ParSettings

COEFFICIENTS = {"A": 1.0, "B": 0.6, "C": 0.2, "D": 0.0}


def settings_for(max_points: dict[str, float], questions: dict[str, str], **kwargs) -> ParSettings:
    return ParSettings(
        questionnaires=(("TEST", 1),),
        questions=tuple(ParQuestion(code, sub, COEFFICIENTS, ("X",)) for code, sub in questions.items()),
        max_points=max_points,
        **kwargs,
    )


def test_the_worked_example_group_score() -> None:
    answers = ["A"] * 20 + ["B"] * 12 + ["C"] * 6 + ["D"] * 2 + ["X"] * 5 + [None] * 3
    frame = pd.DataFrame({"unit": "U1", "respondent_group": "citizen", "Q1": answers})
    result = compute_par(frame, settings_for({"3.3.1": 1.0}, {"Q1": "3.3.1"}))
    row = result.subcriteria.iloc[0]
    assert row["valid"] == 40
    assert f"{row['points']:.2f}" == "0.71"
    assert result.totals.iloc[0]["survey_points"] == pytest.approx(0.71)


def test_the_worked_example_unit_index_and_class() -> None:
    table = rank_units({"P1": 24.30}, {"P1": 61.20}, other_points={"P1": sipas_points(2.0, 85.11)})
    row = table.iloc[0]
    assert f"{row['index']:.2f}" == "87.20"
    assert row["class"] == "B"


def test_a_subcriterion_is_the_mean_of_the_groups_that_answered() -> None:
    frame = pd.DataFrame(
        {
            "unit": "U1",
            "respondent_group": ["leader"] * 10 + ["citizen"] * 10 + ["business"] * 3,
            "Q1": ["A"] * 10 + ["C"] * 10 + ["X"] * 3,  # businesses did not know
        }
    )
    result = compute_par(frame, settings_for({"1.1": 2.0}, {"Q1": "1.1"}))
    by_group = result.by_group.set_index("respondent_group")["points"]
    assert by_group["leader"] == pytest.approx(2.0) and by_group["citizen"] == pytest.approx(0.4)
    row = result.subcriteria.iloc[0]
    assert (row["groups"], row["points"]) == (2, pytest.approx(1.2))


def test_group_weights_change_the_mean() -> None:
    frame = pd.DataFrame(
        {"unit": "U1", "respondent_group": ["leader"] * 10 + ["citizen"] * 10, "Q1": ["A"] * 10 + ["D"] * 10}
    )
    weighted = settings_for({"1.1": 1.0}, {"Q1": "1.1"}, group_weights={"citizen": 3.0})
    assert compute_par(frame, weighted).subcriteria.iloc[0]["points"] == pytest.approx(0.25)


def test_two_questions_of_one_subcriterion_pool_their_answers_and_totals_add_up(commune_forms) -> None:
    settings = par_settings(commune_forms)
    frame = pd.DataFrame(
        {
            "unit": ["U1"] * 12 + ["U2"] * 12,
            "respondent_group": "council_delegate",
            **{q.code: "A" for q in settings.questions},
        }
    )
    result = compute_par(frame, settings)
    totals = result.totals.set_index("unit")
    assert totals.loc["U1", "survey_points"] == pytest.approx(sum(settings.max_points.values()))
    assert not totals.loc["U1", "flagged"]
    assert result.settings["questionnaires"] == ["CX1 v1", "CX2 v1", "CX4 v1"]


def test_a_subcriterion_nobody_answered_is_flagged_and_scores_nothing() -> None:
    frame = pd.DataFrame({"unit": "U1", "respondent_group": "citizen", "Q1": ["A"] * 12, "Q2": ["X"] * 12})
    result = compute_par(frame, settings_for({"1.1": 1.0, "1.2": 1.0}, {"Q1": "1.1", "Q2": "1.2"}))
    assert result.totals.iloc[0]["survey_points"] == pytest.approx(1.0)
    assert bool(result.totals.iloc[0]["flagged"])
    assert (
        result.subcriteria.set_index("subcriterion").loc["1.2", "points"]
        != result.subcriteria.set_index("subcriterion").loc["1.2", "points"]
    )  # NaN


def test_ranks_descend_and_ties_share_a_rank() -> None:
    table = rank_units({"A": 20.0, "B": 20.0, "C": 10.0, "D": 0.0}, {"A": 70.0, "B": 70.0, "C": 70.0})
    assert table[["unit", "rank", "class"]].to_dict("records") == [
        {"unit": "A", "rank": 1, "class": "A"},
        {"unit": "B", "rank": 1, "class": "A"},
        {"unit": "C", "rank": 3, "class": "B"},
    ]  # D has no appraised points: no index


@pytest.mark.parametrize(
    ("index", "expected"),
    [(100, "A"), (90, "A"), (89.99, "B"), (80, "B"), (79.9, "C"), (70, "C"), (69.9, "D"), (0, "D")],
)
def test_class_bounds(index: float, expected: str) -> None:
    assert classify(index) == expected


def test_subcriteria_with_different_maxima_in_two_forms_are_refused(commune_forms) -> None:
    from dataclasses import replace

    first = commune_forms[0]
    changed = replace(
        first,
        code="CXX",
        methodology=replace(
            first.methodology,
            subcriteria=(replace(first.methodology.subcriteria[0], max_points=9.0), *first.methodology.subcriteria[1:]),
        ),
    )
    with pytest.raises(ValueError, match=first.methodology.subcriteria[0].code):
        par_settings([first, changed])
