"""The audit log: officers' changes, imports and exports are recorded, shown, never pruned."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from sqlalchemy import select

from surveyapp.demo import UNITS_CSV
from surveyapp.extensions import db
from surveyapp.models import AuditAction, AuditEntry, CampaignPurpose, UserRole
from surveyapp.services.campaigns import CampaignDraft, close_campaign, create_campaign, open_campaign
from surveyapp.services.remuneration import set_rates
from surveyapp.services.units import import_units_csv
from surveyapp.services.users import create_user
from tests.helpers import csrf_token_of
from tests.web.test_results import sipas_csv, upload
from tests.web.test_served_downloads import Officer, read_csv


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


def test_each_verb_records_itself_whoever_calls_it(app, questionnaires, ward):
    """Called straight, as a command or a later API would, the verbs leave the same trail."""
    today = dt.date.today()
    campaign = create_campaign(
        CampaignDraft(
            name="Đợt ghi nhật ký",
            year=today.year,
            purpose=CampaignPurpose.SIPAS,
            opens_on=today,
            closes_on=today,
            questionnaire_ids=[questionnaires["SIPAS-2017"].id],
            unit_ids=[ward.id],
        )
    )
    open_campaign(campaign)
    set_rates(campaign, 12_000, 250_000)
    close_campaign(campaign)
    create_user(username="dtv9", full_name="", password="mat-khau-9999", role=UserRole.SURVEYOR, units=[ward])
    import_units_csv(UNITS_CSV)
    db.session.commit()
    assert [action for _actor, action, _campaign in actions()] == [
        "campaign_created",
        "campaign_opened",
        "rates_saved",
        "campaign_closed",
        "user_created",
        "units_loaded",
    ]
    *_, created, loaded = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))
    assert created.details == {"username": "dtv9", "role": "surveyor", "units": [ward.code]}
    assert (loaded.details["file"], loaded.details["added"]) == ("units-seeds.csv", 137)  # 4 made by the fixtures


def test_no_page_can_edit_or_delete_the_log(app):
    for rule in app.url_map.iter_rules():
        if "audit" in rule.rule:
            assert rule.methods <= {"GET", "HEAD", "OPTIONS"}, rule


def entry(action: AuditAction, at: dt.datetime, actor: str = "canbo", campaign_id: int | None = None) -> AuditEntry:
    added = AuditEntry(at=at, actor=actor, action=action, campaign_id=campaign_id, details={})
    db.session.add(added)
    return added


def older_link(page: str) -> str | None:
    """The address of the audit page's "older" link, if it has one."""
    found = re.search(r'href="([^"]+)">Cũ hơn', page)
    return html.unescape(found.group(1)) if found else None


def test_a_purge_stays_findable_after_510_downloads(client, auth, officer, make_campaign, ward):
    campaign = make_campaign(["SIPAS-2017"], [ward])
    entry(AuditAction.CONTACTS_PURGED, dt.datetime.now(dt.UTC), campaign_id=campaign.id)
    db.session.commit()
    auth.login("canbo")
    for _ in range(510):
        client.get(f"/admin/campaigns/{campaign.id}/import/template/SIPAS-2017.csv").get_data()

    first = client.get("/admin/audit").get_data(as_text=True)
    assert "511 thao tác phù hợp" in first
    assert first.count("Tải tệp số liệu</td>") == 100 and "Xóa thông tin liên hệ</td>" not in first

    filtered = client.get("/admin/audit?action=contacts_purged").get_data(as_text=True)
    assert "1 thao tác phù hợp" in filtered and "Xóa thông tin liên hệ</td>" in filtered

    pages, address = [first], older_link(first)
    while address is not None:
        pages.append(client.get(address).get_data(as_text=True))
        address = older_link(pages[-1])
    assert len(pages) == 6
    assert "Xóa thông tin liên hệ</td>" in pages[-1] and pages[-1].count("Tải tệp số liệu</td>") == 10
    newer = re.search(r'href="([^"]+)">← Mới hơn', pages[-1])
    assert newer and client.get(html.unescape(newer.group(1))).get_data(as_text=True) == pages[-2]


