"""Targets and responsibilities of a round's items, the gap report and the scoring tables sent
upward, over HTTP through the test client, on a small round whose points lost are counted by
hand: two wards of a city, a set of five scored items (three self-assessed, one from SIPAS,
one from another source)."""

from __future__ import annotations

import io
import re
import textwrap

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import AuditAction, AuditEntry, Unit, User, UserRole
from surveyapp.services.assessment_rounds import open_appraisal
from surveyapp.services.criteria_sets import sync_criteria_sets
from surveyapp.services.evidence import upload_evidence
from surveyapp.services.par_index import enter_points
from surveyapp.services.responses import local_today
from surveyapp.services.self_assessments import ScoreDraft, save_score, submit_self_assessment
from surveyapp.services.unit_appraisals import AppraisalDraft, appraise_item, assign_appraiser
from surveyapp.tables.formulas import FORMULA_PREFIXES
from tests.conftest import FORMS_DIR, existing_account
from tests.helpers import PASSWORD
from tests.web.test_formula_injection import workbook_texts
from tests.web.test_self_assessment import PDF, open_round, the_assessment

SMALL_SET = """\
code: THU
version: 1
title: Bộ chỉ số thử
year: 2025
total: 10
point_step: 0.25
assessed_unit_kinds: [phường]
areas:
  - code: "1"
    title: Chỉ đạo điều hành
    max_points: 6
    monitoring: Văn phòng - Thống kê
    criteria:
      - code: "1.1"
        title: Kế hoạch CCHC
        max_points: 4
        target: {text: Hoàn thành 100% kế hoạch, value: 100}
        leading: Văn phòng - Thống kê
        cooperating: [Tư pháp - Hộ tịch]
        subcriteria:
          - {code: "1.1.1", title: Ban hành kế hoạch, max_points: 2, scoring: self_assessed}
          - {code: "1.1.2", title: Thực hiện kế hoạch, max_points: 2, scoring: self_assessed}
      - code: "1.2"
        title: Tuyên truyền
        max_points: 2
        target: Có bài viết trên Trang thông tin điện tử
        leading: Văn hóa - Thông tin
        scoring: self_assessed
  - code: "2"
    title: Mức độ hài lòng
    max_points: 4
    criteria:
      - code: "2.1"
        title: Chỉ số SIPAS
        max_points: 3
        leading: Văn phòng - Thống kê
        scoring: sipas
        sipas: {rule: proportional}
      - code: "2.2"
        title: Chỉ số phục vụ
        max_points: 1
        scoring: other
        source: Chỉ số phục vụ người dân, doanh nghiệp (Quyết định 766)
"""
# The departments in the set's (alphabetical) order: their pages are numbered from 1.
DEPARTMENTS = ["Tư pháp - Hộ tịch", "Văn hóa - Thông tin", "Văn phòng - Thống kê"]


def score(assessment, code: str, points: str, *, evidence=(), reason: str = "") -> None:
    save_score(assessment, code, ScoreDraft(points, "", tuple(file.id for file in evidence), reason))


@pytest.fixture
def small_round(tmp_path, ward, unit_account, officer):
    """The round of ``make_small_round``, with the officer's account."""
    return make_small_round(tmp_path, ward, unit_account)


def make_small_round(tmp_path, ward, unit_account):
    """The city's two wards in a round of the small set, partly self-assessed:

    ward 21172: 1.1.1 2/2 with evidence, 1.1.2 1,5/2 with a reason, 1.2 not scored;
    ward 21173: 1.1.1 0,5/2 with a reason, 1.1.2 2/2 without evidence or reason, 1.2 1/2 with a reason.
    """
    (tmp_path / "THU.v1.yaml").write_text(textwrap.dedent(SMALL_SET), encoding="utf-8")
    (criteria_set,) = sync_criteria_sets(tmp_path, FORMS_DIR)
    city = Unit(code="522", name="Thành phố Quảng Ngãi", kind="thành phố")
    other = Unit(code="21173", name="Phường Thạch Thang", kind="phường")
    city.children.extend([ward, other])
    db.session.add(city)
    db.session.commit()
    assessment_round = open_round(criteria_set, city)
    plan = upload_evidence(ward, "Kế hoạch CCHC năm 2025", "ke-hoach.pdf", io.BytesIO(PDF), by=unit_account)
    db.session.commit()
    first, second = the_assessment(assessment_round, ward), the_assessment(assessment_round, other)
    score(first, "1.1.1", "2", evidence=[plan])
    score(first, "1.1.2", "1,5", reason="Chưa số hóa hồ sơ")
    score(second, "1.1.1", "0,5", reason="Ban hành muộn")
    score(second, "1.1.2", "2")
    score(second, "1.2", "1", reason="Một bài viết")
    db.session.commit()
    return assessment_round


