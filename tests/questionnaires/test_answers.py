"""Answers are checked against the questionnaire: each question type owns its rules."""

from __future__ import annotations

import pytest
from werkzeug.datastructures import MultiDict

from surveyapp.questionnaires.answers import Problem, check_submission
from surveyapp.questionnaires.definition import parse_definition

SCALE = {
    "options": [{"value": n, "label": f"Mức {n}"} for n in range(1, 6)],
    "no_answer": {"value": 0, "label": "Không biết"},
}


def definition(*questions: dict, layout: str = "single", groups: int = 1, fields: tuple = (), scale: dict = SCALE):
    return parse_definition(
        {
            "code": "T",
            "version": 1,
            "title": "Thử",
            "purpose": "sipas",
            "layout": layout,
            "procedure_fields": list(fields),
            "respondent_groups": [{"code": f"g{n}", "label": f"Nhóm {n}"} for n in range(groups)],
            "scales": {"s5": scale},
            "methodology": {"index_parts": [{"code": "p", "label": "P", "elements": [{"code": "1", "label": "E"}]}]},
            "sections": [{"code": "A", "title": "A", "per_unit": layout == "matrix", "questions": list(questions)}],
        },
        origin="test",
    )


SCALE_Q = {"code": "S", "type": "scale", "scale": "s5", "text": "?", "index": "satisfaction", "element": "1"}
MULTI_Q = {
    "code": "M",
    "type": "multi",
    "text": "?",
    "options": [{"value": "a", "label": "A"}, {"value": "b", "label": "B"}],
}
TEXT_Q = {"code": "T", "type": "text", "text": "?", "max_length": 10}
CHOICE_Q = {"code": "C", "type": "choice", "text": "?", "required": False, "options": [{"value": 1, "label": "Nam"}]}


def check(defn, fields: dict, unit_keys=()):
    return check_submission(defn, MultiDict(fields), unit_keys)


def test_scale_answers_are_stored_as_their_option_values() -> None:
    assert check(definition(SCALE_Q), {"q_S": "4"}).submission.answers_for(None) == {"S": 4}


def test_dont_know_is_a_valid_answer_stored_apart_from_the_levels() -> None:
    assert check(definition(SCALE_Q), {"q_S": "0"}).submission.answers_for(None) == {"S": 0}


@pytest.mark.parametrize(
    "fields, problem",
    [
        ({}, Problem.REQUIRED),
        ({"q_S": "   "}, Problem.REQUIRED),
        ({"q_S": "6"}, Problem.NOT_AN_OPTION),
        ({"q_S": "4.0"}, Problem.NOT_AN_OPTION),
        ({"q_S": ["4", "5"]}, Problem.SEVERAL_VALUES),
    ],
)
def test_a_scale_answer_must_be_exactly_one_option(fields, problem) -> None:
    assert check(definition(SCALE_Q), fields).problems == {"q_S": problem}


def test_multiple_choice_keeps_each_option_once() -> None:
    answers = check(definition(MULTI_Q), {"q_M": ["b", "a", "b"]}).submission.answers_for(None)
    assert answers == {"M": ["a", "b"]}
    assert check(definition(MULTI_Q), {"q_M": ["a", "z"]}).problems == {"q_M": Problem.NOT_AN_OPTION}


def test_free_text_is_optional_trimmed_and_limited() -> None:
    assert check(definition(TEXT_Q), {}).submission.answers_for(None) == {}
    assert check(definition(TEXT_Q), {"q_T": "  tốt  "}).submission.answers_for(None) == {"T": "tốt"}
    assert check(definition(TEXT_Q), {"q_T": "x" * 11}).problems == {"q_T": Problem.TOO_LONG}


def test_vietnamese_text_is_normalised_to_composed_characters() -> None:
    decomposed = "Tie\u0302\u0301t kie\u0323\u0302m"
    assert check(definition(TEXT_Q), {"q_T": decomposed}).submission.answers_for(None)["T"] == "Tiết kiệm"


def test_an_unanswered_optional_question_is_left_out() -> None:
    assert check(definition(CHOICE_Q), {}).submission.answers_for(None) == {}


def test_several_groups_make_the_group_required_and_checked() -> None:
    defn = definition(CHOICE_Q, groups=2)
    assert check(defn, {}).problems == {"respondent_group": Problem.REQUIRED}
    assert check(defn, {"respondent_group": "g9"}).problems == {"respondent_group": Problem.NOT_AN_OPTION}
    assert check(defn, {"respondent_group": "g1"}).submission.respondent_group == "g1"
    assert check(definition(CHOICE_Q), {}).submission.respondent_group == "g0"


def test_the_field_of_procedure_must_be_one_of_the_list() -> None:
    defn = definition(CHOICE_Q, fields=("Đất đai", "Hộ tịch"))
    assert check(defn, {"procedure_field": "Thuế"}).problems == {"procedure_field": Problem.NOT_AN_OPTION}
    assert check(defn, {"procedure_field": "Hộ tịch"}).submission.procedure_field == "Hộ tịch"


def test_a_matrix_is_answered_per_unit_and_each_missing_cell_is_named() -> None:
    defn = definition(SCALE_Q, layout="matrix")
    result = check(defn, {"q_S@U1": "5"}, unit_keys=["U1", "U2"])
    assert result.problems == {"q_S@U2": Problem.REQUIRED}
    valid = check(defn, {"q_S@U1": "5", "q_S@U2": "0"}, unit_keys=["U1", "U2"]).submission
    assert valid.answers_for("U1") == {"S": 5} and valid.answers_for("U2") == {"S": 0}


def test_a_scale_without_dont_know_accepts_only_its_levels_and_a_required_item_must_be_answered() -> None:
    """How a questionnaire turns "don't know" off (forms/README.md): no ``no_answer`` on the scale."""
    without = definition(SCALE_Q, scale={"options": SCALE["options"]})
    assert [o.key for o in without.question("S").choices] == ["1", "2", "3", "4", "5"]
    assert check(without, {"q_S": "0"}).problems == {"q_S": Problem.NOT_AN_OPTION}
    assert check(without, {}).problems == {"q_S": Problem.REQUIRED}
    assert check(without, {"q_S": "5"}).submission.answers_for(None) == {"S": 5}
