"""The command-line commands, run through Flask's CLI runner on the test database."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from surveyapp.extensions import db
from surveyapp.models import Campaign, Questionnaire, User, UserRole
from surveyapp.services.demo import UNITS_CSV
from tests.conftest import FORMS_DIR


def test_create_an_officer_and_a_surveyor_with_units(runner) -> None:
    runner.invoke(args=["load-units", str(UNITS_CSV)])
    officer = runner.invoke(args=["create-user", "canbo", "--role", "officer", "--password", "mat-khau-dai"])
    surveyor = runner.invoke(
        args=["create-user", "dtv", "--role", "surveyor", "--unit", "W21172-T01", "--password", "mat-khau-dai"]
    )
    assert officer.exit_code == 0 and "Created officer canbo" in officer.output
    assert surveyor.exit_code == 0
    user = db.session.scalar(select(User).filter_by(username="dtv"))
    assert user.role is UserRole.SURVEYOR and [u.code for u in user.assigned_units] == ["W21172-T01"]


def test_create_user_refuses_clearly(runner) -> None:
    runner.invoke(args=["create-user", "canbo", "--role", "officer", "--password", "mat-khau-dai"])
    taken = runner.invoke(args=["create-user", "canbo", "--role", "officer", "--password", "mat-khau-dai"])
    short = runner.invoke(args=["create-user", "moi", "--role", "officer", "--password", "ngan"])
    unknown_unit = runner.invoke(
        args=["create-user", "x", "--role", "surveyor", "--unit", "W0", "--password", "12345678"]
    )
    assert taken.exit_code == 1 and "username: 'canbo' is already taken" in taken.output
    assert short.exit_code == 1 and "password: must have at least 8 characters" in short.output
    assert unknown_unit.exit_code == 1 and "--unit: no unit has the code W0" in unknown_unit.output
    assert "Traceback" not in taken.output + short.output + unknown_unit.output


def test_load_units_reports_bad_rows_and_stores_nothing(runner, tmp_path: Path) -> None:
    bad = tmp_path / "units.csv"
    bad.write_text("code,name,kind,parent_code\nW1,,phường,\n", encoding="utf-8")
    result = runner.invoke(args=["load-units", str(bad)])
    assert result.exit_code == 1
    assert "units.csv: nothing was stored" in result.output and "line 2, column name" in result.output
    good = runner.invoke(args=["load-units", str(UNITS_CSV)])
    assert good.exit_code == 0 and "Units: 141 added, 0 updated" in good.output


def test_load_questionnaires_refuses_a_broken_file_naming_it(runner, tmp_path: Path) -> None:
    (tmp_path / "BAD.v1.yaml").write_text("code: BAD\nversion: 1\npurpose: sipas\n", encoding="utf-8")
    result = runner.invoke(args=["load-questionnaires", "--forms-dir", str(tmp_path)])
    assert result.exit_code == 1 and "BAD.v1.yaml" in result.output
    loaded = runner.invoke(args=["load-questionnaires", "--forms-dir", str(FORMS_DIR)])
    assert loaded.exit_code == 0 and "SIPAS-2017 v1" in loaded.output
    assert db.session.scalar(select(func.count()).select_from(Questionnaire)) == 10


def test_load_demo_builds_the_seed_campaigns_once(runner) -> None:
    first = runner.invoke(args=["load-demo"])
    assert first.exit_code == 0, first.output
    assert "canbo / canbo-demo-2022" in first.output
    campaigns = {c.year: c for c in db.session.scalars(select(Campaign)) if c.purpose.value == "par"}
    ward, district = campaigns[2022], campaigns[2020]
    assert [q.code for q in ward.questionnaires] == ["CX1", "CX4"]
    assert len(ward.units) == 13 and len(ward.units_for(ward.questionnaires[1])) == 13
    assert len([u for u in district.units if u.kind == "phòng chuyên môn"]) == 13
    assert len(district.units) == 13 + 26
    assert len(district.questionnaires) == 8
    again = runner.invoke(args=["load-demo"])
    assert "already loaded; nothing changed" in again.output
    assert db.session.scalar(select(func.count()).select_from(Campaign)) == 3
    assert db.session.scalar(select(func.count()).select_from(User)) == 3