def rows_of(data: bytes, sheet: str | None = None) -> list[tuple]:
    workbook = load_workbook(io.BytesIO(data))
    return list((workbook[sheet] if sheet else workbook.worksheets[0]).values)


def test_the_gap_report_lists_points_lost_most_first_on_the_page_and_in_the_workbook(client, auth, small_round) -> None:
    auth.login("canbo")
    round_page = client.get(f"/admin/rounds/{small_round.id}").get_data(as_text=True)
    assert f"/admin/rounds/{small_round.id}/gaps" in round_page
    page = client.get(f"/admin/rounds/{small_round.id}/gaps").get_data(as_text=True)
    assert page.index("Ban hành kế hoạch") < page.index("Tuyên truyền") < page.index("Thực hiện kế hoạch")

    response = client.get(f"/admin/rounds/{small_round.id}/gaps.xlsx")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    header, *rows = rows_of(response.get_data())
    db.session.rollback()
    exported = db.session.scalar(select(AuditEntry).filter_by(action=AuditAction.EXPORTED))
    assert exported.details["file"] == f"chi-so-cchc-nam-nay_diem-bi-mat_{local_today():%Y-%m-%d}.xlsx"
    assert header[:8] == (
        "Mã tiêu chí",
        "Tiêu chí",
        "Mã đơn vị",
        "Đơn vị",
        "Điểm tối đa",
        "Điểm đạt",
        "Điểm bị mất",
        "Cơ quan chủ trì",
    )
    # Counted by hand: maximum − self-assessed points; full points (21172's 1.1.1, 21173's
    # 1.1.2) lose none and are not listed; unknown points come last, in the set's order.
    assert [(row[0], row[2], row[6]) for row in rows] == [
        ("1.1.1", "21173", 1.5),
        ("1.2", "21173", 1.0),
        ("1.1.2", "21172", 0.5),
        ("1.2", "21172", None),
        ("2.1", "21172", None),
        ("2.1", "21173", None),
        ("2.2", "21172", None),
        ("2.2", "21173", None),
    ]
    assert rows[0][7] == "Văn phòng - Thống kê" and rows[1][7] == "Văn hóa - Thông tin"
    assert rows[3][9] == "Chưa chấm điểm"
    assert rows[4][8] == "Chỉ số hài lòng (SIPAS)"
    assert rows[6][8] == "Nguồn khác, cán bộ nhập: Chỉ số phục vụ người dân, doanh nghiệp (Quyết định 766)"


def test_points_the_index_takes_from_another_source_count_in_the_points_lost(client, auth, small_round, ward) -> None:
    officer = db.session.scalar(select(User).filter_by(username="canbo"))
    enter_points(small_round, ward, "2.2", "0,25", "Quyết định 766: 25%", officer)
    db.session.commit()

    auth.login("canbo")
    _header, *rows = rows_of(client.get(f"/admin/rounds/{small_round.id}/gaps.xlsx").get_data())
    lost = {(row[0], row[2]): row[6] for row in rows}
    assert lost[("2.2", "21172")] == 0.75  # 1 − 0,25 entered by the officer
    assert lost[("2.2", "21173")] is None  # nothing entered: the item does not apply yet
    assert [(row[0], row[2]) for row in rows[:4]] == [  # most points lost first, then the unknowns
        ("1.1.1", "21173"),
        ("1.2", "21173"),
        ("2.2", "21172"),
        ("1.1.2", "21172"),
    ]


def test_appraised_points_replace_the_units_own_in_the_points_lost(client, auth, small_round, ward) -> None:
    first, second = the_assessment(small_round, ward), the_assessment(small_round, ward.parent.children[1])
    score(first, "1.2", "1", reason="Một bài viết")
    score(second, "1.1.2", "2", reason="Hồ sơ giấy")
    for assessment in (first, second):
        submit_self_assessment(assessment)
    open_appraisal(small_round)
    appraiser = existing_account(
        username="tdv1", full_name="Thẩm định viên", password=PASSWORD, role=UserRole.APPRAISER
    )
    assign_appraiser(small_round, appraiser, ward, None)
    db.session.commit()
    appraise_item(the_assessment(small_round, ward), "1.1.1", appraiser, AppraisalDraft(False, "1,25", "Thiếu phụ lục"))
    db.session.commit()

    auth.login("canbo")
    _header, *rows = rows_of(client.get(f"/admin/rounds/{small_round.id}/gaps.xlsx").get_data())
    lost = {(row[0], row[2]): row[6] for row in rows}
    assert lost[("1.1.1", "21172")] == 0.75  # 2 − 1,25 appraised (the unit gave itself 2)
    assert lost[("1.1.2", "21172")] == 0.5 and lost[("1.2", "21172")] == 1.0  # 2 − 1 self-assessed

    _header, *rows = rows_of(client.get(f"/admin/rounds/{small_round.id}/units/{ward.id}/scoring.xlsx").get_data())
    by_code = {row[0]: row for row in rows}
    assert by_code["1.1.1"][4:6] == (2, 1.25)
    assert by_code["1"][4:6] == (4.5, 1.25)  # 2 + 1,5 + 1 self-assessed; only 1.1.1 appraised so far


