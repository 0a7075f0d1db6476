"""Loading questionnaire files: the shipped ones load, malformed ones are refused clearly."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from scoring import sipas_settings
from scoring.settings import SipasCombination
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


SIPAS_VALID = {
    "code": "TEST",
    "version": 1,
    "title": "Phiếu SIPAS thử",
    "purpose": "sipas",
    "respondent_groups": [{"code": "citizen", "label": "Người dân"}],
    "scales": {"satisfaction5": {"options": [{"value": n, "label": str(n)} for n in range(1, 6)]}},
    "methodology": {
        "index_parts": [
            {"code": "policy", "label": "Chính sách", "elements": [{"code": "A", "label": "Trách nhiệm"}]},
            {"code": "service", "label": "Dịch vụ", "elements": [{"code": "1", "label": "Tiếp cận"}]},
        ]
    },
    "sections": [
        {
            "code": "B",
            "title": "Hài lòng",
            "questions": [
                {"code": code, "type": "scale", "scale": "satisfaction5", "text": "?", "index": "satisfaction"}
                | {"element": element}
                for code, element in (("B1", "A"), ("B2", "1"))
            ],
        }
    ],
}


def sipas_form(combination: str | None = None, **weights: float) -> dict:
    """The SIPAS test form with ``sipas_combination`` (none: left out) and part weights by code."""
    data = copy.deepcopy(SIPAS_VALID)
    if combination is not None:
        data["methodology"]["sipas_combination"] = combination
    for part in data["methodology"]["index_parts"]:
        if part["code"] in weights:
            part["weight"] = weights[part["code"]]
    return data


@pytest.mark.parametrize("combination", list(SipasCombination), ids=lambda c: c.value)
def test_a_sipas_file_names_how_its_parts_combine_and_the_settings_carry_it(
    tmp_path: Path, combination: SipasCombination
) -> None:
    definition = load_questionnaire_file(write_form(tmp_path, sipas_form(combination.value)))
    assert definition.methodology.sipas_combination is combination
    settings = sipas_settings(definition)
    assert settings.combination is combination
    assert settings.to_record()["sipas_combination"] == combination.value


def test_without_a_combination_the_parts_are_weighted_by_their_weights_as_before(tmp_path: Path) -> None:
    definition = load_questionnaire_file(write_form(tmp_path, sipas_form(policy=0.6, service=0.4)))
    assert definition.methodology.sipas_combination is SipasCombination.WEIGHTED_PARTS
    assert [(p.code, p.weight) for p in sipas_settings(definition).parts] == [("policy", 0.6), ("service", 0.4)]


@pytest.mark.parametrize("path", [p for p in SHIPPED if p.name.startswith("SIPAS")], ids=lambda p: p.name)
def test_the_shipped_sipas_forms_weigh_their_parts_equally(path: Path) -> None:
    # The default rule with every weight 1 is the mean of the parts (forms/README.md).
    methodology = load_questionnaire_file(path).methodology
    assert methodology.sipas_combination is SipasCombination.WEIGHTED_PARTS
    assert {part.weight for part in methodology.index_parts} == {1.0}


REFUSED_COMBINATIONS = {
    "unknown rule": (
        sipas_form("median"),
        "TEST.v1.yaml: methodology sipas_combination: 'median' is not one of: "
        "mean_of_parts, weighted_parts, pooled_items",
    ),
    "zero weight": (
        sipas_form("weighted_parts", policy=0, service=1),
        "TEST.v1.yaml: methodology index part 1: weight 0 must be a positive number",
    ),
    "negative weight": (
        sipas_form("weighted_parts", policy=0.6, service=-0.4),
        "TEST.v1.yaml: methodology index part 2: weight -0.4 must be a positive number",
    ),
    "weight the rule ignores": (
        sipas_form("mean_of_parts", policy=0.6, service=0.4),
        "TEST.v1.yaml: methodology: index part(s) policy, service have a weight, which only "
        "sipas_combination: weighted_parts uses, not mean_of_parts",
    ),
    "weight pooling ignores": (
        sipas_form("pooled_items", service=2),
        "TEST.v1.yaml: methodology: index part(s) service have a weight, which only "
        "sipas_combination: weighted_parts uses, not pooled_items",
    ),
    "rule in a PAR file": (
        broken(lambda d: d["methodology"].update(sipas_combination="mean_of_parts")),
        "TEST.v1.yaml: methodology: sipas_combination belongs to a SIPAS questionnaire",
    ),
}


@pytest.mark.parametrize("data, message", REFUSED_COMBINATIONS.values(), ids=REFUSED_COMBINATIONS.keys())
def test_a_combination_the_loader_cannot_apply_is_refused_naming_file_and_value(
    tmp_path: Path, data: dict, message: str
) -> None:
    with pytest.raises(QuestionnaireError) as refused:
        load_questionnaire_file(write_form(tmp_path, data))
    assert str(refused.value) == message