def test_filters_narrow_the_log_by_action_user_campaign_and_local_dates(client, auth, officer):
    # 17:30 UTC on 1 August is 00:30 on 2 August in Vietnam (UTC+7).
    late = dt.datetime(2025, 8, 1, 17, 30, tzinfo=dt.UTC)
    entry(AuditAction.EXPORTED, late - dt.timedelta(days=1), actor="thongke", campaign_id=8)
    entry(AuditAction.CAMPAIGN_CLOSED, late, actor="canbo", campaign_id=7)
    entry(AuditAction.USER_CREATED, late + dt.timedelta(days=1), actor="cli")
    db.session.commit()
    auth.login("canbo")

    def rows(query: str) -> list[str]:
        page = client.get(f"/admin/audit?{query}")
        assert page.status_code == 200
        return re.findall(r"<tr><td>([^<]+)</td><td>([^<]+)</td>", page.get_data(as_text=True))

    assert rows("") == [
        ("03/08/2025 00:30:00", "cli"),
        ("02/08/2025 00:30:00", "canbo"),
        ("01/08/2025 00:30:00", "thongke"),
    ]
    assert "Asia/Ho_Chi_Minh, UTC+07:00" in client.get("/admin/audit").get_data(as_text=True)
    assert rows("action=exported") == [("01/08/2025 00:30:00", "thongke")]
    assert rows("actor=canbo") == [("02/08/2025 00:30:00", "canbo")]
    assert rows("campaign=8") == [("01/08/2025 00:30:00", "thongke")]
    assert rows("since=2025-08-02&until=2025-08-02") == [("02/08/2025 00:30:00", "canbo")]
    assert rows("since=02/08/2025") == [("03/08/2025 00:30:00", "cli"), ("02/08/2025 00:30:00", "canbo")]
    assert rows("until=2025-08-01") == [("01/08/2025 00:30:00", "thongke")]
    assert rows("actor=canbo&action=exported") == []


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("action=deleted", "Thao tác đã chọn không có trong danh sách"),
        ("campaign=abc", "Mã số đợt phải là một số nguyên dương"),
        ("campaign=99999999999999999999", "Mã số đợt phải là một số nguyên dương"),
        ("since=31/02/2025", "Từ ngày không hợp lệ"),
        ("until=hom-qua", "Đến ngày không hợp lệ"),
        ("since=2025-08-02&until=2025-08-01", "“Đến ngày” phải sau hoặc trùng “Từ ngày”"),
        ("actor=" + "x" * 81, "Tên đăng nhập dài tối đa 80 ký tự"),
    ],
)
def test_a_bad_filter_is_explained_and_not_exported(client, auth, officer, query, message):
    auth.login("canbo")
    page = client.get(f"/admin/audit?{query}")
    assert page.status_code == 400 and message in page.get_data(as_text=True)
    export = client.get(f"/admin/audit.csv?{query}")
    assert export.status_code == 302 and export.headers["Location"].startswith("/admin/audit?")
    assert actions() == []


def test_the_filtered_log_downloads_from_gunicorn_in_local_time(live_server, officer, make_campaign, ward):
    campaign = make_campaign(["SIPAS-2017"], [ward])
    entry(
        AuditAction.CONTACTS_PURGED, dt.datetime(2025, 8, 1, 17, 30, tzinfo=dt.UTC), "=cmd|' /C calc'!A0", campaign.id
    )
    for minute in range(1500):  # more than one batch of the stream
        entry(AuditAction.EXPORTED, dt.datetime(2025, 8, 3, 1, 0, tzinfo=dt.UTC) + dt.timedelta(minutes=minute))
    db.session.commit()
    served = Officer(live_server)

    rows = read_csv(served.get("/admin/audit.csv?action=contacts_purged")[1])
    assert rows == [
        ["Thời điểm (giờ Asia/Ho_Chi_Minh, UTC+07:00)", "Người thực hiện", "Thao tác", "Đợt", "Chi tiết"],
        ["2025-08-02 00:30:00", "'=cmd|' /C calc'!A0", "Xóa thông tin liên hệ", str(campaign.id), ""],
    ]
    everything = read_csv(served.get("/admin/audit.csv")[1])
    assert len(everything) == 1 + 1501 + 1  # the first download is in the log too
    assert everything[1][2] == "Tải tệp số liệu" and everything[-1][2] == "Xóa thông tin liên hệ"
    times = [row[0] for row in everything[2:-1]]
    assert times == sorted(times, reverse=True)
