"""PAR campaigns: survey points per unit, appraised points, unit index, class and rank."""

from __future__ import annotations

import csv
import io
from dataclasses import replace

import pandas as pd
import pytest
from openpyxl import load_workbook

from scoring import compute_par, par_settings
from surveyapp.services.results.indices import CampaignResults, ParReport
from surveyapp.services.results.raw_layout import HEAD_COLUMNS
from surveyapp.services.results.settings_rows import settings_rows
from tests.web.test_results import settings_of, upload

CX4_ITEMS = [f"CX4_{n:02d}" for n in range(1, 12)]


def cx4_csv(rows: list[tuple[str, str]], group: str = "citizen") -> bytes:
    """One response per (unit code, answer to every item), from ``group``."""
    stream = io.StringIO()
    writer = csv.DictWriter(stream, fieldnames=[*HEAD_COLUMNS, *CX4_ITEMS])
    writer.writeheader()
    for unit, answer in rows:
        writer.writerow(
            {"Mẫu phiếu": "CX4", "Mã đơn vị": unit, "Đối tượng": group, "Lĩnh vực": "Hộ tịch"}
            | dict.fromkeys(CX4_ITEMS, answer)
        )
    return stream.getvalue().encode("utf-8")


@pytest.fixture
def par_campaign(make_campaign, ward, auth, officer, client):
    campaign = make_campaign(["CX4"], [ward.children[0], ward.children[1]])
    auth.login("canbo")
    first, second = ward.children[0].code, ward.children[1].code
    # First group: every answer "A" (coefficient 1); second: 12 "B" (0.6) and 3 "X" (not known).
    rows = [(first, "A")] * 12 + [(second, "B")] * 12 + [(second, "X")] * 3
    assert (
        upload(
            client, f"/admin/campaigns/{campaign.id}/import", "responses-responses_file", "cx4.csv", cx4_csv(rows)
        ).status_code
        == 302
    )
    return campaign


def test_survey_points_per_unit_are_the_maxima_times_the_mean_coefficient(client, par_campaign, questionnaires):
    maximum = sum(s.max_points for s in questionnaires["CX4"].definition.methodology.subcriteria)
    page = client.get(f"/admin/campaigns/{par_campaign.id}/results").get_data(as_text=True)
    assert f"{maximum:.2f}".replace(".", ",") in page
    assert f"{maximum * 0.6:.2f}".replace(".", ",") in page
    assert "Nhập điểm thẩm định" in page


