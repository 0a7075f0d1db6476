"""The remuneration sheet of seed 001: 10,000 đ per form and 200,000 đ per unit by default."""

from __future__ import annotations

import io

from flask import g
from openpyxl import load_workbook

from surveyapp.services.quotas import collection_progress
from tests.helpers import AuthActions, csrf_token_of, filled_form, submit


def test_the_sheet_pays_per_form_and_per_unit_as_a_table_and_a_workbook(client, auth, officer, make_campaign, ward):
    campaign = make_campaign(["CX4"], [*ward.children])
    definition = campaign.questionnaires[0].definition
    for unit_code, forms in (("21172-T01", 3), ("21172-T02", 1)):
        for _ in range(forms):
            submit(client, f"/r/{campaign.id}/CX4/{unit_code}", filled_form(definition))
    auth.login("canbo")

    html = client.get(f"/admin/campaigns/{campaign.id}/remuneration").get_data(as_text=True)
    assert '<td>Tổ dân phố 1</td><td class="num">3</td><td class="num">30.000</td><td class="num">200.000</td>' in html
    assert "Tổ dân phố 3" not in html, "units without forms are left out"

    workbook = load_workbook(io.BytesIO(client.get(f"/admin/campaigns/{campaign.id}/remuneration.xlsx").get_data()))
    rows = list(workbook["Thù lao"].iter_rows(values_only=True))
    assert rows[0] == (
        "Mã đơn vị",
        "Đơn vị",
        "Số phiếu",
        "Thù lao người trả lời (đ)",
        "Thù lao điều tra viên (đ)",
        "Tổng (đ)",
    )
    assert rows[1] == ("21172-T01", "Tổ dân phố 1", 3, 30000, 200000, 230000)
    assert rows[-1][1:] == ("Tổng cộng", 4, 40000, 400000, 440000)
    rates = list(workbook["Cách tính"].iter_rows(values_only=True))
    assert rates[1:] == [
        ("Đợt điều tra", campaign.name),
        ("Mức cho người trả lời (đ/phiếu)", 10000),
        ("Mức cho điều tra viên (đ/đơn vị)", 200000),
    ]


def test_rates_are_campaign_settings_checked_at_input(client, auth, officer, make_campaign, ward) -> None:
    campaign = make_campaign(["CX4"], [*ward.children])
    auth.login("canbo")
    url = f"/admin/campaigns/{campaign.id}/remuneration"
    token = csrf_token_of(client.get(url).get_data(as_text=True))
    refused = client.post(url, data={"csrf_token": token, "rate_per_form": "-5", "rate_per_unit": "200000"})
    assert "Từ 0 đến 100.000.000 đồng." in refused.get_data(as_text=True)
    client.post(url, data={"csrf_token": token, "rate_per_form": "15000", "rate_per_unit": "250000"})
    from surveyapp.extensions import db
    from surveyapp.models import Campaign

    db.session.expire_all()
    assert (
        db.session.get(Campaign, campaign.id).rate_per_form,
        db.session.get(Campaign, campaign.id).rate_per_unit,
    ) == (
        15000,
        250000,
    )


def _collect(app, client, campaign) -> None:
    """Tổ dân phố 1: the surveyor types in 2 paper forms (businesses) and 1 interview (a
    citizen); 1 business answers at the desk (QR); Tổ dân phố 2 has 1 desk form only."""
    definition = campaign.questionnaires[0].definition
    surveyor_client = app.test_client()
    AuthActions(surveyor_client).login("dtv1")
    entry = f"/field/enter/{campaign.id}/CX4/21172-T01"
    for group, mode in (("business", "paper"), ("business", "paper"), ("citizen", "interview")):
        submit(surveyor_client, entry, {**filled_form(definition), "respondent_group": group, "mode": mode})
    for unit_code in ("21172-T01", "21172-T02"):
        submit(client, f"/r/{campaign.id}/CX4/{unit_code}", {**filled_form(definition), "respondent_group": "business"})
    # The tests' app context outlives requests: drop the surveyor's user and CSRF token that
    # Flask-Login and Flask-WTF keep in ``g``, which the other client's next request would see.
    g.pop("_login_user", None)
    g.pop("csrf_token", None)


