"""The PDF files of the sign-off sheets, the payment list and a batch of paper forms: each is its
print page rendered by WeasyPrint, downloaded as an attachment."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import AuditAction, AuditEntry, PaperBatch
from tests.test_pdf import A4, read_pdf, without_weasyprint  # noqa: F401 (a fixture)
from tests.web.test_paper_forms import print_forms, printed_serials
from tests.web.test_remuneration import _collect


@pytest.fixture
def ward_campaign(make_campaign, ward):
    """An open CX4 campaign (12 questions: 50 forms in one PDF) over the ward and its groups."""
    return make_campaign(["CX4"], [ward, *ward.children])


def exports() -> list[str]:
    return [
        e.details["file"]
        for e in db.session.scalars(select(AuditEntry).filter_by(action=AuditAction.EXPORTED).order_by(AuditEntry.id))
    ]


def pdf_attachment(response) -> bytes:
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment; filename=")
    assert response.headers["Cache-Control"] == "no-store"
    return response.get_data()


@pytest.mark.pdf
def test_the_sign_off_sheets_come_as_an_a4_pdf_one_numbered_line_per_form(
    app, client, auth, officer, surveyor, make_campaign, ward
) -> None:
    campaign = make_campaign(["CX4"], [*ward.children])
    _collect(app, client, campaign)
    auth.login("canbo")

    download = client.get(f"/admin/campaigns/{campaign.id}/remuneration/sign-off.pdf")
    sizes, text = read_pdf(pdf_attachment(download))

    assert re.fullmatch(
        rf"attachment; filename=ky-nhan-dot-{campaign.id}-\d{{4}}-\d{{8}}\.pdf", download.headers["Content-Disposition"]
    )
    assert sizes == [A4]  # Tổ dân phố 1's sheet; Tổ dân phố 2 has no form paid in person
    assert "DANH SÁCH KÝ NHẬN THÙ LAO TRẢ LỜI PHIẾU ĐIỀU TRA" in text
    assert "Đơn vị: Tổ dân phố 1 (21172-T01)" in text and "Tổ dân phố 2" not in text
    assert re.findall(r"^([123]) 10.000$", text, re.MULTILINE) == ["1", "2", "3"]
    assert "Tổng cộng (3 phiếu) 30.000" in text and "Thủ trưởng đơn vị" in text
    assert "…………, ngày …… tháng …… năm ……" in text  # where and when it is signed, by hand
    assert "Quay lại" not in text, "the print page's screen-only line is not printed"
    assert exports() == [download.headers["Content-Disposition"].partition("filename=")[2]]


@pytest.mark.pdf
def test_the_payment_list_comes_as_a_print_page_and_an_a4_landscape_pdf(
    app, client, auth, officer, surveyor, make_campaign, ward
) -> None:
    campaign = make_campaign(["CX4"], [*ward.children])
    _collect(app, client, campaign)
    auth.login("canbo")

    page = client.get(f"/admin/campaigns/{campaign.id}/remuneration/print").get_data(as_text=True)
    assert "payment_list.css" in page and "BẢNG THÙ LAO ĐIỀU TRA" in page
    assert '<td>Tổ dân phố 1</td><td class="num">4</td><td class="num">40.000</td><td class="num">200.000</td>' in page
    download = client.get(f"/admin/campaigns/{campaign.id}/remuneration.pdf")
    sizes, text = read_pdf(pdf_attachment(download))

    assert set(sizes) == {A4[::-1]}
    assert "Tổ dân phố 1 4 40.000 200.000 240.000" in text and "Tổ dân phố 2 1 10.000 200.000 210.000" in text
    assert "Tổng cộng 5 50.000 400.000 450.000" in text
    assert "Điều tra viên 1" in text and "Phiếu giấy 2 20.000" in text and "Chưa phân công" in text
    assert exports() == [download.headers["Content-Disposition"].partition("filename=")[2]]


def test_the_payment_page_offers_each_list_to_print_and_as_xlsx_and_pdf(client, auth, officer, make_campaign, ward):
    campaign = make_campaign(["CX4"], [*ward.children])
    auth.login("canbo")
    html = client.get(f"/admin/campaigns/{campaign.id}/remuneration").get_data(as_text=True)
    base = f"/admin/campaigns/{campaign.id}/remuneration"
    for address, label in (
        (f"{base}/print", "In bảng thù lao"),
        (f"{base}.xlsx", "Tải bảng thù lao (.xlsx)"),
        (f"{base}.pdf", "Tải bảng thù lao (.pdf)"),
        (f"{base}/sign-off", "In danh sách ký nhận"),
        (f"{base}/sign-off.xlsx", "Tải danh sách ký nhận (.xlsx)"),
        (f"{base}/sign-off.pdf", "Tải danh sách ký nhận (.pdf)"),
    ):
        assert f'href="{address}">{label}</a>' in html


@pytest.mark.pdf
def test_a_batch_of_paper_forms_comes_as_a_pdf_with_its_serials_once(client, auth, surveyor, ward_campaign) -> None:
    auth.login("dtv1")
    form = client.get(f"/field/paper/{ward_campaign.id}/CX4/21172-T01").get_data(as_text=True)
    assert '<button class="button" type="submit" name="format" value="pdf"' in form and "Tải PDF" in form
    assert "tối đa 20 phiếu của mẫu này" in form  # CX4: 12 questions, 240 in one PDF

    download = print_forms(client, ward_campaign, forms="3", respondent_group="citizen", format="pdf")
    data = pdf_attachment(download)
    sizes, text = read_pdf(data)

    assert download.headers["Content-Disposition"] == "attachment; filename=phieu-giay-21172-T01-lo-1.pdf"
    serials = re.findall(r"Số sê-ri: (21172-T01-1-[1-3]-[A-Z2-9]{9})", text)
    assert [serial.split("-")[3] for serial in serials] == ["1", "2", "3"]
    assert set(sizes) == {A4} and len(sizes) >= 3  # each form starts a page of its own
    assert text.count("Đơn vị được đánh giá: Tổ dân phố 1 (21172-T01)") == 3
    assert "Nhóm người trả lời: Người dân có giao dịch với UBND cấp xã" in text
    definition = ward_campaign.questionnaires[0].definition
    assert all(question.code in text for question in definition.questions)  # the import template's codes
    assert data.count(b"/Subtype /Image") + data.count(b"/Subtype/Image") == 0, "QR codes are drawn, not images"
    batch = db.session.scalar(select(PaperBatch))
    assert (batch.number, batch.forms) == (1, 3)
    assert exports() == [], "a batch is recorded as printed (its own audit entry), not as an export"


def test_a_batch_over_the_pdf_limit_is_answered_with_its_print_page_and_the_limit(
    client, auth, officer, ward_campaign
) -> None:
    auth.login("canbo")
    page = print_forms(client, ward_campaign, forms="51", format="pdf")

    assert page.status_code == 200 and page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    assert "Tệp PDF chỉ làm được cho lô đến 20 phiếu của mẫu này; lô số 1 có 51 phiếu nên được hiện" in html
    assert len(printed_serials(page)) == 51, "the serials, shown once, are not lost"


@pytest.mark.usefixtures("without_weasyprint")
def test_without_weasyprint_the_service_works_and_each_pdf_says_what_to_do(
    app, client, auth, officer, surveyor, make_campaign, ward
) -> None:
    campaign = make_campaign(["CX4"], [ward, *ward.children])
    _collect(app, client, campaign)
    auth.login("canbo")
    base = f"/admin/campaigns/{campaign.id}/remuneration"
    message = "Máy chủ chưa cài được thư viện tạo tệp PDF (WeasyPrint cần gói Pango của hệ điều hành)."

    for address in (f"{base}.pdf", f"{base}/sign-off.pdf"):
        refused = client.get(address, follow_redirects=True)
        assert refused.request.path == base and message in refused.get_data(as_text=True)
    assert client.get(f"{base}/sign-off").status_code == client.get(f"{base}/print").status_code == 200
    assert exports() == []

    page = print_forms(client, campaign, forms="2", format="pdf")
    assert page.mimetype == "text/html" and message in page.get_data(as_text=True)
    assert len(printed_serials(page)) == 2


@pytest.mark.pdf
def test_a_list_longer_than_a_pdf_holds_is_refused_naming_the_limit(
    app, client, auth, officer, surveyor, make_campaign, ward
) -> None:
    campaign = make_campaign(["CX4"], [*ward.children])
    _collect(app, client, campaign)
    auth.login("canbo")
    base = f"/admin/campaigns/{campaign.id}/remuneration"
    app.config["PDF_MAX_LINES"] = 7

    refused = client.get(f"{base}.pdf", follow_redirects=True)
    # Tổ dân phố 1: its total, 3 lines and its subtotal; Tổ dân phố 2: its total, 1 line and its subtotal.
    assert refused.request.path == base
    assert "Tệp PDF chỉ làm được cho danh sách đến 7 dòng; danh sách này có 8 dòng." in refused.get_data(as_text=True)
    assert exports() == []

    app.config["PDF_MAX_LINES"] = 3  # the sign-off sheets: one line per paper or interview form
    pdf_attachment(client.get(f"{base}/sign-off.pdf"))
    app.config["PDF_MAX_LINES"] = 2
    refused = client.get(f"{base}/sign-off.pdf", follow_redirects=True)
    assert "Tệp PDF chỉ làm được cho danh sách đến 2 dòng; danh sách này có 3 dòng." in refused.get_data(as_text=True)
