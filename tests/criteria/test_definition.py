"""The criteria set loader: a malformed file is refused naming its line and problem; the
shipped templates load, add up and link to the questionnaires they take survey points from."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from surveyapp.criteria import definition as criteria_definition
from surveyapp.criteria.definition import (
    AdjustmentKind,
    CriteriaError,
    ScoringMethod,
    SipasRule,
    load_criteria_file,
    parse_criteria_set,
)
from surveyapp.services.criteria_sets import read_survey_subcriteria

ROOT = Path(__file__).resolve().parents[2]
SURVEY = {"XA1": {"1.1": 1.0, "1.6": 1.0}, "XA2": {"1.1": 1.0, "5.1": 1.0}}

# Line numbers matter below: area 1 is on line 10, criterion 1.1 on line 14, 1.1.1 on 20,
# 1.1.2 on 24, criterion 1.2 on 29, area 2 on 34, its criterion 2.1 on 38, adjustment D1 on 45.
VALID = """\
code: CCHC-TEST
version: 1
title: Bộ chỉ số thử
year: 2025
total: 100
point_step: 0.25
survey_questionnaires: [XA1, XA2]
assessed_unit_kinds: [xã, phường]
areas:
  - code: "1"
    title: Chỉ đạo điều hành
    max_points: 40
    criteria:
      - code: "1.1"
        title: Thực hiện kế hoạch CCHC
        max_points: 30
        target: {text: Hoàn thành 100% nhiệm vụ, value: 100}
        monitoring: Văn phòng - Thống kê
        subcriteria:
          - code: "1.1.1"
            title: Tự đánh giá
            max_points: 29
            scoring: self_assessed
          - code: "1.1.2"
            title: Điều tra xã hội học
            max_points: 1
            scoring: survey
            survey: ["1.1"]
      - code: "1.2"
        title: Chỉ số hài lòng
        max_points: 10
        scoring: sipas
        sipas: {rule: bands, bands: [{at_least: 90, points: 10}, {at_least: 50, points: 5}]}
  - code: "2"
    title: Thể chế
    max_points: 60
    criteria:
      - code: "2.1"
        title: Chỉ số phục vụ
        max_points: 60
        scoring: other
        source: Quyết định 766
adjustments:
  - {code: T1, title: Sáng kiến, kind: bonus, max_points: 2}
  - {code: D1, title: Vi phạm, kind: penalty, max_points: 3}
