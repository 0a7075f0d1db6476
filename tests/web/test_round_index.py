"""A round's PAR Index over HTTP: two units computed by hand and found alike by the service, on
the page and in the workbook; the settings (campaigns, class bounds), the points typed in or
imported, and the imports refused with a message naming row and value, nothing stored lost."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import AuditAction, AuditEntry, CriteriaSetVersion, EnteredPoints, Publication, Unit, User
from surveyapp.services.assessment_rounds import (
    RoundDraft,
    close_appraisal,
    create_round,
    open_appraisal,
    open_appraisal_2,
    open_explanation,
    open_self_assessment,
)
from surveyapp.services.explanations import submit_explanation
from surveyapp.services.par_index import compute_round_index
from surveyapp.services.self_assessments import ScoreDraft, get_assessment, save_score, submit_self_assessment
from surveyapp.services.unit_appraisals import AppraisalDraft, appraise_item, assign_appraiser, finish_appraisal
from tests.helpers import csrf_token_of
from tests.web.test_appraisal import appraiser_account
from tests.web.test_par_results import cx4_csv
from tests.web.test_results import sipas_csv, upload

# A set of 20 points in two areas of 10, with every scoring method, a bonus and a penalty item.
SMALL_SET = {
    "code": "THU",
    "version": 1,
    "title": "Bộ chỉ số thử",
    "year": 2025,
    "total": 20,
    "point_step": 0.25,
    "assessed_unit_kinds": ["tổ dân phố"],
    "survey_questionnaires": ["CX4"],
    "areas": [
        {
            "code": "1",
            "title": "Chỉ đạo, điều hành",
            "max_points": 10,
            "criteria": [
                {"code": "1.1", "title": "Kế hoạch", "max_points": 4, "scoring": "self_assessed"},
                {"code": "1.2", "title": "Điều tra", "max_points": 2, "scoring": "survey", "survey": ["1.6", "3.1"]},
                {"code": "1.3", "title": "Chỉ số phục vụ", "max_points": 4, "scoring": "other", "source": "QĐ 766"},
            ],
        },
        {
            "code": "2",
            "title": "Thủ tục hành chính",
            "max_points": 10,
            "criteria": [
                {
                    "code": "2.1",
                    "title": "SIPAS",
                    "max_points": 5,
                    "scoring": "sipas",
                    "sipas": {"rule": "proportional"},
                },
                {"code": "2.2", "title": "Một cửa", "max_points": 5, "scoring": "self_assessed"},
            ],
        },
    ],
    "adjustments": [
        {"code": "T1", "title": "Sáng kiến", "kind": "bonus", "max_points": 1},
        {"code": "D1", "title": "Kỷ luật", "kind": "penalty", "max_points": 2},
    ],
}


def make_groups() -> tuple[Unit, Unit]:
    """A ward with two residential groups, the units the small set assesses."""
    ward = Unit(code="90001", name="Phường Thử", kind="phường")
    first = Unit(code="90001-A", name="Tổ dân phố An", kind="tổ dân phố")
    second = Unit(code="90001-B", name="Tổ dân phố Bình", kind="tổ dân phố")
    ward.children.extend([first, second])
    db.session.add(ward)
    db.session.commit()
    return first, second


def store_small_set() -> CriteriaSetVersion:
    version = CriteriaSetVersion(code="THU", version=1, title="Bộ chỉ số thử", content_digest="thu-1", source=SMALL_SET)
    db.session.add(version)
    db.session.commit()
    return version


@pytest.fixture
def groups(app) -> tuple[Unit, Unit]:
    return make_groups()


@pytest.fixture
def small_set(app) -> CriteriaSetVersion:
    return store_small_set()


def scored_round(small_set, ward: Unit, year: int, points: dict[str, dict[str, str]]):
    """A round of ``year`` whose units scored themselves ``points`` (unit code → item → points) and submitted."""
    today = dt.date.today()
    assessment_round = create_round(
        RoundDraft(f"Chỉ số CCHC {year}", year, small_set.id, ward.id, today, today + dt.timedelta(days=10))
    )
    open_self_assessment(assessment_round)
    for unit in ward.children:
        assessment = get_assessment(assessment_round.id, unit.id)
        for code, typed in points[unit.code].items():
            save_score(assessment, code, ScoreDraft(typed, "", (), "Chưa số hóa"))
        submit_self_assessment(assessment)
    open_appraisal(assessment_round)
    db.session.commit()
    return assessment_round


@pytest.fixture
def index_round(small_set, groups, make_campaign, client, auth, officer):
    """The round of this year, its campaigns (responses imported) and appraisals, as in the
    hand-computed test; in last year's round, An scored 3.5 + 3.25 and Bình 2 + 4.75."""
    first, second = groups
    ward = first.parent
    last_year = {first.code: {"1.1": "3.5", "2.2": "3.25"}, second.code: {"1.1": "2", "2.2": "4.75"}}
    scored_round(small_set, ward, dt.date.today().year - 1, last_year)
    assessment_round = scored_round(
        small_set,
        ward,
        dt.date.today().year,
        {first.code: {"1.1": "4", "2.2": "4.75"}, second.code: {"1.1": "3", "2.2": "4"}},
    )
    appraiser = appraiser_account("tdv9", "Thẩm định viên Chín")
    for unit in (first, second):
        assign_appraiser(assessment_round, appraiser, unit, None)
    first_assessment = get_assessment(assessment_round.id, first.id)
    appraise_item(first_assessment, "1.1", appraiser, AppraisalDraft(False, "3,5", "Thiếu báo cáo quý IV"))
    appraise_item(first_assessment, "2.2", appraiser, AppraisalDraft(True, "", ""))
    appraise_item(get_assessment(assessment_round.id, second.id), "2.2", appraiser, AppraisalDraft(True, "", ""))
    db.session.commit()

    par = make_campaign(["CX4"], [first, second])
    sipas = make_campaign(["SIPAS-2017"], [first, second])
    auth.login("canbo")
    responses = cx4_csv([(first.code, "A")] * 12 + [(second.code, "B")] * 12)
    for campaign, data in ((par, responses), (sipas, sipas_csv([{}] * 3, unit=first.code))):
        url = f"/admin/campaigns/{campaign.id}/import"
        assert upload(client, url, "responses-responses_file", "phieu.csv", data).status_code == 302
    page = index_url(assessment_round)
    response = post(client, page, "/sources", {"par_campaign_id": str(par.id), "sipas_campaign_id": str(sipas.id)})
    assert response.status_code == 302
    return assessment_round