def test_each_department_sees_its_items_across_the_units(client, auth, small_round) -> None:
    auth.login("canbo")
    page = client.get(f"/admin/rounds/{small_round.id}/departments").get_data(as_text=True)
    positions = [page.index(name) for name in DEPARTMENTS]
    assert positions == sorted(positions)
    # Tư pháp - Hộ tịch cooperates on 1.1.1 and 1.1.2: 0 + 0,5 + 1,5 + 0 points lost; 21173's 1.1.2 lacks evidence.
    assert '<td class="num">2</td><td class="num">2</td><td class="num">1</td>' in page

    page = client.get(f"/admin/rounds/{small_round.id}/departments/2").get_data(as_text=True)
    assert "<h1>Văn hóa - Thông tin</h1>" in page
    assert "Có bài viết trên Trang thông tin điện tử" in page and "Chủ trì" in page
    assert "1.1.1" not in page
    assert "Chưa chấm điểm" in page  # 21172's 1.2
    assert "1 / 2" in page  # 21173's 1.2

    page = client.get(f"/admin/rounds/{small_round.id}/departments/3").get_data(as_text=True)
    # Văn phòng monitors area 1, so every item of it, and leads 1.1 and 2.1.
    assert "Theo dõi, Chủ trì" in page and "Chỉ số SIPAS" in page and "Tuyên truyền" in page
    assert "Chưa có tài liệu kiểm chứng hay lý do không có" in page  # 21173's 1.1.2
    assert "Chỉ số phục vụ" not in page  # 2.2 names no department
    assert client.get(f"/admin/rounds/{small_round.id}/departments/4").status_code == 404


def test_the_scoring_tables_hold_every_item_with_points_and_evidence(client, auth, small_round, ward) -> None:
    auth.login("canbo")
    unit_page = client.get(f"/admin/rounds/{small_round.id}/units/{ward.id}").get_data(as_text=True)
    assert f"/admin/rounds/{small_round.id}/units/{ward.id}/scoring.xlsx" in unit_page
    header, *rows = rows_of(client.get(f"/admin/rounds/{small_round.id}/units/{ward.id}/scoring.xlsx").get_data())
    assert header[:6] == (
        "Mã",
        "Lĩnh vực, tiêu chí, tiêu chí thành phần",
        "Điểm tối đa",
        "Cách chấm điểm",
        "Điểm tự chấm",
        "Điểm thẩm định",
    )
    assert [row[0] for row in rows] == ["1", "1.1", "1.1.1", "1.1.2", "1.2", "2", "2.1", "2.2", None]
    by_code = {row[0]: row for row in rows}
    assert by_code["1.1.1"][2:7] == (
        2,
        "Tự đánh giá, có tài liệu kiểm chứng, được thẩm định",
        2,
        None,
        "Kế hoạch CCHC năm 2025",
    )
    assert by_code["1.1.2"][7] == "Chưa số hóa hồ sơ"
    assert by_code["1"][2] == 6 and by_code["1"][4] == 3.5  # 2 + 1,5; 1.2 not scored
    assert by_code["1.2"][4] is None and by_code["2.1"][3] == "Chỉ số hài lòng (SIPAS)"
    assert rows[-1][1:5] == ("Tổng cộng", 10, None, 3.5)

    round_page = client.get(f"/admin/rounds/{small_round.id}").get_data(as_text=True)
    assert f"/admin/rounds/{small_round.id}/scoring.xlsx" in round_page
    workbook = load_workbook(io.BytesIO(client.get(f"/admin/rounds/{small_round.id}/scoring.xlsx").get_data()))
    assert workbook.sheetnames == ["Tổng hợp", "21172 Phường Trương Quang Trọng", "21173 Phường Thạch Thang"]
    assert list(workbook["Tổng hợp"].values)[1:] == [
        ("21172", "Phường Trương Quang Trọng", 6, 3.5, None),
        ("21173", "Phường Thạch Thang", 6, 3.5, None),
    ]
    assert list(workbook["21173 Phường Thạch Thang"].values)[-1][4] == 3.5  # 0,5 + 2 + 1


