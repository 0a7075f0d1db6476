"""Loading questionnaire files: the shipped ones load, malformed ones are refused clearly."""

from __future__ import annotations

import copy
import hashlib
import itertools
import math
import re
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
    before_2025 = {"CX1", "CX2", "CX3", "CX4", "CH1", "CH2", "CH3", "CH4"}
    since_2025 = {"XA1", "XA2", "XA3", "XA4", "SO1", "SO2", "SO3", "SO4"}
    assert codes == {"SIPAS-2017", "SIPAS-2023"} | before_2025 | since_2025


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


@pytest.mark.parametrize("code", ["CH1", "CH3", "CX3", "SO1", "SO2", "SO3"])
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


# SIPAS-2023 v2: the national form of QĐ 1001/QĐ-BNV as publicly transcribed (see the file's
# header): policy 2 + 2 + 8 + 2 = 14 satisfaction items, service delivery 4 + 4 + 5 + 3 + 3 = 19.
SIPAS_2023_V2_ITEMS_PER_ELEMENT = {"A": 2, "B": 2, "C": 8, "D": 2, "1": 4, "2": 4, "3": 5, "4": 3, "5": 3}
# The bytes of v1 as campaigns ran it: a published version never changes (forms/README.md).
SIPAS_2023_V1_SHA256 = "8626eb69a36a3bfcae01e8e0e230be7b0b633b407ab4f7e26c2926b326d61cd1"


@pytest.fixture(scope="module")
def sipas_2023_v2():
    return load_questionnaire_file(FORMS_DIR / "SIPAS-2023.v2.yaml")


def test_sipas_2023_v2_has_the_national_forms_satisfaction_items_per_element_and_part(sipas_2023_v2) -> None:
    satisfaction = [q for q in sipas_2023_v2.questions if q.index is IndexKind.SATISFACTION]
    per_element = {code: sum(q.element == code for q in satisfaction) for code in SIPAS_2023_V2_ITEMS_PER_ELEMENT}
    assert per_element == SIPAS_2023_V2_ITEMS_PER_ELEMENT
    parts = {part.code: [e.code for e in part.elements] for part in sipas_2023_v2.methodology.index_parts}
    assert parts == {"policy": ["A", "B", "C", "D"], "service": ["1", "2", "3", "4", "5"]}
    per_part = {code: sum(q.element in elements for q in satisfaction) for code, elements in parts.items()}
    assert per_part == {"policy": 14, "service": 19}
    assert all([o.value for o in q.options] == [1, 2, 3, 4, 5] for q in satisfaction)


def test_sipas_2023_v2_asks_the_national_forms_other_questions(sipas_2023_v2) -> None:
    questions = sipas_2023_v2.questions
    codes = {q.code for q in questions}
    # Câu 8: the yes/no experience block of 7 items.
    experience = [q for q in questions if q.code.startswith("Q8_")]
    assert len(experience) == 7 and all(len(q.options) == 2 and q.required for q in experience)
    # Câu 1: interest in 8 policies, electricity and water apart, no environment.
    interest = [q.text.vi for q in questions if q.code.startswith("Q1_")]
    assert len(interest) == 8
    assert {"Chính sách về điện sinh hoạt", "Chính sách về nước sinh hoạt"} <= set(interest)
    assert not any("môi trường" in text.lower() for text in interest)
    # Câu 2–7: 7 channels, 5 levels of willingness, 3 levels of harassment and of payments.
    option_counts = [len(sipas_2023_v2.question(code).options) for code in ("Q2", "Q3", "Q4", "Q5", "Q6", "Q7")]
    assert option_counts == [7, 5, 3, 3, 3, 3]
    assessment = {q.code: q.positive_values for q in questions if q.index is IndexKind.ASSESSMENT}
    assert assessment == {"Q3": (3, 4, 5), "Q4": (1,), "Q5": (1,)}
    # Câu 10: the 9 expectation items the transcription has (its item 8 is missing).
    expectation = [q for q in questions if q.index is IndexKind.EXPECTATION]
    assert len(expectation) == 9 and all([o.value for o in q.options] == [3, 2, 1] for q in expectation)
    # Residents in general: one group, not asked, and no field of procedure.
    assert [g.code for g in sipas_2023_v2.respondent_groups] == ["resident"]
    assert not sipas_2023_v2.asks_respondent_group and not sipas_2023_v2.asks_procedure_field
    # Demographics as the national form has them.
    assert [o.label.vi for o in sipas_2023_v2.question("A1").options] == ["Nam", "Nữ"]
    assert "Đại học / Trên đại học" in [o.label.vi for o in sipas_2023_v2.question("A7").options]
    assert len(sipas_2023_v2.question("A8").options) == 7
    assert [o.label.vi for o in sipas_2023_v2.question("A9").options] == ["Miền núi", "Đồng bằng", "Hải đảo"]
    assert {"S3_1", "S2_2", "P_C1", "M1"} <= codes  # v1's codes where the item keeps its meaning


def test_sipas_2023_v2_has_no_dont_know_and_requires_every_rated_item(sipas_2023_v2) -> None:
    assert all(scale.no_answer is None for scale in sipas_2023_v2.scales.values())
    assert all(q.no_answer is None for q in sipas_2023_v2.questions)
    rated = [q for q in sipas_2023_v2.questions if q.index in (IndexKind.SATISFACTION, IndexKind.EXPECTATION)]
    assert len(rated) == 33 + 9 and all(q.required for q in rated)


def age_bands(question) -> list[tuple[int, float]]:
    """The (first, last) age of each option: "18–24 tuổi" → (18, 24), "Trên 60 tuổi" → (61, ∞)."""
    bands = []
    for option in question.options:
        numbers = [int(n) for n in re.findall(r"\d+", option.label.vi)]
        bands.append((numbers[0], numbers[1]) if len(numbers) == 2 else (numbers[0] + 1, math.inf))
    return bands


def test_sipas_2023_v2_age_bands_do_not_overlap_and_leave_no_gap(sipas_2023_v2) -> None:
    bands = age_bands(sipas_2023_v2.question("A2"))
    assert bands[0][0] == 18 and bands[-1][1] == math.inf
    assert all(last + 1 == next_first for (_, last), (next_first, _) in itertools.pairwise(bands)), bands


def test_sipas_2023_v1_still_loads_as_campaigns_ran_it() -> None:
    path = FORMS_DIR / "SIPAS-2023.v1.yaml"
    assert hashlib.sha256(path.read_bytes()).hexdigest() == SIPAS_2023_V1_SHA256
    v1 = load_questionnaire_file(path)
    assert (v1.version, v1.answer_count()) == (1, 53)
    assert v1.scales["satisfaction5"].no_answer is not None  # v1 keeps its "don't know"