def test_the_payment_list_gives_per_unit_its_surveyors_and_forms_per_group_and_mode(
    app, client, auth, officer, surveyor, make_campaign, ward
) -> None:
    campaign = make_campaign(["CX4"], [*ward.children])
    _collect(app, client, campaign)
    auth.login("canbo")

    html = client.get(f"/admin/campaigns/{campaign.id}/remuneration").get_data(as_text=True)
    detail = html.split("Chi tiết theo đơn vị", 1)[1]
    assert '<th scope="rowgroup" rowspan="4">Tổ dân phố 1</th><td rowspan="4">Điều tra viên 1</td>' in detail
    assert '<td>Phiếu giấy</td><td class="num">2</td><td class="num">20.000</td>' in detail
    assert '<td>Người dân có giao dịch với UBND cấp xã</td><td>Phỏng vấn trực tiếp</td><td class="num">1</td>' in detail
    assert '<td rowspan="2">Chưa phân công</td>' in detail, "nobody is assigned to Tổ dân phố 2"

    workbook = load_workbook(io.BytesIO(client.get(f"/admin/campaigns/{campaign.id}/remuneration.xlsx").get_data()))
    rows = list(workbook["Chi tiết theo đơn vị"].iter_rows(values_only=True))
    unit, business = ("21172-T01", "Tổ dân phố 1", "Điều tra viên 1"), "Doanh nghiệp, cơ sở sản xuất kinh doanh"
    assert rows[1:5] == [
        (*unit, business, "Quét mã QR tại Bộ phận một cửa", 1, 10000, None, None),
        (*unit, business, "Phiếu giấy", 2, 20000, None, None),
        (*unit, "Người dân có giao dịch với UBND cấp xã", "Phỏng vấn trực tiếp", 1, 10000, None, None),
        (*unit, "Cộng đơn vị", None, 4, 40000, 200000, 240000),
    ]
    assert rows[-1][1:] == ("Tổng cộng", None, None, None, 5, 50000, 400000, 450000)
    summary = list(workbook["Thù lao"].iter_rows(values_only=True))
    stored = sum(progress.forms for progress in collection_progress(campaign).values())
    assert summary[-1][2] == rows[-1][5] == stored, "every form stored is paid"


def test_the_sign_off_sheet_has_one_numbered_line_per_paper_or_interview_form_and_nothing_of_the_answers(
    app, client, auth, officer, surveyor, make_campaign, ward
) -> None:
    campaign = make_campaign(["CX4"], [*ward.children])
    _collect(app, client, campaign)
    auth.login("canbo")

    page = client.get(f"/admin/campaigns/{campaign.id}/remuneration/sign-off")
    html = page.get_data(as_text=True)
    assert page.headers["Cache-Control"].startswith("no-store")
    [sheet] = html.split('<section class="sheet">')[1:]  # Tổ dân phố 2 has no form paid in person
    assert "Đơn vị: Tổ dân phố 1 (21172-T01)" in sheet and "Mức thù lao: 10.000 đ/phiếu" in sheet
    lines = sheet.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    assert lines.count("<tr>") == 3
    assert '<tr><td class="number">3</td><td></td><td class="amount">10.000</td><td></td></tr>' in lines
    assert "Tổng cộng (3 phiếu)" in sheet and '<th class="amount">30.000</th>' in sheet
    assert "Người lập biểu" in sheet and "Thủ trưởng đơn vị" in sheet
    assert "href" not in sheet and "Doanh nghiệp" not in sheet, "no link to, nor column from, the answers"

    download = client.get(f"/admin/campaigns/{campaign.id}/remuneration/sign-off.xlsx")
    assert download.headers["Content-Disposition"].startswith("attachment")
    workbook = load_workbook(io.BytesIO(download.get_data()))
    assert workbook.sheetnames == ["Danh sách ký nhận", "21172-T01"]
    # Each sheet opens, as the print page does, with what it is about, above its table.
    title, about_campaign, rate = (
        "DANH SÁCH KÝ NHẬN THÙ LAO TRẢ LỜI PHIẾU ĐIỀU TRA",
        f"Đợt điều tra: {campaign.name}",
        "Mức thù lao: 10.000 đ/phiếu",
    )
    cover = workbook["Danh sách ký nhận"]
    assert [row[0] for row in cover.iter_rows(max_row=4, values_only=True)] == [title, about_campaign, rate, None]
    assert cover["A1"].font.bold and cover.freeze_panes == "A6"
    assert list(cover.iter_rows(min_row=5, values_only=True)) == [
        ("Mã đơn vị", "Đơn vị", "Số phiếu", "Số tiền (đ)"),
        ("21172-T01", "Tổ dân phố 1", 3, 30000),
        (None, "Tổng cộng", 3, 30000),
    ]
    unit_sheet = [row for row in workbook["21172-T01"].iter_rows(values_only=True)]
    assert [row[0] for row in unit_sheet[:5]] == [title, about_campaign, "Đơn vị: Tổ dân phố 1 (21172-T01)", rate, None]
    assert unit_sheet[5:] == [
        ("STT", "Họ và tên", "Số tiền (đ)", "Ký nhận"),
        (1, None, 10000, None),
        (2, None, 10000, None),
        (3, None, 10000, None),
        (None, "Tổng cộng", 30000, None),
        (None, "Người lập biểu", None, "Thủ trưởng đơn vị"),
    ]