def test_a_unit_that_has_scored_nothing_yet_shows_no_change_from_last_year(small_set, groups) -> None:
    """Last year An scored 3.5 + 3.25 of 9 (75 %); this year nothing yet: a provisional 0 %, not
    a fall of 75 points. Bình scored 2 + 4.75 last year (75 %) and 1.1 = 2 of 4 so far this year
    (its other item counts 0 until scored): 2 of 9 → 22.2 %, a change shown as provisional."""
    first, second = groups
    last_year = {first.code: {"1.1": "3.5", "2.2": "3.25"}, second.code: {"1.1": "2", "2.2": "4.75"}}
    scored_round(small_set, first.parent, dt.date.today().year - 1, last_year)
    today = dt.date.today()
    this_year = create_round(
        RoundDraft(
            "Chỉ số CCHC năm nay", today.year, small_set.id, first.parent.id, today, today + dt.timedelta(days=9)
        )
    )
    open_self_assessment(this_year)
    save_score(get_assessment(this_year.id, second.id), "1.1", ScoreDraft("2", "", (), "Chưa số hóa"))
    db.session.commit()
    rows = {row.unit.code: row for row in compute_round_index(this_year).rows}
    assert rows[first.code].index.change is None
    assert rows[second.code].index.change == pytest.approx(2 / 9 * 100 - 75)


def index_url(assessment_round) -> str:
    return f"/admin/rounds/{assessment_round.id}/index"


def post(client, page: str, path: str, data: dict):
    token = csrf_token_of(client.get(page).get_data(as_text=True))
    return client.post(page + path, data=data | {"csrf_token": token})


def import_points(client, assessment_round, data: bytes, name: str = "diem.csv"):
    page = index_url(assessment_round)
    return upload(client, page, "points-points_file", name, data, to=f"{page}/import")


def stored_points() -> dict[tuple[str, str], float]:
    db.session.rollback()
    return {(row.unit.code, row.code): row.points for row in db.session.scalars(select(EnteredPoints))}


