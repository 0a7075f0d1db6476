"""PAR survey points: METHODOLOGY.md section 6's worked example and hand-checked cases."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import pytest

from scoring import SchemaError, classify, compute_par, par_settings, rank_units, sipas_points
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


def named_after_subcriteria(definition):
    """``definition`` with each PAR question coded after its sub-criterion ("TC5.1"), as a
    province may code its forms: questionnaires rating the same sub-criterion share the code."""
    sections = tuple(
        replace(section, questions=tuple(replace(q, code=f"TC{q.criterion}") for q in section.questions))
        for section in definition.sections
    )
    return replace(definition, sections=sections)


def answered(settings: ParSettings, forms, rows: list[tuple[int, str, int, str]]) -> pd.DataFrame:
    """One row per response: ``count`` responses of ``group`` to ``forms[n]``, every question
    of that form answered ``answer``; the other forms' questions are missing, as when the
    responses of several questionnaires are read together."""
    scored = {q.code for q in settings.questions}
    frames = [
        pd.DataFrame(
            {"unit": ["U1"] * count, "respondent_group": group}
            | {q.code: answer for q in forms[n].questions if q.code in scored}
        )
        for n, group, count, answer in rows
    ]
    return pd.concat(frames, ignore_index=True)


def test_questionnaires_sharing_a_question_count_each_answer_once(commune_forms) -> None:
    # CX1, CX2 and CX4 all rate 5.1; coded after it, their three questions are one column "TC5.1".
    # 6 delegates (CX1, all A), 4 officials (CX2, all B), 7 citizens (CX4, all C): every group
    # rests on fewer than 10 valid answers, so every group and 5.1 itself are flagged.
    shared = [named_after_subcriteria(form) for form in commune_forms]
    rows = [(0, "council_delegate", 6, "A"), (1, "commune_official", 4, "B"), (2, "citizen", 7, "C")]
    settings = par_settings(shared)
    result = compute_par(answered(settings, shared, rows), settings)

    groups = result.by_group[result.by_group["subcriterion"] == "5.1"].set_index("respondent_group")
    assert groups["valid"].to_dict() == {"citizen": 7, "commune_official": 4, "council_delegate": 6}
    assert groups["flagged"].all()
    assert groups["points"].to_dict() == {
        "citizen": pytest.approx(0.2),
        "commune_official": pytest.approx(0.6),
        "council_delegate": pytest.approx(1.0),
    }
    row = result.subcriteria.set_index("subcriterion").loc["5.1"]
    assert (row["valid"], row["groups"], bool(row["flagged"])) == (17, 3, True)
    assert row["points"] == pytest.approx(0.6)
    # CX1 asks 10 questions, CX2 and CX4 11 each.
    assert result.totals.iloc[0]["valid"] == 6 * 10 + 4 * 11 + 7 * 11

    # The same answers to the forms as they are, each question its own column, give the same table.
    distinct = par_settings(commune_forms)
    expected = compute_par(answered(distinct, commune_forms, rows), distinct)
    pd.testing.assert_frame_equal(result.by_group, expected.by_group)
    pd.testing.assert_frame_equal(result.subcriteria, expected.subcriteria)
    pd.testing.assert_frame_equal(result.totals, expected.totals)


def test_a_question_code_shared_with_another_subcriterion_or_other_coefficients_is_refused(commune_forms) -> None:
    # One column cannot be scored two ways: CX1_07 (sub-criterion 5.1) renamed CX1_01 (1.1) in
    # a second questionnaire, or the same question with option B worth 0.5 instead of 0.6.
    first = commune_forms[0]
    question = first.questions[6]
    assert (question.code, question.criterion) == ("CX1_07", "5.1")
    recoded = replace(question, code="CX1_01")
    cheaper = replace(
        question, options=tuple(replace(o, coefficient=0.5) if o.value == "B" else o for o in question.options)
    )
    for changed in (recoded, cheaper):
        other = replace(first, code="CXX", sections=(replace(first.sections[0], questions=(changed,)),))
        with pytest.raises(ValueError, match=f"^question {changed.code}: .* in CXX differ"):
            par_settings([first, other])


def test_a_subcriterion_on_few_answers_flags_itself_and_the_total_though_both_have_points() -> None:
    # 1.1 rests on 12 valid answers, 1.2 on 5 (below the minimum of 10): both still score.
    frame = pd.DataFrame({"unit": "U1", "respondent_group": "citizen", "Q1": ["A"] * 12, "Q2": ["B"] * 5 + [None] * 7})
    result = compute_par(frame, settings_for({"1.1": 1.0, "1.2": 1.0}, {"Q1": "1.1", "Q2": "1.2"}))
    subcriteria = result.subcriteria.set_index("subcriterion")
    assert subcriteria["flagged"].to_dict() == {"1.1": False, "1.2": True}
    assert subcriteria.loc["1.2", "points"] == pytest.approx(0.6)
    total = result.totals.iloc[0]
    assert (total["subcriteria"], total["valid"], bool(total["flagged"])) == (2, 17, True)
    assert total["survey_points"] == pytest.approx(1.6)


def test_exactly_the_minimum_of_valid_answers_is_not_flagged() -> None:
    frame = pd.DataFrame({"unit": ["U1"] * 10 + ["U2"] * 9, "respondent_group": "citizen", "Q1": "A"})
    result = compute_par(frame, settings_for({"1.1": 1.0}, {"Q1": "1.1"}))
    assert dict(zip(result.by_group["unit"], result.by_group["flagged"], strict=True)) == {"U1": False, "U2": True}
    assert dict(zip(result.subcriteria["unit"], result.subcriteria["flagged"], strict=True)) == {
        "U1": False,
        "U2": True,
    }
    assert dict(zip(result.totals["unit"], result.totals["flagged"], strict=True)) == {"U1": False, "U2": True}


def test_a_total_lacking_a_subcriterion_is_flagged_though_every_scored_one_is_sound() -> None:
    # 1.2 has no question in these forms: the total cannot reach its maximum of 3 points.
    frame = pd.DataFrame({"unit": "U1", "respondent_group": "citizen", "Q1": ["A"] * 12})
    result = compute_par(frame, settings_for({"1.1": 1.0, "1.2": 2.0}, {"Q1": "1.1"}))
    assert not result.subcriteria["flagged"].any()
    total = result.totals.iloc[0]
    assert (total["survey_points"], total["subcriteria"], total["max_points"]) == (1.0, 1, 3.0)
    assert bool(total["flagged"])


def test_a_subcriterion_nobody_answered_is_flagged_even_without_a_minimum() -> None:
    frame = pd.DataFrame({"unit": "U1", "respondent_group": "citizen", "Q1": ["A"] * 3, "Q2": ["X"] * 3})
    settings = settings_for({"1.1": 1.0, "1.2": 1.0}, {"Q1": "1.1", "Q2": "1.2"}, min_valid_answers=0)
    result = compute_par(frame, settings)
    assert dict(zip(result.subcriteria["subcriterion"], result.subcriteria["flagged"], strict=True)) == {
        "1.1": False,
        "1.2": True,
    }
    assert bool(result.totals.iloc[0]["flagged"])


def test_two_questions_of_one_subcriterion_pool_their_valid_answers_without_dont_know() -> None:
    # Q1: 10 × A; Q2: 5 × C and 5 × "không biết". Valid = 15, mean = (10·1.0 + 5·0.2) / 15 = 11/15,
    # points = 1.5 × 11/15 = 1.10 ("không biết" counted as 0 would give 1.5 × 11/20 = 0.825).
    frame = pd.DataFrame({"unit": "U1", "respondent_group": "citizen", "Q1": ["A"] * 10, "Q2": ["C"] * 5 + ["X"] * 5})
    result = compute_par(frame, settings_for({"1.1": 1.5}, {"Q1": "1.1", "Q2": "1.1"}))
    group = result.by_group.iloc[0]
    assert (group["valid"], bool(group["flagged"])) == (15, False)
    assert group["mean_coefficient"] == pytest.approx(11 / 15)
    row = result.subcriteria.iloc[0]
    assert (row["valid"], row["groups"], bool(row["flagged"])) == (15, 1, False)
    assert row["points"] == pytest.approx(1.1)
    assert result.totals.iloc[0]["survey_points"] == pytest.approx(1.1)


def test_a_group_with_one_valid_answer_weighs_as_much_as_the_others_and_flags_the_mean() -> None:
    # Leaders: 10 × A → G = 2.0; citizens: one D and four "không biết" → G = 0.0 on one answer.
    frame = pd.DataFrame(
        {
            "unit": "U1",
            "respondent_group": ["leader"] * 10 + ["citizen"] * 5,
            "Q1": ["A"] * 10 + ["D"] + ["X"] * 4,
        }
    )
    result = compute_par(frame, settings_for({"1.1": 2.0}, {"Q1": "1.1"}))
    citizen = result.by_group.set_index("respondent_group").loc["citizen"]
    assert (citizen["valid"], citizen["points"], bool(citizen["flagged"])) == (1, 0.0, True)
    row = result.subcriteria.iloc[0]
    assert (row["valid"], row["groups"], bool(row["flagged"])) == (11, 2, True)
    assert row["points"] == pytest.approx(1.0)


def test_a_group_not_asked_a_subcriterion_does_not_flag_it() -> None:
    # Leaders answer only Q1 (sub-criterion 1.1), citizens only Q2 (1.2), 12 valid answers each.
    frame = pd.DataFrame(
        {
            "unit": "U1",
            "respondent_group": ["leader"] * 12 + ["citizen"] * 12,
            "Q1": ["A"] * 12 + [None] * 12,
            "Q2": [None] * 12 + ["B"] * 12,
        }
    )
    result = compute_par(frame, settings_for({"1.1": 1.0, "1.2": 1.0}, {"Q1": "1.1", "Q2": "1.2"}))
    assert list(result.subcriteria["points"]) == [1.0, pytest.approx(0.6)]
    assert not result.subcriteria["flagged"].any()
    assert not result.totals["flagged"].any()


def test_an_empty_slice_value_is_a_slice_of_its_own_labelled_empty() -> None:
    frame = pd.DataFrame(
        {"unit": ["U1"] * 10 + [None] * 10, "respondent_group": "citizen", "Q1": ["A"] * 10 + ["C"] * 10}
    )
    totals = compute_par(frame, settings_for({"1.1": 1.0}, {"Q1": "1.1"})).totals
    assert totals[["unit", "survey_points", "valid"]].to_dict("records") == [
        {"unit": "", "survey_points": pytest.approx(0.2), "valid": 10},
        {"unit": "U1", "survey_points": 1.0, "valid": 10},
    ]


def test_subcriteria_keep_the_forms_order_whatever_their_codes() -> None:
    # "2.10" sorts before "2.9" as text and "10.1" before both: the forms' order is kept instead.
    frame = pd.DataFrame(
        {"unit": ["U2"] * 10 + ["U1"] * 10, "respondent_group": "citizen", "Q10": "A", "Q9": "B", "Q1": "C"}
    )
    settings = settings_for({"2.10": 1.0, "2.9": 1.0, "10.1": 1.0}, {"Q10": "2.10", "Q9": "2.9", "Q1": "10.1"})
    subcriteria = compute_par(frame, settings).subcriteria
    assert list(zip(subcriteria["unit"], subcriteria["subcriterion"], strict=True)) == [
        ("U1", "2.10"),
        ("U1", "2.9"),
        ("U1", "10.1"),
        ("U2", "2.10"),
        ("U2", "2.9"),
        ("U2", "10.1"),
    ]
    assert list(subcriteria["points"]) == pytest.approx([1.0, 0.6, 0.2] * 2)


def test_slicing_by_a_column_that_is_no_slice_is_refused_even_when_present() -> None:
    frame = pd.DataFrame({"unit": "U1", "district": "D1", "respondent_group": "citizen", "Q1": ["A"] * 10})
    message = "cannot slice by district; slices are unit, parent_unit, respondent_group, mode, procedure_field, period"
    with pytest.raises(SchemaError, match=f"^{message}$"):
        compute_par(frame, settings_for({"1.1": 1.0}, {"Q1": "1.1"}), by=["unit", "district"])


def test_the_standing_table_in_full() -> None:
    # D has no survey points and A–C no other points: both count as 0. A–C tie three ways
    # (rank 1 each, then 4); the index is out of max_points = 50 and the classes are the given ones.
    table = rank_units(
        {"A": 10.0, "B": 10.0, "C": 10.0},
        {"C": 40.0, "B": 40.0, "A": 40.0, "D": 45.0},
        max_points=50.0,
        other_points={"D": 1.0},
        bounds=(("Tốt", 95.0), ("Khá", 90.0)),
    )
    assert list(table.columns) == [
        "unit",
        "appraised_points",
        "survey_points",
        "other_points",
        "total_points",
        "max_points",
        "index",
        "class",
        "rank",
    ]
    tied = {"appraised_points": 40.0, "survey_points": 10.0, "other_points": 0.0, "total_points": 50.0}
    tied |= {"max_points": 50.0, "index": 100.0, "class": "Tốt", "rank": 1}
    assert table.to_dict("records") == [
        {"unit": "A", **tied},
        {"unit": "B", **tied},
        {"unit": "C", **tied},
        {
            "unit": "D",
            "appraised_points": 45.0,
            "survey_points": 0.0,
            "other_points": 1.0,
            "total_points": 46.0,
            "max_points": 50.0,
            "index": 92.0,
            "class": "Khá",
            "rank": 4,
        },
    ]
    assert table["rank"].dtype == "int64"


def test_without_slices_the_totals_are_one_row_over_every_response() -> None:
    frame = pd.DataFrame({"unit": ["U1"] * 6 + ["U2"] * 6, "respondent_group": "citizen", "Q1": ["A"] * 6 + ["C"] * 6})
    result = compute_par(frame, settings_for({"1.1": 1.0}, {"Q1": "1.1"}), by=[])
    assert result.by == ()
    assert result.totals.to_dict("records") == [
        {
            "survey_points": pytest.approx(0.6),
            "subcriteria": 1,
            "valid": 12,
            "flagged": False,
            "max_points": 1.0,
        }
    ]


def test_the_tables_columns_and_a_subcriterion_nobody_answered() -> None:
    frame = pd.DataFrame({"unit": "U1", "respondent_group": "citizen", "Q1": ["A"] * 12, "Q2": ["X"] * 12})
    result = compute_par(frame, settings_for({"1.1": 1.0, "1.2": 2.0}, {"Q1": "1.1", "Q2": "1.2"}))
    assert result.by == ("unit",)
    assert list(result.by_group.columns) == [
        "unit",
        "respondent_group",
        "subcriterion",
        "valid",
        "max_points",
        "mean_coefficient",
        "points",
        "flagged",
    ]
    assert list(result.subcriteria.columns) == [
        "unit",
        "subcriterion",
        "max_points",
        "valid",
        "flagged",
        "groups",
        "points",
        "label",
    ]
    unanswered = result.subcriteria.set_index("subcriterion").loc["1.2"]
    assert (unanswered["max_points"], unanswered["valid"], unanswered["groups"]) == (2.0, 0, 0)
    assert result.subcriteria["groups"].dtype == "int64"


def test_numeric_options_are_scored_in_their_text_form_too() -> None:
    # Answers read from a file come as text ("1"); the options' values are numbers.
    settings = ParSettings(
        questionnaires=(("TEST", 1),),
        questions=(ParQuestion("Q1", "1.1", {1: 1.0, 2: 0.5, 3: 0.0}, (9,)),),
        max_points={"1.1": 2.0},
    )
    frame = pd.DataFrame({"unit": "U1", "respondent_group": "citizen", "Q1": ["1"] * 5 + [2] * 5 + ["9"] * 2})
    row = compute_par(frame, settings).subcriteria.iloc[0]
    assert (row["valid"], row["points"]) == (10, pytest.approx(1.5))  # 2 × (5·1.0 + 5·0.5) / 10


def test_no_appraised_unit_gives_an_empty_standing_with_its_columns() -> None:
    table = rank_units({"A": 10.0}, {})
    assert table.empty
    assert list(table.columns)[:4] == ["unit", "appraised_points", "survey_points", "other_points"]


def test_settings_of_no_questionnaire_keep_the_default_minimum() -> None:
    assert par_settings([]).min_valid_answers == 10
