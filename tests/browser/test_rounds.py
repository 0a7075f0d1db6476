"""An officer runs a round's self-assessment in a browser: creates the round, opens
self-assessment, assigns an appraiser, sees the units still missing and downloads the reminder
list; axe-core checks each page, on a phone and a desktop."""

from __future__ import annotations

import csv
import datetime as dt
import io

from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import AppraiserAssignment, AssessmentRound, AuditAction, AuditEntry, Unit
from tests.browser.conftest import audit_accessibility, log_in, save_screenshot
from tests.web.test_appraisal import appraiser_account


def test_an_officer_opens_a_round_assigns_an_appraiser_and_downloads_the_reminder_list(
    live_server, screen, device, axe_js, officer, criteria_sets, ward, unit_account
) -> None:
    appraiser_account("tdv1", "Thẩm định viên Một")
    due = dt.date.today() + dt.timedelta(days=7)
    log_in(screen, live_server, "canbo")
    screen.goto(f"{live_server}/admin/rounds/new")
    audit_accessibility(screen, axe_js)
    screen.get_by_label("Tên kỳ đánh giá").fill("Chỉ số CCHC phường năm nay")
    screen.get_by_label("Bộ chỉ số").select_option(label=f"CCHC-XA v1 — {criteria_sets['CCHC-XA'].title}")
    screen.get_by_label("Đơn vị tổ chức đánh giá").select_option(label="Phường Trương Quang Trọng (phường)")
    screen.get_by_label("Ngày bắt đầu tự đánh giá").fill(f"{dt.date.today():%Y-%m-%d}")
    screen.get_by_label("Hạn tự đánh giá").fill(f"{due:%Y-%m-%d}")
    screen.get_by_role("button", name="Tạo kỳ đánh giá").click()
    assert "Đã tạo kỳ đánh giá." in screen.locator(".flash-success").inner_text()

    screen.get_by_role("button", name="Mở tự đánh giá").click()
    assert "Đã mở tự đánh giá." in screen.locator(".flash-success").inner_text()
    missing = screen.locator("#missing + p + p + form")
    assert "Đơn vị chưa gửi bản tự đánh giá (1)" in screen.locator("#missing").inner_text()
    row = screen.locator("tr", has_text="Phường Trương Quang Trọng").last
    assert "Văn phòng phường (phuong)" in row.inner_text() and "còn 7 ngày" in row.inner_text()
    assert "Chưa nhắc" in row.inner_text()
    audit_accessibility(screen, axe_js)

    screen.get_by_label("Thẩm định viên").select_option(label="Thẩm định viên Một (tdv1)")
    screen.get_by_label("Đơn vị", exact=True).select_option(label="21172 — Phường Trương Quang Trọng")
    screen.get_by_role("button", name="Phân công", exact=True).click()
    assert "Đã phân công Thẩm định viên Một thẩm định" in screen.locator(".flash-success").inner_text()

    with screen.expect_download() as download_info:
        screen.get_by_role("link", name="Tải danh sách nhắc (CSV)").click()
    download = download_info.value
    assert download.suggested_filename.startswith("nhac-tu-danh-gia-ky-")
    rows = list(csv.reader(io.StringIO(download.path().read_text(encoding="utf-8-sig"))))
    assert rows[0][:3] == ["Mã đơn vị", "Đơn vị", "Tình trạng"] and rows[1][:3] == [
        "21172",
        "Phường Trương Quang Trọng",
        "Chưa bắt đầu",
    ]

    missing.get_by_role("button", name="Ghi nhận đã nhắc các đơn vị được đánh dấu").click()
    assert "Đã ghi nhận nhắc 1 đơn vị." in screen.locator(".flash-success").inner_text()
    assert "Chưa nhắc" not in screen.locator("tr", has_text="Phường Trương Quang Trọng").last.inner_text()
    audit_accessibility(screen, axe_js)
    save_screenshot(screen, f"officer-{device}-round-reminders")
    db.session.rollback()
    assessment_round = db.session.scalar(select(AssessmentRound))
    assert db.session.scalar(select(AppraiserAssignment)).unit == db.session.get(Unit, ward.id)
    assert db.session.scalar(select(AuditEntry).filter_by(action=AuditAction.REMINDERS_SENT)).details == {
        "round_id": assessment_round.id,
        "units": ["21172"],
    }