"""


def load(tmp_path: Path, text: str, name: str = "CCHC-TEST.v1.yaml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return load_criteria_file(path, SURVEY)


def refused(tmp_path: Path, text: str, name: str = "CCHC-TEST.v1.yaml") -> str:
    with pytest.raises(CriteriaError) as error:
        load(tmp_path, text, name)
    return str(error.value)


def test_a_valid_set_gives_its_tree_points_and_methods(tmp_path) -> None:
    criteria_set = load(tmp_path, VALID)
    assert [area.code for area in criteria_set.areas] == ["1", "2"]
    assert [node.code for node in criteria_set.leaves] == ["1.1.1", "1.1.2", "1.2", "2.1"]
    assert criteria_set.criterion_count == 5
    points = criteria_set.points_by_method()
    assert points[ScoringMethod.SELF_ASSESSED] == 29 and points[ScoringMethod.SURVEY] == 1
    assert points[ScoringMethod.SIPAS] == 10 and points[ScoringMethod.OTHER] == 60
    criterion = criteria_set.areas[0].children[0]
    assert criterion.target.value == 100 and criterion.monitoring == "Văn phòng - Thống kê"
    assert criteria_set.leaves[1].survey_subcriteria == ("1.1",)
    assert criteria_set.adjustment_maximum(AdjustmentKind.BONUS) == 2
    assert criteria_set.adjustment_maximum(AdjustmentKind.PENALTY) == 3


def test_the_sipas_rules_turn_an_index_into_points(tmp_path) -> None:
    bands = load(tmp_path, VALID).leaves[2].sipas
    assert bands.rule is SipasRule.BANDS
    assert [bands.points(index, 10) for index in (95, 90, 89.9, 50, 49)] == [10, 10, 5, 5, 0]
    proportional = (
        load(
            tmp_path,
            VALID.replace(
                "{rule: bands, bands: [{at_least: 90, points: 10}, {at_least: 50, points: 5}]}", "{rule: proportional}"
            ),
        )
        .leaves[2]
        .sipas
    )
    assert proportional.points(85.0, 10) == pytest.approx(8.5)


MALFORMED = {
    "unknown scoring method": (
        ("scoring: other", "scoring: guessed"),
        "line 38: criterion 2.1 scoring: 'guessed' is not one of: self_assessed, survey, sipas, other",
    ),
    "duplicate code": (
        ('- code: "1.2"', '- code: "1.1"'),
        "line 29: criterion 1.1: the code is used twice (first on line 14)",
    ),
    "child not under its parent": (
        ('- code: "1.1.2"', '- code: "1.2.2"'),
        "line 24: sub-criterion 1.2.2: the code must start with its parent's code, 1.1.",
    ),
    "child two levels down": (
        ('- code: "1.1.2"', '- code: "1.1.2.1"'),
        "line 24: sub-criterion 1.1.2.1: the code must be one level below 1.1",
    ),
    "points not in steps": (
        ("max_points: 29", "max_points: 28.9"),
        "line 20: sub-criterion 1.1.1 max_points: 28.9 points is not a multiple of the point_step 0.25",
    ),
    "children not adding up": (
        ("max_points: 30", "max_points: 31"),
        "line 14: criterion 1.1: the maximums of its subcriteria add up to 30, not its max_points 31",
    ),
    "areas not adding up to the total": (
        ("total: 100", "total: 99"),
        "line 1: areas: the areas' maximums add up to 100, not the total 99",
    ),
    "unknown survey sub-criterion": (
        ('survey: ["1.1"]', 'survey: ["9.9"]'),
        "line 24: sub-criterion 1.1.2 survey: sub-criterion(s) 9.9 are in none of the survey_questionnaires'",
    ),
    "survey maximum not the questionnaires'": (
        ('survey: ["1.1"]', 'survey: ["1.1", "1.6"]'),
        "line 24: sub-criterion 1.1.2: max_points 1 must equal the survey's maximum for 1.1, 1.6: 2",
    ),
    "unknown questionnaire": (
        ("[XA1, XA2]", "[XA1, XA9]"),
        "line 1: survey_questionnaires: no questionnaire XA9 in forms/",
    ),
    "unknown key": (
        ("monitoring: Văn phòng", "monitor: Văn phòng"),
        "line 14: criterion: unknown key(s) monitor; see criteria/README.md",
    ),
    "leaf without scoring": (("        scoring: other\n", ""), "line 38: criterion 2.1 scoring: None is not one of"),
    "parent with a scoring": (
        ("        monitoring: Văn phòng - Thống kê\n", "        scoring: self_assessed\n"),
        "line 14: criterion 1.1: scoring belong to its subcriteria, which are scored",
    ),
    "method key on another method": (
        ("source: Quyết định 766", 'survey: ["1.1"]'),
        "line 38: criterion 2.1: survey do not go with scoring: other",
    ),
    "band above the maximum": (
        ("points: 10}, {at_least: 50", "points: 11}, {at_least: 50"),
        "line 33: criterion 1.2 sipas band 1: 11 points exceed max_points",
    ),
    "bands out of order": (
        ("at_least: 50, points: 5", "at_least: 95, points: 5"),
        "line 33: criterion 1.2 sipas bands: list the bands from the highest at_least down",
    ),
    "unknown adjustment kind": (
        ("kind: penalty", "kind: fine"),
        "line 45: adjustment D1 kind: 'fine' is not one of: bonus, penalty",
    ),
    "year missing": (("year: 2025\n", ""), "line 1: year: None must be the year the set assesses"),
}


@pytest.mark.parametrize("case", MALFORMED, ids=list(MALFORMED))
def test_a_malformed_set_is_refused_naming_its_line_and_problem(tmp_path, case) -> None:
    (old, new), message = MALFORMED[case]
    assert old in VALID
    assert message in refused(tmp_path, VALID.replace(old, new, 1))


def test_a_file_not_named_after_its_code_and_version_is_refused(tmp_path) -> None:
    message = refused(tmp_path, VALID, name="CCHC-TEST.v2.yaml")
    assert message == "CCHC-TEST.v2.yaml: the file must be named CCHC-TEST.v1.yaml after its code and version"


def test_a_file_that_is_not_yaml_is_refused_with_its_position(tmp_path) -> None:
    assert "CCHC-TEST.v1.yaml: cannot be read as YAML" in refused(tmp_path, VALID + "  - [unclosed\n")


def test_a_stored_set_is_parsed_again_without_lines() -> None:
    """A set read back from the database has no lines to name: the message still names the place."""
    with pytest.raises(CriteriaError, match=r"^stored v1: year: None must be"):
        parse_criteria_set({"code": "X", "version": 1}, origin="stored v1")


@pytest.mark.parametrize("name", ["CCHC-XA.v1.yaml", "CCHC-SO.v1.yaml"])
def test_the_shipped_templates_load_and_add_up(name) -> None:
    survey = read_survey_subcriteria(ROOT / "forms")
    criteria_set = load_criteria_file(ROOT / "criteria" / name, survey)
    assert criteria_set.is_template and criteria_set.total == 100 and len(criteria_set.areas) == 8
    assert sum(criteria_set.points_by_method().values()) == pytest.approx(100)
    for node in criteria_set.nodes:
        if node.children:
            assert sum(child.max_points for child in node.children) == pytest.approx(node.max_points), node.code
    sipas = [node for node in criteria_set.leaves if node.scoring is ScoringMethod.SIPAS]
    assert sipas and all(node.code.startswith("8.1") for node in sipas)
    # Every sub-criterion the family's questionnaires score is taken by exactly one survey item.
    family = {code: maximum for q in criteria_set.survey_questionnaires for code, maximum in survey[q].items()}
    linked = [code for node in criteria_set.leaves for code in node.survey_subcriteria]
    assert sorted(linked) == sorted(family)


def test_the_commune_template_keeps_seed_004s_targets_and_departments() -> None:
    criteria_set = load_criteria_file(ROOT / "criteria" / "CCHC-XA.v1.yaml")
    by_code = {node.code: node for node in criteria_set.nodes}
    assert by_code["3.3.1"].target.value == 99
    assert by_code["2.1.1"].leading == "Tư pháp - Hộ tịch"
    assert by_code["1.5"].cooperating == ("Văn phòng - Thống kê",)
    assert by_code["3.3.3"].scoring is ScoringMethod.OTHER and "766" in by_code["3.3.3"].source.vi


def test_the_definition_is_pure() -> None:
    """The definition imports neither Flask nor SQLAlchemy: the scoring code can use it anywhere."""
    tree = ast.parse(Path(criteria_definition.__file__).read_text(encoding="utf-8"))
    imported = {
        (node.module if isinstance(node, ast.ImportFrom) else alias.name).split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    assert not imported & {"flask", "flask_babel", "sqlalchemy"}