def test_two_units_computed_by_hand_are_found_alike_by_the_service_the_page_and_the_workbook(
    client, index_round, groups
) -> None:
    """By hand, with the small set (area 1: 1.1 self 4, 1.2 survey 2, 1.3 other 4; area 2: 2.1
    SIPAS 5, 2.2 self 5; bonus T1 ≤ 1, penalty D1 ≤ 2):

    An (90001-A): 1.1 appraised 3.5 (own 4); 1.2 every CX4 answer A (coefficient 1) → 1.6: 1.0
    + 3.1: 1.0 = 2.0; 1.3 typed 3.25; 2.1 every SIPAS answer 5 → index 100 → 5 × 100 / 100 = 5.0;
    2.2 appraised 4.75; bonus 1. Points 3.5 + 2.0 + 3.25 + 5.0 + 4.75 + 1 = 19.5 of 20 →
    97.5 % → A, rank 1. Area 1: 8.75/10, area 2: 9.75/10. Last year: 3.5 + 3.25 = 6.75 of the
    9 that applied (1.1 + 2.2; no campaign, nothing typed) → 75 % → change +22.5.

    Bình (90001-B): 1.1 not appraised → own 3 (provisional); 1.2 every answer B (0.6) → 0.6 +
    0.6 = 1.2; 1.3 nothing typed and 2.1 no SIPAS answers: both do not apply; 2.2 appraised 4;
    penalty 0.5. Points 3 + 1.2 + 4 − 0.5 = 7.7 of 4 + 2 + 5 = 11 → 70 % → C, rank 2. Last
    year: 2 + 4.75 = 6.75 of 9 → 75 % → change −5.
    """
    first, second = groups
    page = index_url(index_round)
    assert (
        post(client, page, "/points", {"unit_id": first.id, "code": "1.3", "points": "3,25", "note": "766"}).status_code
        == 302
    )
    table = f'Mã đơn vị,Mã tiêu chí,Điểm,Ghi chú\n{first.code},T1,1,QĐ khen\n{second.code},D1,"0,5",Kỷ luật\n'
    assert import_points(client, index_round, table.encode()).status_code == 302

    db.session.rollback()
    rows = {row.unit.code: row for row in compute_round_index(index_round).rows}
    an, binh = rows[first.code], rows[second.code]
    assert (an.index.points, an.index.max_points, an.index.percent, an.index.grade, an.index.rank) == (
        19.5,
        20.0,
        97.5,
        "A",
        1,
    )
    assert an.index.change == 22.5 and not an.is_provisional
    assert [(area.points, area.max_points) for area in an.index.areas] == [(8.75, 10.0), (9.75, 10.0)]
    assert (binh.index.points, binh.index.max_points, binh.index.percent, binh.index.grade, binh.index.rank) == (
        7.7,
        11.0,
        70.0,
        "C",
        2,
    )
    assert binh.index.not_applying == ("1.3", "2.1") and binh.unappraised == ("1.1",) and binh.index.change == -5

    html = client.get(page).get_data(as_text=True)
    an_row = html.split('id="unit-90001-A"')[1].split("</tr>")[0]
    binh_row = html.split('id="unit-90001-B"')[1].split("</tr>")[0]
    assert ">1<" in an_row and "19,5" in an_row and "97,5" in an_row and ">A<" in an_row and "+22,5" in an_row
    assert ">2<" in binh_row and "7,7" in binh_row and ">11<" in binh_row and ">70<" in binh_row
    assert ">C<" in binh_row and "-5" in binh_row
    assert "1.3" in binh_row and "2.1" in binh_row and "Tạm tính" in binh_row and "Tạm tính" not in an_row
    assert "Kết quả tạm tính:" in html
    assert "8,75/10" in html and "9,75/10" in html

    download = client.get(f"{page}.xlsx")
    assert download.status_code == 200 and "attachment" in download.headers["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(download.data))
    sheet = workbook["Tổng hợp theo đơn vị"]
    header = [cell.value for cell in sheet[1]]
    cells = {row[1]: dict(zip(header, row, strict=True)) for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert cells[first.code]["Tổng điểm đạt"] == 19.5 and cells[first.code]["Chỉ số CCHC (%)"] == pytest.approx(0.975)
    assert cells[first.code]["Xếp loại"] == "A" and cells[first.code]["Thứ hạng trong loại đơn vị"] == 1
    assert cells[first.code]["Tăng, giảm so với năm trước (điểm %)"] == 22.5
    assert cells[second.code]["Điểm tối đa của các tiêu chí được tính"] == 11
    assert cells[second.code]["Chỉ số CCHC (%)"] == pytest.approx(0.70) and cells[second.code]["Xếp loại"] == "C"
    assert cells[second.code]["Tạm tính"] == "Có" and cells[second.code]["Tiêu chí không tính"] == "1.3, 2.1"
    areas = workbook["Điểm theo lĩnh vực"]
    by_area = {row[0]: row[2:] for row in areas.iter_rows(min_row=2, values_only=True)}
    assert by_area[first.code] == (8.75, 10, 9.75, 10)


def test_the_round_page_links_to_the_index_and_a_round_without_campaigns_counts_what_it_has(
    client, auth, officer, small_set, groups
) -> None:
    first, second = groups
    own = {first.code: {"1.1": "4", "2.2": "0"}, second.code: {"1.1": "0", "2.2": "5"}}
    assessment_round = scored_round(small_set, first.parent, dt.date.today().year, own)
    auth.login("canbo")
    round_page = client.get(f"/admin/rounds/{assessment_round.id}").get_data(as_text=True)
    assert index_url(assessment_round) in round_page and f"{index_url(assessment_round)}#settings" in round_page
    assert "Nguồn điểm Chỉ số CCHC:" in round_page and "chưa chọn" in round_page
    rows = {row.unit.code: row for row in compute_round_index(assessment_round).rows}
    # Only the self-assessed items apply (9 points); nothing appraised: the own points, provisional.
    assert rows[first.code].index.max_points == 9.0 and rows[first.code].index.points == 4.0
    assert rows[second.code].index.percent == pytest.approx(100 * 5 / 9) and rows[second.code].index.rank == 1
    assert rows[first.code].is_provisional and set(rows[first.code].index.not_applying) == {"1.2", "1.3", "2.1"}


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("90001-Z,T1,1,", "Dòng 3, cột «Mã đơn vị» (90001-Z): không phải đơn vị của kỳ đánh giá"),
        ("90001-A,9.9,1,", "Dòng 3, cột «Mã tiêu chí» (9.9): không phải tiêu chí nhập điểm"),
        ("90001-A,1.1,1,", "Dòng 3, cột «Mã tiêu chí» (1.1): không phải tiêu chí nhập điểm"),
        ("90001-A,D1,3,", "Dòng 3, cột «Điểm» (3): Điểm của tiêu chí D1 (3) vượt điểm tối đa 2."),
        ('90001-A,1.3,"1,1",', "Dòng 3, cột «Điểm» (1,1): Điểm của tiêu chí 1.3 (1,1) phải chấm theo bước 0,25 điểm."),
        ("90001-A,1.3,mười,", "Dòng 3, cột «Điểm» (mười): Điểm của tiêu chí 1.3 phải là một số."),
        ("90001-A,1.3,,", "Dòng 3, cột «Điểm» (—): chưa có điểm"),
        ("90001-A,T2,1,", "Dòng 3, cột «Mã tiêu chí» (T2)"),
        ("90001-B,T1,1,", "Dòng 3, cột «Mã tiêu chí» (T1): trùng với dòng 2"),
    ],
)
def test_an_import_with_a_bad_row_names_it_and_stores_nothing(client, index_round, row: str, message: str) -> None:
    stored = import_points(client, index_round, "Mã đơn vị,Mã tiêu chí,Điểm\n90001-A,1.3,2\n".encode())
    assert stored.status_code == 302
    first_row = "90001-B,T1,1," if "trùng" in message else "90001-A,1.3,4,"
    table = f"Mã đơn vị,Mã tiêu chí,Điểm,Ghi chú\n{first_row}\n{row}\n"
    page = import_points(client, index_round, table.encode()).get_data(as_text=True)
    assert "lỗi nên chưa nhập dòng nào" in page and message in page
    assert stored_points() == {("90001-A", "1.3"): 2.0}


