"""The audit log: officers' changes, imports and exports are recorded, shown, never pruned."""

from __future__ import annotations

from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import AuditAction, AuditEntry
from tests.helpers import csrf_token_of
from tests.web.test_results import sipas_csv, upload


def actions() -> list[tuple[str, str, int | None]]:
    entries = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))
    return [(entry.actor, entry.action.value, entry.campaign_id) for entry in entries]


def test_an_officers_changes_imports_and_exports_are_logged_and_listed(client, auth, officer, make_campaign, ward):
    campaign = make_campaign(["SIPAS-2017"], [ward])
    auth.login("canbo")
    token = csrf_token_of(client.get(f"/admin/campaigns/{campaign.id}").get_data(as_text=True))
    client.post(f"/admin/campaigns/{campaign.id}/close", data={"csrf_token": token})
    upload(
        client, f"/admin/campaigns/{campaign.id}/import", "responses-responses_file", "giay.csv", sipas_csv([{}] * 3)
    )
    download = client.get(f"/admin/campaigns/{campaign.id}/export/responses/SIPAS-2017.csv")
    assert actions()[-1][1] != "exported", "an export is recorded once it has been sent whole"
    download.get_data()
    assert actions() == [
        ("canbo", "campaign_closed", campaign.id),
        ("canbo", "responses_imported", campaign.id),
        ("canbo", "exported", campaign.id),
    ]
    imported = db.session.scalar(select(AuditEntry).where(AuditEntry.action == AuditAction.RESPONSES_IMPORTED))
    assert imported.details == {"file": "giay.csv", "stored": {"SIPAS-2017": 3}}

    page = client.get(f"/admin/audit?campaign={campaign.id}").get_data(as_text=True)
    assert "Kết thúc đợt điều tra" in page and "Nhập phiếu từ tệp" in page and "giay.csv" in page
    assert "Tải tệp số liệu" in page


def test_a_refused_import_changes_nothing_and_logs_nothing(client, auth, officer, make_campaign, ward):
    campaign = make_campaign(["SIPAS-2017"], [ward])
    auth.login("canbo")
    upload(
        client, f"/admin/campaigns/{campaign.id}/import", "responses-responses_file", "x.csv", sipas_csv([{"C1_1": 9}])
    )
    assert actions() == []


def test_commands_are_logged_as_cli(runner, make_campaign, ward, tmp_path):
    campaign = make_campaign(["SIPAS-2017"], [ward])
    result = runner.invoke(
        args=["create-user", "dtv9", "--role", "surveyor", "--unit", ward.code, "--password", "mat-khau-9999"]
    )
    assert result.exit_code == 0, result.output
    assert runner.invoke(args=["export-results", str(campaign.id), "--output", str(tmp_path)]).exit_code == 0
    assert actions() == [("cli", "user_created", None), ("cli", "exported", campaign.id)]


def test_no_page_can_edit_or_delete_the_log(app):
    for rule in app.url_map.iter_rules():
        if "audit" in rule.rule:
            assert rule.methods <= {"GET", "HEAD", "OPTIONS"}, rule
