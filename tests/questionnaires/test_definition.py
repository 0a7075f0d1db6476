"""Loading questionnaire files: the shipped ones load, malformed ones are refused clearly."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from surveyapp.questionnaires.definition import (
    IndexKind,
    Layout,
    Purpose,
    QuestionnaireError,
    QuestionType,
    load_questionnaire_file,
)

FORMS_DIR = Path(__file__).resolve().parents[2] / "forms"
SHIPPED = sorted(FORMS_DIR.glob("*.yaml"))
SIPAS_2017_CRITERIA = [
    f"{element}.{n}" for element, count in ((1, 4), (2, 5), (3, 6), (4, 3), (5, 4)) for n in range(1, count + 1)
]

VALID = {
    "code": "TEST",
    "version": 1,
    "title": {"vi": "Phiếu thử", "en": "Test form"},
    "purpose": "par",
    "respondent_groups": [{"code": "citizen", "label": "Người dân"}],
    "scales": {
        "par4": {
            "options": [
                {"value": "A", "label": "Rất tốt", "coefficient": 1.0},
                {"value": "B", "label": "Tốt", "coefficient": 0.6},
                {"value": "C", "label": "Chưa tốt", "coefficient": 0.2},
                {"value": "D", "label": "Kém", "coefficient": 0},
            ],
            "no_answer": {"value": "X", "label": "Không biết"},
        }
    },
    "methodology": {"subcriteria": [{"code": "3.2.1", "label": "Công khai TTHC", "max_points": 1.0}]},
    "sections": [
        {
            "code": "A",
            "title": "Đánh giá",
            "questions": [
                {"code": "Q1", "type": "scale", "scale": "par4", "text": "Công khai TTHC?", "criterion": "3.2.1"}
            ],
        }
    ],
}


def write_form(folder: Path, data: dict, name: str = "TEST.v1.yaml") -> Path:
    path = folder / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_every_shipped_form_loads() -> None:
    codes = {load_questionnaire_file(path).code for path in SHIPPED}
    assert codes == {"SIPAS-2017", "SIPAS-2023", "CX1", "CX2", "CX3", "CX4", "CH1", "CH2", "CH3", "CH4"}


def test_sipas_2017_has_five_elements_and_twenty_two_criteria_on_a_five_level_scale() -> None:
    definition = load_questionnaire_file(FORMS_DIR / "SIPAS-2017.v1.yaml")
    satisfaction = [q for q in definition.questions if q.index is IndexKind.SATISFACTION]
    assert [q.criterion for q in satisfaction] == SIPAS_2017_CRITERIA
    assert sorted({q.element for q in satisfaction}) == ["1", "2", "3", "4", "5"]
    assert all([o.value for o in q.options] == [1, 2, 3, 4, 5] for q in satisfaction)
    assert definition.asks_procedure_field and "Đất đai" in definition.procedure_fields


@pytest.mark.parametrize("path", [p for p in SHIPPED if not p.name.startswith("SIPAS")], ids=lambda p: p.name)
def test_par_forms_are_marked_as_templates_with_four_options_and_dont_know(path: Path) -> None:
    definition = load_questionnaire_file(path)
    assert definition.purpose is Purpose.PAR
    assert definition.is_template and definition.notice is not None
    scored = [q for q in definition.questions if q.type is QuestionType.SCALE]
    subcriteria = {s.code for s in definition.methodology.subcriteria}
    assert scored and all(q.criterion in subcriteria for q in scored)
    for question in scored:
        assert [o.coefficient for o in question.options] == [1.0, 0.6, 0.2, 0.0]
        assert question.no_answer is not None and question.no_answer.label.vi == "Không biết"


@pytest.mark.parametrize("code", ["CH1", "CH3", "CX3"])
def test_forms_that_rate_several_units_are_matrices(code: str) -> None:
    definition = load_questionnaire_file(FORMS_DIR / f"{code}.v1.yaml")
    assert definition.layout is Layout.MATRIX
    assert any(section.per_unit for section in definition.sections)


def test_a_valid_file_loads(tmp_path: Path) -> None:
    definition = load_questionnaire_file(write_form(tmp_path, VALID))
    assert definition.question("Q1").choices[-1].label.vi == "Không biết"
    assert definition.title.in_language("en") == "Test form"


def broken(change) -> dict:
    data = copy.deepcopy(VALID)
    change(data)
    return data


def question(data: dict) -> dict:
    return data["sections"][0]["questions"][0]


BROKEN_FILES = {
    "unknown scale": (lambda d: question(d).update(scale="par5"), "question Q1: scale 'par5' is not defined"),
    "criterion not listed": (
        lambda d: question(d).update(criterion="9.9"),
        "question Q1: criterion '9.9' is not listed",
    ),
    "unknown type": (lambda d: question(d).update(type="slider"), "question Q1 type: 'slider' is not one of"),
    "no text": (lambda d: question(d).pop("text"), "question Q1 text: must be a text"),
    "duplicate question code": (
        lambda d: d["sections"][0]["questions"].append(dict(question(d))),
        "question Q1: the code is used by another question",
    ),
    "coefficient above one": (
        lambda d: d["scales"]["par4"]["options"][0].update(coefficient=1.5),
        "scale par4 option 1: coefficient 1.5 must lie between 0 and 1",
    ),
    "duplicate option value": (
        lambda d: d["scales"]["par4"]["options"][1].update(value="A"),
        "scale par4: option value(s) A appear more than once",
    ),
    "no sub-criteria for PAR": (
        lambda d: d["methodology"].pop("subcriteria"),
        "methodology: a PAR questionnaire needs",
    ),
    "bad purpose": (lambda d: d.update(purpose="census"), "purpose: 'census' is not one of"),
    "required text": (
        lambda d: d["sections"][0]["questions"].append({"code": "T", "type": "text", "text": "?", "required": True}),
        "question T: a text question cannot be required",
    ),
    "per-unit section without matrix": (
        lambda d: d["sections"][0].update(per_unit=True),
        "section A: per_unit sections need layout: matrix",
    ),
    "no sections": (lambda d: d.update(sections=[]), "sections: must be a non-empty list"),
    "misspelt key": (lambda d: question(d).update(requried=False), "question Q1: unknown key(s) requried"),
}


@pytest.mark.parametrize("change, message", BROKEN_FILES.values(), ids=BROKEN_FILES.keys())
def test_a_malformed_file_is_refused_naming_file_question_and_problem(tmp_path: Path, change, message: str) -> None:
    path = write_form(tmp_path, broken(change))
    with pytest.raises(QuestionnaireError) as refused:
        load_questionnaire_file(path)
    assert str(refused.value).startswith("TEST.v1.yaml: ")
    assert message in str(refused.value)


def test_a_file_named_after_another_version_is_refused(tmp_path: Path) -> None:
    path = write_form(tmp_path, VALID, name="TEST.v2.yaml")
    with pytest.raises(QuestionnaireError, match=r"TEST.v2.yaml: the file must be named TEST.v1.yaml"):
        load_questionnaire_file(path)


def test_a_file_that_is_not_yaml_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "TEST.v1.yaml"
    path.write_text("code: [unclosed", encoding="utf-8")
    with pytest.raises(QuestionnaireError, match=r"TEST.v1.yaml: cannot be read as YAML"):
        load_questionnaire_file(path)


def test_the_time_announced_grows_with_the_answers_asked() -> None:
    sipas = load_questionnaire_file(FORMS_DIR / "SIPAS-2023.v1.yaml")
    assert (sipas.answer_count(), sipas.estimated_minutes()) == (53, 9)
    matrix = load_questionnaire_file(FORMS_DIR / "CH1.v1.yaml")
    per_unit = sum(question.per_unit for question in matrix.questions)
    assert per_unit and matrix.answer_count(5) == matrix.answer_count(1) + 4 * per_unit
    assert matrix.estimated_minutes(13) > matrix.estimated_minutes(1)
