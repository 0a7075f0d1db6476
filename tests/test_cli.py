"""The command-line commands, run through Flask's CLI runner on the test database.

``init-db`` is covered by tests/test_migrations.py, on a database of its own.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml
from sqlalchemy import func, select

from surveyapp.demo import (
    DEMO_CAMPAIGNS,
    DEMO_COMMUNES,
    DEMO_PAST_ROUND_NAME,
    DEMO_ROUND_ACCOUNTS,
    DEMO_ROUND_NAME,
    PUBLISHED_DEMO_PASSWORDS,
    UNITS_CSV,
)
from surveyapp.extensions import db
from surveyapp.instance_files import read_demo_accounts
from surveyapp.models import (
    AppraisalScore,
    AssessmentRound,
    AuditEntry,
    Campaign,
    CampaignPurpose,
    CampaignStatus,
    Explanation,
    Publication,
    Questionnaire,
    QuotaCell,
    Response,
    RoundStage,
    SelfAssessment,
    SelfScore,
    Unit,
    User,
    UserRole,
)
from surveyapp.services.responses import local_today
from tests.conftest import FORMS_DIR

SEED_000, SIPAS_DESK, SEED_001, SIPAS_2026, PAR_2026 = (demo.name for demo in DEMO_CAMPAIGNS)


def count(model: type) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_create_an_officer_and_a_surveyor_with_units(runner) -> None:
    runner.invoke(args=["load-units", str(UNITS_CSV)])
    officer = runner.invoke(
        args=["create-user", "canbo", "--role", "officer", "--full-name", "Nguyễn Văn A", "--password", "mat-khau-dai"]
    )
    surveyor = runner.invoke(
        args=["create-user", "dtv", "--role", "surveyor", "--unit", "21172-T01", "--unit", "21172-T02"],
        input="mat-khau-dai\nmat-khau-dai\n",  # asked for twice when --password is not given
    )
    assert officer.exit_code == 0 and "Created officer canbo (Nguyễn Văn A)" in officer.output
    assert surveyor.exit_code == 0, surveyor.output
    assert "Created surveyor dtv (dtv) for 21172-T01, 21172-T02" in surveyor.output
    assert "mat-khau-dai" not in surveyor.output  # the prompt hides the password
    user = db.session.scalar(select(User).filter_by(username="dtv"))
    assert user.role is UserRole.SURVEYOR
    assert sorted(u.code for u in user.assigned_units) == ["21172-T01", "21172-T02"]
    assert user.check_password("mat-khau-dai")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["canbo", "--role", "officer", "--password", "mat-khau-dai"], "The username “canbo” is already taken"),
        (["moi", "--role", "officer", "--password", "ngan"], "The password must have at least 8 characters"),
        (["x", "--role", "surveyor", "--unit", "W0", "--password", "12345678"], "--unit: no unit has the code W0"),
        (["x", "--role", "surveyor", "--password", "12345678"], "--unit: a surveyor needs at least one unit"),
        (["x", "--role", "officer", "--unit", "W0", "--password", "12345678"], "--unit: officers have no unit"),
    ],
)
def test_create_user_refuses_clearly(runner, args: list[str], message: str) -> None:
    runner.invoke(args=["create-user", "canbo", "--role", "officer", "--password", "mat-khau-dai"])
    result = runner.invoke(args=["create-user", *args])
    assert result.exit_code == 1
    assert "Error: " in result.output and message in result.output
    assert "Traceback" not in result.output
    assert count(User) == 1


def test_load_units_reports_every_bad_row_and_stores_nothing(runner, tmp_path: Path) -> None:
    bad = tmp_path / "units.csv"
    bad.write_text(
        "code,name,kind,parent_code\nW1,,phường,\nT1,Tổ 1,tổ dân phố,W9\nT1,Tổ 1,tổ dân phố,\n", encoding="utf-8"
    )
    result = runner.invoke(args=["load-units", str(bad)])
    assert result.exit_code == 1
    assert "units.csv: nothing was stored; fix these 3 problem(s):" in result.output
    assert "line 2, column name (''): must not be empty" in result.output
    assert "line 3, column parent_code ('W9'): no unit has this code" in result.output
    assert "line 4, column code ('T1'): already given on line 3" in result.output
    assert "Traceback" not in result.output
    assert count(Unit) == 0
    good = runner.invoke(args=["load-units", str(UNITS_CSV)])
    assert good.exit_code == 0 and "units-seeds.csv: 141 units added, 0 changed, 0 unchanged" in good.output
    again = runner.invoke(args=["load-units", str(UNITS_CSV)])
    assert "0 units added, 0 changed, 141 unchanged" in again.output
    assert count(Unit) == 141


def test_load_units_refuses_a_file_that_is_not_utf8(runner, tmp_path: Path) -> None:
    legacy = tmp_path / "units.csv"
    legacy.write_bytes("code,name,kind,parent_code\nW1,Đông Hà,thi xa,\n".encode("cp1258"))
    result = runner.invoke(args=["load-units", str(legacy)])
    assert result.exit_code == 1 and "line 2" in result.output and "not UTF-8 text" in result.output


def test_load_questionnaires_refuses_a_broken_file_naming_it(runner, tmp_path: Path) -> None:
    for source in FORMS_DIR.glob("SIPAS-2017.*.yaml"):
        (tmp_path / source.name).write_bytes(source.read_bytes())
    (tmp_path / "BAD.v1.yaml").write_text("code: BAD\nversion: 1\npurpose: sipas\n", encoding="utf-8")
    result = runner.invoke(args=["load-questionnaires", "--forms-dir", str(tmp_path)])
    assert result.exit_code == 1
    assert "Error: nothing was stored: BAD.v1.yaml" in result.output and "Traceback" not in result.output
    assert count(Questionnaire) == 0

    loaded = runner.invoke(args=["load-questionnaires", "--forms-dir", str(FORMS_DIR)])
    assert loaded.exit_code == 0 and "SIPAS-2017 v1" in loaded.output
    assert count(Questionnaire) == len(list(FORMS_DIR.glob("*.yaml")))
    again = runner.invoke(args=["load-questionnaires"])  # the app's FORMS_DIR
    assert again.exit_code == 0 and "nothing changed" in again.output


def test_load_questionnaires_refuses_a_folder_without_questionnaires(runner, tmp_path: Path) -> None:
    result = runner.invoke(args=["load-questionnaires", "--forms-dir", str(tmp_path)])
    assert result.exit_code == 1 and "no questionnaire files (*.yaml)" in result.output


def test_load_demo_builds_the_seed_campaigns_and_accounts(app, runner) -> None:
    result = runner.invoke(args=["load-demo"])
    assert result.exit_code == 0, result.output
    passwords = read_demo_accounts(Path(app.config["DEMO_ACCOUNTS_FILE"]))
    assert set(passwords) == set(PUBLISHED_DEMO_PASSWORDS) | {account[0] for account in DEMO_ROUND_ACCOUNTS}
    for username, password in passwords.items():
        assert f"{username} / {password}" in result.output
    campaigns = {campaign.name: campaign for campaign in db.session.scalars(select(Campaign))}
    assert set(campaigns) == {SEED_000, SIPAS_DESK, SEED_001, SIPAS_2026, PAR_2026}
    today = local_today()
    for campaign in campaigns.values():
        assert campaign.status is CampaignStatus.OPEN and campaign.is_collecting_on(today)
    # Past campaigns (2020, 2022) run the forms of their time, whatever newer versions ship.
    for name in (SEED_000, SIPAS_DESK, SEED_001):
        assert {q.version for q in campaigns[name].questionnaires} == {1}

    ward = campaigns[SEED_000]
    assert (ward.year, ward.purpose) == (2022, CampaignPurpose.PAR)
    assert [q.code for q in ward.questionnaires] == ["CX1", "CX4"]
    assert [u.code for u in ward.units] == ["21172", *(f"21172-T{n:02d}" for n in range(1, 13))]
    assert _quotas(ward) == {("CX1", "council_delegate"): (1, 3), ("CX4", "citizen"): (12, 360)}

    desk = campaigns[SIPAS_DESK]
    assert desk.purpose is CampaignPurpose.SIPAS
    assert [q.code for q in desk.questionnaires] == ["SIPAS-2017"]
    assert [u.code for u in desk.units] == ["21172"]

    district = campaigns[SEED_001]
    communes = [u for u in district.units if u.kind in ("xã", "thị trấn")]
    assert (district.year, district.purpose) == (2020, CampaignPurpose.PAR)
    assert [q.code for q in district.questionnaires] == ["CH1", "CH2", "CH3", "CH4", "CX1", "CX2", "CX3", "CX4"]
    assert len([u for u in district.units if u.kind == "phòng chuyên môn"]) == 13
    assert len(communes) == 26  # seed 001 counts 28 communes; the list of 2025 has 26
    assert len(district.units) == 13 + len(communes)
    quotas = _quotas(district)
    assert quotas["CH3", "commune_official"] == (13, 13 * 56)
    assert quotas["CX1", "council_delegate"] == (26, 26 * 15)
    assert quotas["CX4", "*"] == (26, 26 * 30)

    # Today's province: a SIPAS survey at its service centres and agencies, on the national form...
    centres = campaigns[SIPAS_2026]
    assert (centres.year, centres.purpose) == (2026, CampaignPurpose.SIPAS)
    assert [(q.code, q.version) for q in centres.questionnaires] == [("SIPAS-2023", 2)]
    kinds = {unit.code: unit.kind for unit in centres.units}
    assert kinds["51-TTPVHCC"] == "trung tâm phục vụ hành chính công cấp tỉnh"
    assert [code for code, kind in kinds.items() if kind == "cơ quan ngành dọc"] == ["51-BHXH", "51-CA", "51-THUE"]
    assert len([kind for kind in kinds.values() if kind == "trung tâm phục vụ hành chính công cấp xã"]) == 6
    assert all(unit.is_current and unit.valid_from == dt.date(2025, 7, 1) for unit in centres.units)
    # ...whose answers record the centre or agency that handled the dossier, and a PAR
    # survey of today's communes (on the forms of today), directly under the province.
    assert {
        unit.id
        for unit in db.session.scalars(
            select(Unit).join(Response, Response.unit_id == Unit.id).where(Response.campaign_id == centres.id)
        )
    } == {unit.id for unit in centres.units}
    communes = campaigns[PAR_2026]
    assert [q.code for q in communes.questionnaires] == ["XA1", "XA2", "XA3", "XA4"]
    assert [(u.code, u.parent.code) for u in communes.units] == [
        (code, "51") for code in ("21025", "21040", "21172", "21220", "21548", "23293")
    ]
    assert _quotas(communes)["XA3", "citizen"] == (6, 6 * 30)
    # The ward of the 2022 campaigns is the ward of its time, under Quảng Ngãi city.
    assert ward.units[0].parent.code == "522" and ward.units[0].id != communes.units[2].id

    users = {user.username: user for user in db.session.scalars(select(User))}
    assert users["canbo"].role is UserRole.OFFICER
    assert [u.code for u in users["dtv.truongquangtrong"].assigned_units] == ["21172"]
    assert [u.code for u in users["dtv.botrach"].assigned_units] == ["455"]
    assert all(users[name].check_password(password) for name, password in passwords.items())

    # Today's PAR Index round: the six communes self-assess on the commune set; the ward's staff
    # has an account on today's ward, and an appraiser one to be assigned.
    assert f"Assessment round opened for self-assessment: {DEMO_ROUND_NAME}" in result.output
    # Last year's round of the same communes is closed and published (tests/web/test_demo_rounds.py).
    assert f"Assessment round closed, its index published: {DEMO_PAST_ROUND_NAME}" in result.output
    assessment_round = db.session.scalar(select(AssessmentRound).filter_by(name=DEMO_ROUND_NAME))
    assert (assessment_round.name, assessment_round.year) == (DEMO_ROUND_NAME, 2026)
    assert (assessment_round.criteria_set.code, assessment_round.criteria_set.version) == ("CCHC-XA", 1)
    assert assessment_round.stage is RoundStage.SELF_ASSESSMENT and assessment_round.self_assessment_due_on > today
    assessed = db.session.scalars(select(SelfAssessment).filter_by(round_id=assessment_round.id)).all()
    assert sorted(assessment.unit.code for assessment in assessed) == sorted(DEMO_COMMUNES)
    assert users["donvi.truongquangtrong"].role is UserRole.UNIT
    assert users["donvi.truongquangtrong"].assessed_unit_id == communes.units[2].id  # today's ward
    assert users["tdv.sonoivu"].role is UserRole.APPRAISER


def test_load_demo_twice_changes_nothing(runner) -> None:
    assert runner.invoke(args=["load-demo"]).exit_code == 0
    models = (
        Unit,
        Questionnaire,
        Campaign,
        QuotaCell,
        User,
        Response,
        AuditEntry,
        AssessmentRound,
        SelfAssessment,
        SelfScore,
        AppraisalScore,
        Explanation,
        Publication,
    )
    before = [count(model) for model in models]
    again = runner.invoke(args=["load-demo"])
    assert again.exit_code == 0 and "The demo is already loaded; nothing changed." in again.output
    assert [count(model) for model in models] == before


def test_load_demo_refuses_a_questionnaire_changed_under_its_version_and_stores_nothing(app, runner, tmp_path) -> None:
    assert runner.invoke(args=["load-questionnaires"]).exit_code == 0
    for source in FORMS_DIR.glob("*.yaml"):
        (tmp_path / source.name).write_bytes(source.read_bytes())
    changed = yaml.safe_load((tmp_path / "CX1.v1.yaml").read_text(encoding="utf-8"))
    changed["title"] = "Tiêu đề đã sửa"
    (tmp_path / "CX1.v1.yaml").write_text(yaml.safe_dump(changed, allow_unicode=True), encoding="utf-8")
    app.config["FORMS_DIR"] = str(tmp_path)
    result = runner.invoke(args=["load-demo"])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "the demo was not loaded: CX1.v1.yaml: version 1 of CX1 is already stored" in result.output
    assert [count(model) for model in (Unit, Campaign, User)] == [0, 0, 0]


def _quotas(campaign: Campaign) -> dict[tuple[str, str], tuple[int, int]]:
    """(questionnaire, group) → (cells, forms) of the campaign's quotas."""
    totals: dict[tuple[str, str], tuple[int, int]] = {}
    for cell in db.session.scalars(select(QuotaCell).filter_by(campaign_id=campaign.id)):
        cells, forms = totals.get((cell.questionnaire.code, cell.respondent_group), (0, 0))
        totals[cell.questionnaire.code, cell.respondent_group] = (cells + 1, forms + cell.target)
    return totals


def test_create_a_units_account_for_exactly_one_unit(runner) -> None:
    runner.invoke(args=["load-units", str(UNITS_CSV)])
    for units, message in (
        ([], "--unit: a unit account speaks for exactly one unit"),
        (["--unit", "21172", "--unit", "21172-T01"], "--unit: a unit account speaks for exactly one unit"),
        (["--unit", "W0"], "--unit: no unit has the code W0"),
    ):
        result = runner.invoke(args=["create-user", "tqt", "--role", "unit", *units, "--password", "mat-khau-dai"])
        assert result.exit_code == 1 and f"Error: {message}" in result.output
    assert count(User) == 0
    result = runner.invoke(
        args=["create-user", "tqt", "--role", "unit", "--unit", "21172", "--password", "mat-khau-dai"]
    )
    assert result.exit_code == 0, result.output
    assert "Created unit tqt (tqt) for 21172" in result.output
    user = db.session.scalar(select(User).filter_by(username="tqt"))
    assert user.role is UserRole.UNIT and user.assessed_unit.code == "21172" and user.assigned_units == []
