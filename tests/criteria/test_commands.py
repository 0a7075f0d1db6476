"""The criteria commands: check-criteria names a file's problem, load-criteria stores the sets."""

from __future__ import annotations

from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import CriteriaSetVersion
from tests.conftest import CRITERIA_DIR


def test_check_criteria_says_what_a_valid_file_holds(runner) -> None:
    result = runner.invoke(args=["check-criteria", str(CRITERIA_DIR / "CCHC-XA.v1.yaml")])
    assert result.exit_code == 0, result.output
    assert result.output == (
        "CCHC-XA.v1.yaml: CCHC-XA v1 is valid: 8 areas, 95 criteria and sub-criteria, 100 points "
        "(self_assessed 66, survey 22, sipas 10, other 2)\n"
    )


def test_check_criteria_prints_the_line_and_problem_of_a_malformed_file(runner, tmp_path) -> None:
    text = (
        (CRITERIA_DIR / "CCHC-XA.v1.yaml")
        .read_text(encoding="utf-8")
        .replace("max_points: 13\n", "max_points: 12\n", 1)
    )
    path = tmp_path / "CCHC-XA.v1.yaml"
    path.write_text(text, encoding="utf-8")
    result = runner.invoke(args=["check-criteria", str(path)])
    assert result.exit_code == 1
    assert (
        "CCHC-XA.v1.yaml: line 35: area 1: the maximums of its criteria add up to 13, not its max_points 12"
        in result.output
    )
    assert db.session.scalar(select(CriteriaSetVersion)) is None


def test_load_criteria_stores_the_shipped_sets_once(runner) -> None:
    first = runner.invoke(args=["load-criteria"])
    assert first.exit_code == 0 and first.output == "Criteria sets added: CCHC-SO v1, CCHC-XA v1\n"
    again = runner.invoke(args=["load-criteria"])
    assert again.exit_code == 0 and "nothing changed" in again.output


def test_load_demo_loads_the_criteria_sets_too(runner) -> None:
    result = runner.invoke(args=["load-demo"])
    assert result.exit_code == 0, result.output
    assert "Criteria sets added: CCHC-SO v1, CCHC-XA v1" in result.output
