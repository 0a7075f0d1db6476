"""The PAR templates of the two-level local government (since 1 July 2025): XA1–XA4 for the
communes, SO1–SO4 for the provincial departments (forms/README.md, "Shipped questionnaires")."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest

from scoring import par_settings
from surveyapp.questionnaires.definition import Layout, QuestionnaireDefinition, Text, load_questionnaire_file
from surveyapp.services.official_units import official_units
from surveyapp.services.results.indices import par_families

FORMS_DIR = Path(__file__).resolve().parents[2] / "forms"
FAMILIES = {"XA": ["XA1", "XA2", "XA3", "XA4"], "SO": ["SO1", "SO2", "SO3", "SO4"]}
RESIDENTIAL_KINDS = {"tổ dân phố", "thôn", "khóm"}
# Unit kinds that no longer exist since 1 July 2025.
GONE_KINDS = {"thị trấn", "huyện", "quận", "thị xã", "thành phố", "phòng chuyên môn"}


def load(code: str) -> QuestionnaireDefinition:
    return load_questionnaire_file(FORMS_DIR / f"{code}.v1.yaml")


def family(name: str) -> list[QuestionnaireDefinition]:
    return [load(code) for code in FAMILIES[name]]


@pytest.mark.parametrize("name", FAMILIES)
def test_a_familys_forms_score_together_with_one_maximum_and_label_per_subcriterion(name: str) -> None:
    definitions = family(name)
    settings = par_settings(definitions)  # raises ConflictingSettings on a disagreement
    assert settings.questionnaires == tuple((code, 1) for code in FAMILIES[name])
    for definition in definitions:
        for subcriterion in definition.methodology.subcriteria:
            assert settings.max_points[subcriterion.code] == subcriterion.max_points, (definition.code, subcriterion)
            assert settings.labels[subcriterion.code] == str(subcriterion.label), (definition.code, subcriterion)
    # Every scored question counts toward its family, none is shared with another form.
    scored = [q.code for d in definitions for q in d.questions if q.criterion]
    assert sorted(q.code for q in settings.questions) == sorted(scored)
    assert len(set(scored)) == len(scored)


def test_the_two_families_are_scored_apart_and_each_as_one() -> None:
    forms = [SimpleNamespace(code=code, definition=load(code)) for codes in FAMILIES.values() for code in codes]
    assert [[form.code for form in members] for members in par_families(forms)] == [
        FAMILIES["SO"],
        FAMILIES["XA"],
    ]


def test_the_communes_forms_assess_todays_communes_and_let_residential_groups_collect() -> None:
    provinces = {row["code"] for row in official_units() if not row["parent_code"]}
    commune_kinds = {row["kind"] for row in official_units() if row["parent_code"] in provinces}
    assert commune_kinds == {"xã", "phường", "đặc khu"}
    kinds = {definition.code: set(definition.assessed_unit_kinds) for definition in family("XA")}
    # The units scored are the kinds every form of the family assesses: today's communes.
    assert set.intersection(*kinds.values()) == commune_kinds
    assert kinds["XA1"] == kinds["XA2"] == commune_kinds
    assert kinds["XA3"] == kinds["XA4"] == commune_kinds | RESIDENTIAL_KINDS


def test_the_departments_forms_assess_provincial_departments_only() -> None:
    assert {definition.assessed_unit_kinds for definition in family("SO")} == {("sở",)}


@pytest.mark.parametrize("code", [code for codes in FAMILIES.values() for code in codes])
def test_a_new_form_names_no_unit_of_before_july_2025(code: str) -> None:
    definition = load(code)
    assert not GONE_KINDS & set(definition.assessed_unit_kinds)
    for text in texts(definition):
        assert "huyện" not in text.vi.lower() and "thị trấn" not in text.vi.lower(), text
        assert text.en and "district" not in text.en.lower(), text  # every text has its English too


def texts(definition: QuestionnaireDefinition) -> Iterator[Text]:
    """Every text a respondent or an officer reads in a questionnaire."""
    yield definition.title
    yield from [definition.notice] if definition.notice else []
    yield from (group.label for group in definition.respondent_groups)
    yield from (subcriterion.label for subcriterion in definition.methodology.subcriteria)
    for section in definition.sections:
        yield section.title
        yield from [section.description] if section.description else []
    for question in definition.questions:
        yield question.text
        yield from (option.label for option in question.choices)


RESPONDENT_GROUPS = {
    "XA1": ["council_delegate"],
    "XA2": ["commune_leader", "agency_leader", "commune_official"],
    "XA3": ["citizen"],
    "XA4": ["business", "organisation"],
    "SO1": ["provincial_council_delegate", "provincial_leader"],
    "SO2": ["department_leader"],
    "SO3": ["commune_leader", "agency_leader"],
    "SO4": ["citizen", "business"],
}
MATRICES = {"SO1", "SO2", "SO3"}


@pytest.mark.parametrize("code", RESPONDENT_GROUPS)
def test_each_form_serves_its_respondent_groups_in_its_layout(code: str) -> None:
    definition = load(code)
    assert [group.code for group in definition.respondent_groups] == RESPONDENT_GROUPS[code]
    assert definition.layout is (Layout.MATRIX if code in MATRICES else Layout.SINGLE)


def test_no_new_question_code_is_found_in_another_shipped_file() -> None:
    """A code shared across files is one column of the answers (forms/README.md); the new forms
    share none, with each other or with the forms of before July 2025."""
    seen: dict[str, str] = {}
    for path in sorted(FORMS_DIR.glob("*.yaml")):
        definition = load_questionnaire_file(path)
        for question in definition.questions:
            assert seen.setdefault(question.code, definition.code) == definition.code, question.code
