"""An officer follows a round's gap report and its departments' pages from the round's page,
downloads the report and the scoring tables, and the pages pass axe on a phone and a desktop."""

from __future__ import annotations

import openpyxl

from tests.browser.conftest import audit_accessibility, log_in, save_screenshot
from tests.web.test_round_gaps import make_small_round


def test_an_officer_reads_the_gap_report_and_a_departments_items(
    live_server, screen, device, axe_js, officer, ward, unit_account, tmp_path
) -> None:
    small_round = make_small_round(tmp_path, ward, unit_account)
    log_in(screen, live_server, "canbo")
    screen.goto(f"{live_server}/admin/rounds/{small_round.id}")
    screen.get_by_role("link", name="Báo cáo điểm bị mất").click()
    assert screen.locator("h1").inner_text() == "Báo cáo điểm bị mất"
    first = screen.locator("tbody tr").first.inner_text()
    assert "1.1.1. Ban hành kế hoạch" in first and "Phường Thạch Thang" in first and "1,5" in first
    save_screenshot(screen, f"officer-{device}-round-gaps")
    audit_accessibility(screen, axe_js)
    with screen.expect_download() as download:
        screen.get_by_role("link", name="Tải báo cáo (.xlsx)").click()
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    rows = list(openpyxl.load_workbook(path).worksheets[0].values)
    assert rows[1][:3] == ("1.1.1", "Ban hành kế hoạch", "21173")

    screen.goto(f"{live_server}/admin/rounds/{small_round.id}")
    screen.get_by_role("link", name="Cơ quan phụ trách tiêu chí").click()
    audit_accessibility(screen, axe_js)
    screen.get_by_role("link", name="Văn hóa - Thông tin").click()
    assert screen.locator("h1").inner_text() == "Văn hóa - Thông tin"
    assert "Có bài viết trên Trang thông tin điện tử" in screen.inner_text("main")
    save_screenshot(screen, f"officer-{device}-round-department")
    audit_accessibility(screen, axe_js)

    screen.goto(f"{live_server}/admin/rounds/{small_round.id}")
    with screen.expect_download() as download:
        screen.get_by_role("link", name="Biểu tổng hợp điểm các đơn vị (.xlsx)").click()
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    assert openpyxl.load_workbook(path).sheetnames[0] == "Tổng hợp"
