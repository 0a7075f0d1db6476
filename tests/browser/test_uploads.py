"""An officer uploads a real frame of 100,000 rows (about 9 MB) and watches it go up."""

from __future__ import annotations

from sqlalchemy import func, select

from surveyapp.extensions import db
from surveyapp.models import FrameContact
from tests.browser.conftest import DEVICES, log_in, save_screenshot
from tests.web.test_hostile_uploads import csv_file, frame_row

UPLOAD_BYTES_PER_SECOND = 3 * 1024 * 1024  # a good office line: the upload takes a few seconds


def test_a_multi_megabyte_frame_uploads_with_a_progress_bar_and_imports(
    live_server, chromium_browser, make_campaign, ward, officer
) -> None:
    campaign = make_campaign(["CX4"], list(ward.children))
    units = ["21172-T01", "21172-T02", "21172-T03"]
    data = csv_file(frame_row(n, units[n % 3]) for n in range(100_000))
    assert len(data) > 8 * 1024 * 1024
    context = chromium_browser.new_context(**DEVICES["desktop"], locale="vi-VN")
    page = context.new_page()
    try:
        throttle = context.new_cdp_session(page)
        throttle.send("Network.enable")
        throttle.send(
            "Network.emulateNetworkConditions",
            {"offline": False, "latency": 20, "downloadThroughput": -1, "uploadThroughput": UPLOAD_BYTES_PER_SECOND},
        )
        log_in(page, live_server, "canbo")
        page.goto(f"{live_server}/admin/campaigns/{campaign.id}/sample")
        bar = page.locator(".upload-progress")
        assert bar.is_hidden(), "the bar shows only while a file is sent"
        page.get_by_label("Tệp danh sách hồ sơ đã trả kết quả (.csv hoặc .xlsx)").set_input_files(
            {"name": "khung.csv", "mimeType": "text/csv", "buffer": data}
        )
        page.get_by_role("button", name="Nhập khung chọn mẫu").click()

        label = page.locator(".upload-progress .progress-label")
        label.filter(has_text="MB)").wait_for(timeout=10_000)
        sending = label.inner_text()
        assert sending.startswith("Đang tải tệp lên: ") and "%" in sending, sending
        save_screenshot(page, "officer-desktop-upload-progress")
        percent = int(page.locator(".upload-progress progress").get_attribute("value") or 0)
        assert 0 <= percent < 100

        # The server's answer replaces the page (whose own bar is hidden) once the import ends.
        page.wait_for_function("() => !document.querySelector('.upload-progress:not([hidden])')", timeout=120_000)
        assert "Đã nhập 100.000 hồ sơ" in page.inner_text("body"), page.inner_text("body")[:2000]
        assert page.url == f"{live_server}/admin/campaigns/{campaign.id}/sample"
        save_screenshot(page, "officer-desktop-upload-done")
    finally:
        context.close()
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(FrameContact)) == 100_000