def test_hostile_or_malformed_files_are_refused_with_a_message(app, client, index_round) -> None:
    page = import_points(client, index_round, b"Unit,Item\nX,Y\n").get_data(as_text=True)
    assert "Dòng 1, cột «Mã đơn vị» (—): thiếu cột này ở dòng tiêu đề" in page
    page = import_points(client, index_round, b"\x89PNG\r\n", name="diem.xlsx").get_data(as_text=True)
    assert "Không nhập được tệp: tệp không phải bảng tính XLSX đọc được." in page
    page = import_points(client, index_round, "Mã đơn vị,Mã tiêu chí,Điểm\n".encode()).get_data(as_text=True)
    assert "tệp không có dòng điểm nào" in page
    app.config["UPLOAD_MAX_ROWS"] = 3
    rows = "".join(f"90001-A,1.3,{n},\n" for n in range(1, 5))
    page = import_points(client, index_round, f"Mã đơn vị,Mã tiêu chí,Điểm,Ghi chú\n{rows}".encode()).get_data(
        as_text=True
    )
    assert "vượt giới hạn tối đa 3 dòng" in page
    assert stored_points() == {}


def test_typed_points_are_checked_and_audited_and_an_empty_entry_removes_them(client, index_round, groups) -> None:
    first, _second = groups
    page = index_url(index_round)
    refused = post(client, page, "/points", {"unit_id": first.id, "code": "T1", "points": "1,5", "note": ""})
    assert "Điểm của tiêu chí T1 (1,5) vượt điểm tối đa 1." in refused.get_data(as_text=True)
    assert (
        post(client, page, "/points", {"unit_id": first.id, "code": "T1", "points": "1", "note": "QĐ"}).status_code
        == 302
    )
    assert stored_points() == {(first.code, "T1"): 1.0}
    assert (
        post(client, page, "/points", {"unit_id": first.id, "code": "T1", "points": "", "note": ""}).status_code == 302
    )
    assert stored_points() == {}
    entries = db.session.scalars(
        select(AuditEntry).filter_by(action=AuditAction.POINTS_ENTERED).order_by(AuditEntry.id)
    ).all()
    assert [entry.details["after"] for entry in entries] == [{"points": 1.0, "note": "QĐ"}, None]


