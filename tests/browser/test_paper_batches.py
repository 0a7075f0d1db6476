"""A paper batch's life in Chromium: reloading the print page prints nothing more; the officer
records hand-out and returns on a phone; a matrix questionnaire prints as a grid on A4."""

from __future__ import annotations

import re

from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import PaperBatch, Unit
from tests.browser.conftest import audit_accessibility, log_in, save_screenshot

PAGE_OBJECT = re.compile(rb"/Type\s*/Page(?!s)")


def batches() -> list[PaperBatch]:
    db.session.expire_all()
    return list(db.session.scalars(select(PaperBatch).order_by(PaperBatch.number)))


def test_reloading_the_print_page_prints_no_second_batch(
    live_server, phone, axe_js, surveyor, make_campaign, ward
) -> None:
    campaign = make_campaign(["CX4"], [ward, *ward.children])
    log_in(phone, live_server, "dtv1")
    phone.goto(f"{live_server}/field/paper/{campaign.id}/CX4/21172-T01")
    phone.get_by_label("Số phiếu cần in").fill("2")
    with phone.expect_navigation():
        phone.get_by_role("button", name="In lô phiếu").click()
    assert phone.locator("section.sheet").count() == 2

    phone.on("dialog", lambda dialog: dialog.accept())  # "Confirm form resubmission", if asked
    phone.reload()

    assert phone.get_by_role("heading", name=re.compile(r"Lô số 1 đã được in lúc \d\d:\d\d")).is_visible()
    assert phone.locator("section.sheet").count() == 0
    audit_accessibility(phone, axe_js)
    assert [batch.number for batch in batches()] == [1]
    phone.get_by_role("button", name="Hủy lô").click()
    assert "Đã hủy lô số 1" in phone.locator(".flash-success").inner_text()
    assert batches()[0].void_reason == "Chưa in được trang in của lô"
    assert "Lô số 1: 2 phiếu" in phone.locator("ul.batches").inner_text()  # the unit's batches, voided
    audit_accessibility(phone, axe_js)


def test_an_officer_records_a_batch_handed_out_and_returned_on_a_phone(
    live_server, phone, axe_js, officer, make_campaign, ward
) -> None:
    campaign = make_campaign(["CX4"], [ward, *ward.children])
    log_in(phone, live_server, "canbo")
    for forms in ("10", "4"):
        phone.goto(f"{live_server}/field/paper/{campaign.id}/CX4/21172-T01")
        phone.get_by_label("Số phiếu cần in").fill(forms)
        with phone.expect_navigation():
            phone.get_by_role("button", name="In lô phiếu").click()
    phone.goto(f"{live_server}/admin/campaigns/{campaign.id}/paper-forms")

    batch = phone.locator("#lo-1")
    batch.get_by_text("Ghi phát, thu lô 1").click()
    batch.get_by_label("Số phiếu đã phát (tối đa 10)").fill("8")
    batch.get_by_label("Phát cho (không bắt buộc, ví dụ tên điều tra viên)").fill("Nguyễn Văn An")
    batch.get_by_label("Số phiếu đã thu về").fill("5")
    batch.get_by_role("button", name="Lưu").click()

    assert "Đã ghi số phiếu đã phát, đã thu về của lô số 1." in phone.locator(".flash-success").inner_text()
    assert "Toàn đợt: đã in 14 phiếu, đã phát 8, đã thu về 5" in phone.locator("main").inner_text()
    audit_accessibility(phone, axe_js)
    save_screenshot(phone, "paper-batches-officer-phone")


def test_a_matrix_batch_prints_each_form_as_a_grid_within_a4(
    live_server, phone, axe_js, surveyor, make_campaign
) -> None:
    district = Unit(code="D99", name="Huyện Thử", kind="huyện")
    district.children.extend(
        Unit(code=f"D99-P{n:02d}", name=f"Phòng Tài nguyên và Môi trường {n}", kind="phòng chuyên môn")
        for n in range(1, 13)
    )
    db.session.add(district)
    surveyor.assigned_units.append(district)
    campaign = make_campaign(["CH3"], list(district.children))
    log_in(phone, live_server, "dtv1")
    phone.goto(f"{live_server}/field/enter/{campaign.id}/CH3")
    phone.get_by_role("link", name="In lô phiếu giấy").click()
    audit_accessibility(phone, axe_js)
    phone.get_by_label("Số phiếu cần in").fill("2")
    with phone.expect_navigation():
        phone.get_by_role("button", name="In lô phiếu").click()

    sheets = phone.locator("section.sheet")
    assert sheets.count() == 2
    grid = sheets.first.locator("table.grid").first
    assert grid.locator("tbody tr").count() == 12
    save_screenshot(phone, "paper-forms-matrix-print")
    phone.emulate_media(media="print")
    sheet_width = sheets.first.bounding_box()["width"]
    assert all(table.bounding_box()["width"] <= sheet_width for table in sheets.first.locator("table.grid").all())
    pdf = phone.pdf(format="A4")
    pages = len(PAGE_OBJECT.findall(pdf))
    print(f"2 paper forms of CH3 about 12 departments print on {pages} A4 pages")
    assert pages % 2 == 0, "each form starts on a page of its own"