def test_appraised_points_give_the_index_class_and_rank(client, par_campaign, ward, questionnaires):
    first, second = ward.children[0].code, ward.children[1].code
    table = f'Mã đơn vị,Điểm thẩm định,Điểm khác\n{first},70,1.7\n{second},"80,5",0\n'.encode()
    response = upload(
        client,
        f"/admin/campaigns/{par_campaign.id}/results",
        "appraisal-appraisal_file",
        "diem.csv",
        table,
        to=f"/admin/campaigns/{par_campaign.id}/results/appraisals",
    )
    assert response.status_code == 302
    maximum = sum(s.max_points for s in questionnaires["CX4"].definition.methodology.subcriteria)
    workbook = load_workbook(io.BytesIO(client.get(f"/admin/campaigns/{par_campaign.id}/export/indices.xlsx").data))
    sheet = workbook["Chỉ số và xếp hạng"]
    header = [cell.value for cell in sheet[1]]
    rows = {row[1]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    first_index = 70 + maximum + 1.7
    second_index = 80.5 + maximum * 0.6
    assert rows[first][header.index("Chỉ số (%)")] == pytest.approx(first_index / 100)
    assert rows[second][header.index("Chỉ số (%)")] == pytest.approx(second_index / 100)
    ranks = {code: row[header.index("Xếp hạng")] for code, row in rows.items()}
    assert ranks == ({first: 1, second: 2} if first_index > second_index else {first: 2, second: 1})
    assert rows[first][header.index("Xếp loại")] == ("A" if first_index >= 90 else "B")


def test_bad_appraised_points_are_named_and_nothing_changes(client, par_campaign, ward):
    table = f"Mã đơn vị,Điểm thẩm định\n{ward.children[0].code},abc\nZZZ,10\n".encode()
    page = upload(
        client,
        f"/admin/campaigns/{par_campaign.id}/results",
        "appraisal-appraisal_file",
        "diem.csv",
        table,
        to=f"/admin/campaigns/{par_campaign.id}/results/appraisals",
    ).get_data(as_text=True)
    assert "Dòng 2, cột «Điểm thẩm định» (abc): không phải số" in page
    assert "Dòng 3, cột «Mã đơn vị» (ZZZ): không phải đơn vị của đợt điều tra" in page
    assert "Nhập điểm thẩm định của các đơn vị để tính chỉ số" in page  # still no standings


def test_answers_collected_in_residential_groups_score_their_ward(client, make_campaign, ward, auth, officer):
    campaign = make_campaign(["CX1", "CX4"], [ward, *ward.children])
    auth.login("canbo")
    rows = [(group.code, "A") for group in ward.children for _ in range(4)]
    upload(client, f"/admin/campaigns/{campaign.id}/import", "responses-responses_file", "cx4.csv", cx4_csv(rows))
    page = client.get(f"/admin/campaigns/{campaign.id}/results").get_data(as_text=True)
    totals = page.split("Điểm điều tra xã hội học: CX1 + CX4", 1)[1].split("</table>", 1)[0]
    assert "Phường Trương Quang Trọng (W21172)" in totals
    assert "Tổ dân phố" not in totals  # CX1 scores wards; CX4's residential groups roll up to theirs
    assert '<td class="num">132 ' in totals  # the ward's points rest on 12 forms × 11 valid answers


def test_the_report_shows_how_each_group_filled_a_shared_quota(client, make_campaign, ward, auth, officer):
    campaign = make_campaign(["CX4"], [ward])
    auth.login("canbo")
    # Only 4 businesses answered; 26 citizens made up the commune's 30 forms.
    for group, count in (("business", 4), ("citizen", 26)):
        rows = [(ward.code, "A")] * count
        upload(
            client,
            f"/admin/campaigns/{campaign.id}/import",
            "responses-responses_file",
            "cx4.csv",
            cx4_csv(rows, group),
        )

    page = client.get(f"/admin/campaigns/{campaign.id}/results").get_data(as_text=True)
    table = page.split("Số phiếu theo nhóm đối tượng", 1)[1].split("</table>", 1)[0]
    assert 'Doanh nghiệp, cơ sở sản xuất kinh doanh</td><td class="num">4<' in table
    assert 'Người dân có giao dịch với UBND cấp xã</td><td class="num">26<' in table
    workbook = load_workbook(io.BytesIO(client.get(f"/admin/campaigns/{campaign.id}/export/indices.xlsx").data))
    rows = list(workbook["Số phiếu theo nhóm đối tượng"].values)
    assert rows[0][-3:] == ("Mẫu phiếu", "Đối tượng", "Số phiếu")
    assert [row[-3:] for row in rows[1:]] == [
        ("CX4", "Doanh nghiệp, cơ sở sản xuất kinh doanh", 4),
        ("CX4", "Người dân có giao dịch với UBND cấp xã", 26),
    ]


def test_the_settings_sheet_gives_the_survey_points_settings_in_words(client, par_campaign):
    workbook = load_workbook(io.BytesIO(client.get(f"/admin/campaigns/{par_campaign.id}/export/indices.xlsx").data))
    settings = settings_of(workbook)
    assert settings["Mục đích"] == "Điều tra xã hội học Chỉ số CCHC (PAR Index)"
    assert settings["Mẫu phiếu"] == "CX4, phiên bản 1"
    assert settings["Tổng điểm tối đa của Chỉ số CCHC"] == "100"
    assert settings["Trọng số các nhóm đối tượng"] == "bằng nhau"
    coefficients = {what: value for what, value in settings.items() if what.startswith("Hệ số của các phương án")}
    assert coefficients == {f"Hệ số của các phương án, câu {', '.join(CX4_ITEMS)}": "A: 1; B: 0,6; C: 0,2; D: 0"}
    assert settings["Câu hỏi của các tiêu chí thành phần"].startswith("3.2.1: CX4_01; 3.1: CX4_02;")
    assert "Chỉ tiêu SIPAS (toàn đợt, mỗi đơn vị, mỗi đơn vị cấp trên)" not in settings


def test_the_settings_sheet_names_unequal_group_weights(app, make_campaign, ward, questionnaires):
    """A group the questionnaire does not weigh weighs 1: one weight set is not "bằng nhau"."""
    campaign = make_campaign(["CX4"], [ward.children[0]])
    cx4 = questionnaires["CX4"]
    settings = replace(par_settings([cx4.definition]), group_weights={"citizen": 2.0})
    responses = pd.DataFrame({"unit": ["W1"], "respondent_group": ["citizen"]} | {item: ["A"] for item in CX4_ITEMS})
    report = ParReport([cx4], compute_par(responses, settings, ["unit"]), pd.DataFrame(), 1, pd.DataFrame())
    with app.test_request_context():
        rows = dict(settings_rows(CampaignResults(campaign, None, {}, par=[report])))
    assert rows["Trọng số các nhóm đối tượng"] == (
        "Doanh nghiệp, cơ sở sản xuất kinh doanh: 1; Người dân có giao dịch với UBND cấp xã: 2"
    )
