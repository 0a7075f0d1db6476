"""Questionnaire definitions from forms/ for the aggregator's tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from surveyapp.questionnaires.definition import QuestionnaireDefinition, load_questionnaire_file

FORMS = Path(__file__).resolve().parents[2] / "forms"


@pytest.fixture(scope="session")
def sipas_2017() -> QuestionnaireDefinition:
    return load_questionnaire_file(FORMS / "SIPAS-2017.v1.yaml")


@pytest.fixture(scope="session")
def sipas_2023() -> QuestionnaireDefinition:
    return load_questionnaire_file(FORMS / "SIPAS-2023.v1.yaml")


@pytest.fixture(scope="session")
def commune_forms() -> list[QuestionnaireDefinition]:
    return [load_questionnaire_file(FORMS / f"CX{n}.v1.yaml") for n in (1, 2, 4)]


@pytest.fixture(scope="session")
def sipas_2023_v2() -> QuestionnaireDefinition:
    return load_questionnaire_file(FORMS / "SIPAS-2023.v2.yaml")