def test_names_and_titles_that_look_like_formulas_are_written_as_text(
    client, auth, small_round, ward, unit_account
) -> None:
    ward.name = '=HYPERLINK("http://attacker.example","Bấm vào đây")'
    hostile = upload_evidence(ward, "@SUM(1)", "tong.pdf", io.BytesIO(PDF), by=unit_account)
    db.session.commit()
    score(the_assessment(small_round, ward), "1.2", "1", evidence=[hostile])
    db.session.commit()
    auth.login("canbo")
    for path in ("gaps.xlsx", "scoring.xlsx", f"units/{ward.id}/scoring.xlsx"):
        texts = workbook_texts(client.get(f"/admin/rounds/{small_round.id}/{path}").get_data())
        assert not [text for text in texts if text.startswith(FORMULA_PREFIXES)]
        assert any(text.startswith(("'=HYPERLINK", "'@SUM")) for text in texts)


@pytest.mark.parametrize(
    "path", ["departments", "departments/1", "gaps", "gaps.xlsx", "scoring.xlsx", "units/{unit}/scoring.xlsx"]
)
def test_only_officers_open_the_reports(client, auth, small_round, ward, path) -> None:
    url = f"/admin/rounds/{small_round.id}/" + path.format(unit=ward.id)
    assert client.get(url).status_code == 302  # to log in
    auth.login("phuong")
    assert client.get(url).status_code == 403
    auth.login("canbo")
    assert client.get(url).status_code == 200


def test_a_unit_sees_its_targets_and_responsible_departments(client, auth, small_round) -> None:
    auth.login("phuong")
    page = client.get(f"/unit/rounds/{small_round.id}").get_data(as_text=True)
    assert "Chỉ tiêu:" in page and "Hoàn thành 100% kế hoạch" in page
    assert "Cơ quan theo dõi: Văn phòng - Thống kê." in page  # area 1's
    assert "Cơ quan chủ trì: Văn hóa - Thông tin." in page and "Cơ quan phối hợp: Tư pháp - Hộ tịch." in page


def test_the_gap_report_of_150_units_comes_a_page_at_a_time_and_the_workbook_whole(
    client, auth, tmp_path, officer
) -> None:
    """150 communes and wards, none scored yet: 5 rows each (3 items not scored, SIPAS, other)."""
    (tmp_path / "THU.v1.yaml").write_text(
        textwrap.dedent(SMALL_SET).replace("[phường]", "[phường, xã]"), encoding="utf-8"
    )
    (criteria_set,) = sync_criteria_sets(tmp_path, FORMS_DIR)
    city = Unit(code="522", name="Thành phố Quảng Ngãi", kind="thành phố")
    for number in range(150):
        kind = "xã" if number % 3 == 0 else "phường"
        city.children.append(Unit(code=f"{30000 + number}", name=f"{kind.capitalize()} số {number}", kind=kind))
    db.session.add(city)
    db.session.commit()
    assessment_round = open_round(criteria_set, city)
    auth.login("canbo")
    url = f"/admin/rounds/{assessment_round.id}/gaps"

    def units_listed(response) -> list[str]:
        return re.findall(r"<td>((?:Xã|Phường) số \d+)</td>", response.get_data(as_text=True))

    pages = [client.get(url, query_string={"page": number}) for number in range(1, 9)]
    assert all(len(page.get_data()) < 100_000 for page in pages)
    listed = [units_listed(page) for page in pages]
    assert [len(rows) for rows in listed] == [100] * 7 + [50]
    assert "Trang 1/8" in pages[0].get_data(as_text=True) and "Trang sau" in pages[0].get_data(as_text=True)
    # Page 2 goes on where page 1 stopped: every unit's five rows are on some page, once.
    everything = [unit for rows in listed for unit in rows]
    assert sorted(everything) == sorted(f"{unit.name}" for unit in city.children for _ in range(5))
    assert units_listed(client.get(url, query_string={"page": 99})) == listed[-1]  # the last page

    assert len(rows_of(client.get(f"{url}.xlsx").get_data())) == 1 + 750  # the header, then every row

    communes = client.get(url, query_string={"kind": "xã", "area": "1"})
    assert "Trang 2/2" not in communes.get_data(as_text=True)
    # 50 communes × 3 items of area 1 = 150 rows: two pages, only communes.
    assert "Trang 1/2" in communes.get_data(as_text=True)
    assert set(name.split()[0] for name in units_listed(communes)) == {"Xã"}
    second = client.get(url, query_string={"kind": "xã", "area": "1", "page": 2})
    assert len(units_listed(second)) == 50 and "Chỉ số SIPAS" not in second.get_data(as_text=True)

    unknown = client.get(url, query_string={"kind": "thị trấn"}).get_data(as_text=True)
    assert "Kỳ đánh giá không có đơn vị loại “thị trấn”" in unknown and "Trang 1/8" in unknown
