"""PAR campaigns: survey points per unit, appraised points, unit index, class and rank."""

from __future__ import annotations

import csv
import io
from dataclasses import replace

import pandas as pd
import pytest
import yaml
from openpyxl import load_workbook
from sqlalchemy import func, select

from scoring import compute_par, par_settings
from surveyapp.extensions import db
from surveyapp.models import Campaign
from surveyapp.services.catalog import sync_questionnaires
from surveyapp.services.results.indices import CampaignResults, ParReport
from surveyapp.services.results.raw_layout import HEAD_COLUMNS
from surveyapp.services.results.settings_rows import settings_rows
from tests.conftest import FORMS_DIR
from tests.helpers import csrf_token_of
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
    assert "Phường Trương Quang Trọng (21172)" in totals
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


def coded_after_subcriteria(source: str, code: str, folder) -> None:
    """Write a copy of questionnaire file ``source`` under ``code`` in ``folder``, each PAR
    question coded after its sub-criterion ("TC5.1"), as a province may code its forms."""
    data = yaml.safe_load((FORMS_DIR / source).read_text(encoding="utf-8"))
    data["code"] = code
    for section in data["sections"]:
        for question in section["questions"]:
            if "criterion" in question:
                question["code"] = f"TC{question['criterion']}"
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    (folder / f"{code}.v1.yaml").write_text(text, encoding="utf-8")


def test_questionnaires_sharing_a_question_count_each_answer_once(
    client, make_campaign, questionnaires, ward, auth, officer, tmp_path
):
    # TX1 and TX4 are CX1 and CX4 with their questions coded after their sub-criteria: both
    # ask "TC5.1" (and four more). 6 delegates answer TX1 (all A), 7 citizens TX4 (all B).
    coded_after_subcriteria("CX1.v1.yaml", "TX1", tmp_path)
    coded_after_subcriteria("CX4.v1.yaml", "TX4", tmp_path)
    questionnaires.update({q.code: q for q in sync_questionnaires(tmp_path)})
    db.session.commit()
    campaign = make_campaign(["TX1", "TX4"], [ward])
    auth.login("canbo")
    for code, group, count, answer in (("TX1", "council_delegate", 6, "A"), ("TX4", "citizen", 7, "B")):
        items = [q.code for q in questionnaires[code].definition.questions if q.criterion]
        stream = io.StringIO()
        writer = csv.DictWriter(stream, fieldnames=[*HEAD_COLUMNS, *items])
        writer.writeheader()
        row = {"Mẫu phiếu": code, "Mã đơn vị": ward.code, "Đối tượng": group, "Lĩnh vực": "Hộ tịch" * (code == "TX4")}
        writer.writerows([row | dict.fromkeys(items, answer)] * count)
        url = f"/admin/campaigns/{campaign.id}/import"
        response = upload(client, url, "responses-responses_file", "forms.csv", stream.getvalue().encode())
        assert response.status_code == 302

    # 6 and 7 valid answers: each group, and 5.1 on 13, below the minimum of 10 per group.
    page = client.get(f"/admin/campaigns/{campaign.id}/results").get_data(as_text=True)
    subcriteria = page.split("Điểm từng tiêu chí thành phần", 1)[1].split("</table>", 1)[0]
    row_51 = subcriteria.split(">5.1</abbr>", 1)[1].split("</tr>", 1)[0]
    assert row_51 == (
        '</td><td class="num">0,80</td><td class="num">1,00</td><td class="num">2</td>'
        '<td class="num">13 <span class="badge badge-late">ít</span></td>'
    )
    totals = page.split("Điểm điều tra xã hội học: TX1 + TX4", 1)[1].split("</table>", 1)[0]
    assert f'<td class="num">{6 * 10 + 7 * 11} <span class="badge badge-late">thiếu</span>' in totals

    workbook = load_workbook(io.BytesIO(client.get(f"/admin/campaigns/{campaign.id}/export/indices.xlsx").data))
    sheet = list(workbook["Điểm theo nhóm đối tượng"].values)
    header = sheet[0]
    rows = [dict(zip(header, values, strict=True)) for values in sheet[1:]]
    groups = {row["Đối tượng"]: row for row in rows if row["Tiêu chí thành phần"] == "5.1"}
    assert {
        label: (row["Số câu trả lời hợp lệ"], row["Ít hơn ngưỡng câu trả lời hợp lệ"], row["Điểm"])
        for label, row in groups.items()
    } == {
        "Đại biểu HĐND cấp xã (kể cả Thường trực HĐND)": (6, "Có", pytest.approx(1.0)),
        "Người dân có giao dịch với UBND cấp xã": (7, "Có", pytest.approx(0.6)),
    }


def test_questionnaires_that_score_a_question_differently_cannot_share_a_campaign(
    client, questionnaires, ward, auth, officer, tmp_path
):
    """Refused when the campaign is set up, naming the forms and the question, not at results."""
    coded_after_subcriteria("CX1.v1.yaml", "TX1", tmp_path)
    coded_after_subcriteria("CX4.v1.yaml", "TX4", tmp_path)
    changed = yaml.safe_load((tmp_path / "TX4.v1.yaml").read_text(encoding="utf-8"))
    question = next(q for section in changed["sections"] for q in section["questions"] if q.get("criterion") == "5.1")
    changed["scales"][question["scale"]]["options"][0]["coefficient"] = 0.9  # TX1 scores its "TC5.1" A as 1
    (tmp_path / "TX4.v1.yaml").write_text(yaml.safe_dump(changed, allow_unicode=True, sort_keys=False), "utf-8")
    questionnaires.update({q.code: q for q in sync_questionnaires(tmp_path)})
    db.session.commit()
    auth.login("canbo")
    form = client.get("/admin/campaigns/new").get_data(as_text=True)
    reply = client.post(
        "/admin/campaigns/new",
        data={
            "csrf_token": csrf_token_of(form),
            "name": "Điều tra CCHC 2026",
            "year": "2026",
            "purpose": "par",
            "opens_on": "01/08/2026",
            "closes_on": "30/09/2026",
            "questionnaire_ids": [str(questionnaires["TX1"].id), str(questionnaires["TX4"].id)],
            "unit_ids": [str(ward.id)],
        },
    )
    page = reply.get_data(as_text=True)
    assert reply.status_code == 200 and "Mẫu phiếu TX4 không tính điểm cùng TX1 được: TC5.1" in page
    assert db.session.scalar(select(func.count()).select_from(Campaign)) == 0


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