def test_class_bounds_are_a_setting_of_the_round_checked_and_audited(client, index_round, groups) -> None:
    page = index_url(index_round)
    # Nothing typed: An 3.5 + 2 + 5 + 4.75 = 15.25 of 16 (95.3 %), Bình 3 + 1.2 + 4 = 8.2 of 11 (74.5 %).
    db.session.rollback()
    grades = {row.unit.code: row.index.grade for row in compute_round_index(index_round).rows}
    assert grades == {"90001-A": "A", "90001-B": "C"}
    refused = post(client, page, "/bounds", {"a": "80", "b": "85", "c": "70"})
    assert refused.status_code == 302
    assert "Ngưỡng của loại sau phải thấp hơn ngưỡng của loại trước" in client.get(page).get_data(as_text=True)
    refused = post(client, page, "/bounds", {"a": "120", "b": "85", "c": "70"})
    assert "Ngưỡng là một số phần trăm từ 0 đến 100." in refused.get_data(as_text=True)
    assert post(client, page, "/bounds", {"a": "96", "b": "90", "c": "75"}).status_code == 302
    db.session.rollback()
    grades = {row.unit.code: row.index.grade for row in compute_round_index(index_round).rows}
    assert grades == {"90001-A": "B", "90001-B": "D"}
    entry = db.session.scalars(select(AuditEntry).filter_by(action=AuditAction.CLASS_BOUNDS_SET)).one()
    assert entry.details["after"] == [["A", 96.0], ["B", 90.0], ["C", 75.0]]


def test_only_campaigns_of_the_right_purpose_can_be_linked(client, index_round) -> None:
    db.session.rollback()
    par_id, sipas_id = index_round.par_campaign_id, index_round.sipas_campaign_id
    page = index_url(index_round)
    response = post(client, page, "/sources", {"par_campaign_id": str(sipas_id), "sipas_campaign_id": ""})
    assert "Hãy chọn một đợt điều tra Chỉ số CCHC." in response.get_data(as_text=True)
    db.session.rollback()
    assert (index_round.par_campaign_id, index_round.sipas_campaign_id) == (par_id, sipas_id)
    assert db.session.scalars(select(AuditEntry).filter_by(action=AuditAction.INDEX_SOURCES_SET)).one()


def test_points_import_from_a_workbook_and_the_audit_records_the_file(client, index_round) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Mã đơn vị", "Mã tiêu chí", "Điểm", "Ghi chú"])
    sheet.append(["90001-A", "1.3", 3.5, "Báo cáo QĐ 766"])
    sheet.append(["90001-B", "D1", 1, "Kỷ luật"])
    data = io.BytesIO()
    workbook.save(data)
    assert import_points(client, index_round, data.getvalue(), name="diem.xlsx").status_code == 302
    assert stored_points() == {("90001-A", "1.3"): 3.5, ("90001-B", "D1"): 1.0}
    entry = db.session.scalars(select(AuditEntry).filter_by(action=AuditAction.POINTS_IMPORTED)).one()
    assert entry.details == {"round_id": index_round.id, "file": "diem.xlsx", "rows": 2}
    html = client.get(index_url(index_round)).get_data(as_text=True)
    assert "<td>3,5</td><td>Báo cáo QĐ 766</td>" in html


