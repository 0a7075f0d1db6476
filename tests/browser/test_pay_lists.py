"""An officer on a phone reads the payment list and prints the sign-off sheet on A4."""

from __future__ import annotations

import re

from tests.browser.conftest import audit_accessibility, log_in, save_screenshot
from tests.web.test_remuneration import _collect

PAGE_OBJECT = re.compile(rb"/Type\s*/Page(?!s)")


def test_an_officer_reads_the_payment_list_and_prints_the_sign_off_sheet(
    app, client, live_server, phone, axe_js, officer, surveyor, make_campaign, ward
) -> None:
    """Tổ dân phố 1 has 2 paper forms and 1 interview (paid in person: 3 lines of 10.000 đ) and
    a desk form; Tổ dân phố 2 a desk form only (no sheet)."""
    campaign = make_campaign(["CX4"], [*ward.children])
    _collect(app, client, campaign)
    log_in(phone, live_server, "canbo")
    phone.goto(f"{live_server}/admin/campaigns/{campaign.id}/remuneration")
    assert phone.get_by_role("heading", name="Chi tiết theo đơn vị").is_visible()
    assert "Điều tra viên 1" in phone.locator("main").inner_text()
    audit_accessibility(phone, axe_js)
    save_screenshot(phone, "pay-lists-phone")

    phone.get_by_role("link", name="In danh sách ký nhận").click()
    sheets = phone.locator("section.sheet")
    assert sheets.count() == 1
    assert sheets.first.locator("tbody tr").count() == 3
    assert "Tổng cộng (3 phiếu)" in sheets.first.inner_text()
    audit_accessibility(phone, axe_js)
    phone.emulate_media(media="print")
    pdf = phone.pdf(format="A4")
    assert len(PAGE_OBJECT.findall(pdf)) == 1, "one unit, one A4 page"