def close_the_appraisal(assessment_round, groups) -> None:
    """Appraise what is left (Bình's 1.1 accepted), finish appraisal 1, and with no unit
    explaining anything, run the explanation and appraisal 2 through to the closed appraisal."""
    appraiser = db.session.scalar(select(User).filter_by(username="tdv9"))
    assessments = [get_assessment(assessment_round.id, unit.id) for unit in groups]
    appraise_item(assessments[1], "1.1", appraiser, AppraisalDraft(True, "", ""))
    for assessment in assessments:
        finish_appraisal(assessment, appraiser)
    open_explanation(assessment_round, dt.date.today() + dt.timedelta(days=5))
    for assessment in assessments:
        submit_explanation(assessment)
    open_appraisal_2(assessment_round)
    close_appraisal(assessment_round)
    db.session.commit()


def test_the_decided_index_is_published_once_closed_frozen_and_corrected_by_a_new_version(
    app, client, index_round, groups
) -> None:
    first, _second = groups
    page = index_url(index_round)
    post(client, page, "/points", {"unit_id": first.id, "code": "1.3", "points": "3,25", "note": "766"})
    publish_page = f"/admin/rounds/{index_round.id}/publish"
    decision = {"decision": "Quyết định số 12/QĐ-UBND", "decided_on": dt.date.today().isoformat()}
    assert publish_page in client.get(page).get_data(as_text=True)

    refused = post(client, publish_page, "", decision).get_data(as_text=True)
    assert "Chỉ công bố được Chỉ số CCHC khi đã kết thúc thẩm định" in refused
    db.session.rollback()
    assert not db.session.scalars(select(Publication)).all()

    close_the_appraisal(index_round, groups)
    response = post(client, publish_page, "", decision)
    assert response.status_code == 302
    public_url = response.headers["Location"]
    entry = db.session.scalar(select(AuditEntry).filter_by(action=AuditAction.INDEX_PUBLISHED))
    assert entry.actor == "canbo" and entry.details["version"] == 1

    # Everyone reads it without logging in: An 3.5 + 2 + 3.25 + 5 + 4.75 = 18.5 of 20 → 92.5 %,
    # A, rank 1; Bình 3 (accepted) + 1.2 + 4 = 8.2 of 11 → 74.55 %, C, rank 2.
    with app.test_client() as anyone:
        html = anyone.get(public_url).get_data(as_text=True)
        assert "Quyết định số 12/QĐ-UBND" in html and "Số đơn vị" in html
        an_row = html.split(">90001-A<")[1].split("</tr>")[0]
        binh_row = html.split(">90001-B<")[1].split("</tr>")[0]
        assert "18,50" in an_row and "92,50" in an_row and ">A<" in an_row
        assert "8,20" in binh_row and "74,55" in binh_row and ">C<" in binh_row
        assert "Tạm tính" not in html
        workbook = anyone.get(f"{public_url}/v1/du-lieu.xlsx")
        assert workbook.status_code == 200
        sheets = load_workbook(io.BytesIO(workbook.data)).sheetnames
        assert len(sheets) == 2

    # Points entered after publication leave the published version as it was; a correction
    # must say what it changes, and becomes version 2.
    post(client, page, "/points", {"unit_id": first.id, "code": "T1", "points": "1", "note": "QĐ khen"})
    with app.test_client() as anyone:
        assert "18,50" in anyone.get(public_url).get_data(as_text=True)
    refused = post(client, publish_page, "", decision).get_data(as_text=True)
    assert "hãy ghi rõ nội dung thay đổi" in refused
    corrected = post(client, publish_page, "", decision | {"change_note": "Thêm điểm thưởng của Tổ dân phố An"})
    assert corrected.status_code == 302
    with app.test_client() as anyone:
        html = anyone.get(public_url).get_data(as_text=True)
        assert "19,50" in html and "Thêm điểm thưởng của Tổ dân phố An" in html
        assert "18,50" in anyone.get(f"{public_url}/v1").get_data(as_text=True)
