"""A PAR Index round from its creation to the public page, in a browser, once per seed plan:
the ward of seed 000 on the commune set, through every stage, and the communes of seed 001's
district, ranked and published. What a person does goes through the pages (and axe-core); what
would take them days of typing (the other items' points, the survey's and SIPAS's responses) is
set up through the services."""

from __future__ import annotations

import csv
import datetime as dt
import io

from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import AssessmentRound, Campaign, Publication, RoundStage, Unit
from surveyapp.services.assessment_rounds import (
    RoundDraft,
    close_appraisal,
    create_round,
    open_appraisal,
    open_appraisal_2,
    open_explanation,
    open_self_assessment,
)
from surveyapp.services.evidence import upload_evidence
from surveyapp.services.explanations import submit_explanation
from surveyapp.services.publications import Decision, publish_round_index
from surveyapp.services.response_import import import_responses
from surveyapp.services.results.raw_layout import HEAD_COLUMNS
from surveyapp.services.self_assessments import ScoreDraft, get_round_assessments, save_score, submit_self_assessment
from surveyapp.services.unit_appraisals import (
    AppraisalDraft,
    appraise_item,
    appraised_points,
    assign_appraiser,
    finish_appraisal,
)
from tests.browser.conftest import audit_accessibility, log_in, save_screenshot
from tests.web.test_appraisal import appraiser_account
from tests.web.test_results import SIPAS_ITEMS, sipas_csv
from tests.web.test_self_assessment import PDF, complete_all_but, the_assessment

DECISION = "Quyết định số 25/QĐ-UBND"
# The forms of the commune set's survey (CCHC-XA names XA1-XA4): a respondent group of each and
# its number of rated questions.
SURVEY_FORMS = {
    "XA1": ("council_delegate", 11),
    "XA2": ("commune_official", 13),
    "XA3": ("citizen", 11),
    "XA4": ("business", 11),
}


def survey_csv(questionnaire: str, units: list[str], rating: str = "B") -> bytes:
    """One response of ``questionnaire`` per unit code, rating every question ``rating``."""
    group, count = SURVEY_FORMS[questionnaire]
    items = [f"{questionnaire}_{number:02d}" for number in range(1, count + 1)]
    stream = io.StringIO()
    writer = csv.DictWriter(stream, fieldnames=[*HEAD_COLUMNS, *items])
    writer.writeheader()
    for unit in units:
        writer.writerow(
            {"Mẫu phiếu": questionnaire, "Mã đơn vị": unit, "Đối tượng": group, "Lĩnh vực": "Hộ tịch"}
            | dict.fromkeys(items, rating)
        )
    return stream.getvalue().encode("utf-8")


def surveyed(make_campaign, units: list[Unit]) -> tuple[Campaign, Campaign]:
    """A PAR campaign of the commune set's forms over ``units``, one response per form and unit
    rating every question "B" (coefficient 0,6); and a SIPAS campaign with four responses per
    unit, three satisfied with everything (5) and one with nothing (2)."""
    codes = [unit.code for unit in units]
    par = make_campaign(list(SURVEY_FORMS), units)
    par.name = "Điều tra xã hội học Chỉ số CCHC"
    for questionnaire in SURVEY_FORMS:
        import_responses(par, "phieu.csv", io.BytesIO(survey_csv(questionnaire, codes)))
    sipas = make_campaign(["SIPAS-2017"], units)
    sipas.name = "Khảo sát SIPAS"
    for code in codes:
        data = sipas_csv([{}] * 3 + [dict.fromkeys(SIPAS_ITEMS, 2)], unit=code)
        import_responses(sipas, "phieu.csv", io.BytesIO(data))
    db.session.commit()
    return par, sipas


def link_index_sources(page, par: Campaign, sipas: Campaign) -> None:
    """On the round's index page, the officer links the PAR and SIPAS campaigns."""
    page.get_by_label("Đợt điều tra Chỉ số CCHC (điểm điều tra xã hội học)").select_option(
        label=f"{par.name} ({par.year})"
    )
    page.get_by_label("Đợt khảo sát SIPAS (điểm chỉ số hài lòng)").select_option(label=f"{sipas.name} ({sipas.year})")
    page.get_by_role("button", name="Lưu nguồn điểm").click()
    assert "Đã lưu nguồn điểm điều tra và SIPAS" in page.locator(".flash-success").inner_text()


def the_round() -> AssessmentRound:
    db.session.rollback()  # see what the pages committed
    return db.session.scalar(select(AssessmentRound))


def officer_clicks(page, live_server: str, assessment_round: AssessmentRound, button: str, done: str) -> None:
    """The officer opens the round's page and moves it on with ``button``."""
    page.goto(f"{live_server}/admin/rounds/{assessment_round.id}")
    page.get_by_role("button", name=button, exact=True).click()
    assert done in page.locator(".flash-success").inner_text()


def test_a_wards_round_from_creation_to_the_public_page(
    live_server, screen, device, axe_js, officer, criteria_sets, ward, unit_account, make_campaign
) -> None:
    """The ward scores 1.1.1 at 1,25 citing its plan, and every other of the 45 self-assessed
    items at 0,5 (44 × 0,5 = 22). The appraiser lowers 1.1.1 to 0,5; the ward explains it and
    appraisal 2 accepts the 1,25 it proposes: 22 + 1,25 = 23,25 of the 66 self-assessed points.
    The officer links the survey and SIPAS campaigns on the index page. Survey: the 22 survey
    items take 26 sub-criteria of the forms XA1-XA4, 22 points at most; every answer is "B"
    (0,6), so each sub-criterion earns 0,6 × its maximum: 22 × 0,6 = 13,2. SIPAS: three of four
    respondents satisfied with everything, one with nothing, an index of 75 %: 8.1.1 (4 points,
    bands) earns 2 (at least 70 %), 8.1.2 (6 points, proportional) 6 × 0,75 = 4,5, so 6,5 of 10.
    Only 3.3.3 (2 points, Decision 766, typed by the officer) is missing and leaves the maximum:
    23,25 + 13,2 + 6,5 = 42,95 of 66 + 22 + 10 = 98 points, 42,95 / 98 = 43,827 % (43,83 %
    published), class D (under 70), rank 1 of 1."""
    par, sipas = surveyed(make_campaign, [ward])
    appraiser = appraiser_account("tdv1", "Thẩm định viên Một")
    plan = upload_evidence(ward, "Kế hoạch CCHC năm nay", "ke-hoach.pdf", io.BytesIO(PDF), by=unit_account)
    db.session.commit()
    today = dt.date.today()
    log_in(screen, live_server, "canbo")
    screen.goto(f"{live_server}/admin/rounds/new")
    screen.get_by_label("Tên kỳ đánh giá").fill("Chỉ số CCHC phường Trương Quang Trọng")
    screen.get_by_label("Bộ chỉ số").select_option(label=f"CCHC-XA v1 — {criteria_sets['CCHC-XA'].title}")
    screen.get_by_label("Đơn vị tổ chức đánh giá").select_option(label="Phường Trương Quang Trọng (phường)")
    screen.get_by_label("Ngày bắt đầu tự đánh giá").fill(f"{today:%Y-%m-%d}")
    screen.get_by_label("Hạn tự đánh giá").fill(f"{today + dt.timedelta(days=10):%Y-%m-%d}")
    screen.get_by_role("button", name="Tạo kỳ đánh giá").click()
    assert "Đã tạo kỳ đánh giá." in screen.locator(".flash-success").inner_text()
    screen.get_by_role("button", name="Mở tự đánh giá").click()
    assert "Đã mở tự đánh giá." in screen.locator(".flash-success").inner_text()
    screen.get_by_label("Thẩm định viên").select_option(label="Thẩm định viên Một (tdv1)")
    screen.get_by_label("Đơn vị", exact=True).select_option(label="21172 — Phường Trương Quang Trọng")
    screen.get_by_role("button", name="Phân công", exact=True).click()
    assert "Đã phân công Thẩm định viên Một thẩm định" in screen.locator(".flash-success").inner_text()
    assessment_round = the_round()
    complete_all_but(the_assessment(assessment_round, ward), "1.1.1")

    # The ward scores the last item citing its plan, and submits.
    log_in(screen, live_server, "phuong")
    screen.get_by_role("link", name=assessment_round.name).click()
    item = screen.locator('[id="item-1.1.1"]')
    item.get_by_label("Điểm tự chấm").fill("1,25")
    item.get_by_label("Giải thích cách chấm").fill("Kế hoạch CCHC ban hành ngày 10/01")
    item.get_by_label("Trích dẫn thêm tài liệu").select_option(label=f"{plan.title} ({plan.file_name})")
    item.get_by_role("button", name="Lưu tiêu chí 1.1.1").click()
    assert "Đã lưu tiêu chí 1.1.1." in screen.locator(".flash-success").inner_text()
    assert "Đã hoàn thành 45/45 tiêu chí tự chấm." in screen.inner_text("main")
    screen.get_by_role("button", name="Gửi bản tự đánh giá").click()
    assert "Đã gửi bản tự đánh giá" in screen.locator(".flash-success").inner_text()
    audit_accessibility(screen, axe_js)

    # Appraisal 1: 1.1.1 lowered with a reason in the browser, the others accepted.
    log_in(screen, live_server, "canbo")
    officer_clicks(screen, live_server, assessment_round, "Mở thẩm định", "Đã mở thẩm định")
    assessment = the_assessment(assessment_round, ward)
    for node in assessment_round.criteria_set.definition.self_assessed[1:]:
        appraise_item(assessment, node.code, appraiser, AppraisalDraft(is_accepted=True, points="", reason=""))
    db.session.commit()
    log_in(screen, live_server, "tdv1")
    screen.get_by_role("link", name="Phường Trương Quang Trọng").click()
    item = screen.locator('[id="item-1.1.1"]')
    item.get_by_label("Chấm điểm khác", exact=True).check()
    item.get_by_label("Điểm thẩm định", exact=True).fill("0,5")
    item.get_by_label("Lý do chấm điểm khác").fill("Kế hoạch ban hành chậm")
    item.get_by_role("button", name="Lưu thẩm định tiêu chí 1.1.1").click()
    assert "Đã lưu kết quả thẩm định tiêu chí 1.1.1." in screen.locator(".flash-success").inner_text()
    screen.get_by_role("button", name="Hoàn thành thẩm định lần 1").click()
    assert "Đã hoàn thành thẩm định lần 1" in screen.locator(".flash-success").inner_text()

    # The officer opens the explanation; the ward explains 1.1.1 and sends it.
    log_in(screen, live_server, "canbo")
    screen.goto(f"{live_server}/admin/rounds/{assessment_round.id}")
    screen.get_by_label("Hạn giải trình").fill(f"{today + dt.timedelta(days=5):%Y-%m-%d}")
    screen.get_by_role("button", name="Mở giải trình").click()
    assert "Đã mở giải trình" in screen.locator(".flash-success").inner_text()
    log_in(screen, live_server, "phuong")
    screen.goto(f"{live_server}/unit/rounds/{assessment_round.id}")
    item = screen.locator('[id="item-1.1.1"]')
    assert "Điểm thẩm định lần 1: 0,5 — lý do: Kế hoạch ban hành chậm" in item.inner_text()
    item.get_by_text("Giải trình nếu đơn vị chưa đồng ý với điểm thẩm định").click()
    item.get_by_label("Điểm đơn vị đề nghị").fill("1,25")
    item.get_by_label("Nội dung giải trình").fill("Kế hoạch ban hành ngày 10/01, đúng hạn")
    item.get_by_role("button", name="Lưu giải trình tiêu chí 1.1.1").click()
    assert "Đã lưu giải trình tiêu chí 1.1.1." in screen.locator(".flash-success").inner_text()
    screen.get_by_role("button", name="Gửi giải trình (1 tiêu chí)").click()
    assert "Đã gửi giải trình." in screen.locator(".flash-success").inner_text()

    # Appraisal 2 accepts the proposal; the officer closes the appraisal.
    log_in(screen, live_server, "canbo")
    officer_clicks(screen, live_server, assessment_round, "Mở thẩm định lần 2", "Đã mở thẩm định lần 2")
    log_in(screen, live_server, "tdv1")
    screen.get_by_role("link", name="Phường Trương Quang Trọng").click()
    item = screen.locator('[id="item-1.1.1"]')
    item.get_by_label("Chấp nhận điểm đơn vị đề nghị").check()
    item.get_by_role("button", name="Lưu thẩm định lần 2 tiêu chí 1.1.1").click()
    assert "Đã lưu kết quả thẩm định lần 2 tiêu chí 1.1.1." in screen.locator(".flash-success").inner_text()
    log_in(screen, live_server, "canbo")
    officer_clicks(screen, live_server, assessment_round, "Kết thúc thẩm định", "Đã kết thúc thẩm định")
    assert the_round().stage is RoundStage.CLOSED
    assert sum(appraised_points(the_assessment(assessment_round, ward)).values()) == 23.25

    # The index with the survey and SIPAS points: 42,95 of 98 → 43,827 %, D, nothing
    # provisional, only 3.3.3 not counted; published, then public.
    screen.get_by_role("link", name="Chỉ số CCHC của các đơn vị").click()
    link_index_sources(screen, par, sipas)
    row = screen.locator("table.index-ranking tbody tr").first
    assert row.get_attribute("id") == "unit-21172"
    cells = row.inner_text().split("\t")
    assert cells[3:] == ["42,95", "98", "43,827", "D", "—", "3.3.3"]
    assert "Kết quả tạm tính:" not in screen.inner_text("main")
    audit_accessibility(screen, axe_js)
    save_screenshot(screen, f"whole-round-{device}-index")
    screen.get_by_role("link", name="Công bố Chỉ số CCHC").click()
    screen.get_by_label("Quyết định phê duyệt kết quả").fill(DECISION)
    screen.get_by_label("Ngày ký quyết định").fill(f"{today:%Y-%m-%d}")
    screen.get_by_role("button", name="Công bố", exact=True).click()
    assert DECISION in screen.inner_text("main")
    screen.goto(f"{live_server}/cong-bo/")
    screen.get_by_role("link", name=assessment_round.name).click()
    row = screen.locator("tr", has_text="Phường Trương Quang Trọng").first
    assert "42,95" in row.inner_text() and "43,83" in row.inner_text()
    audit_accessibility(screen, axe_js)
    save_screenshot(screen, f"whole-round-{device}-public")
    db.session.rollback()
    assert db.session.scalar(select(Publication)).decision == DECISION


# Seed 001's district and some of its communes; its town (thị trấn) is no commune of today's
# set (CCHC-XA assesses xã, phường, đặc khu), so the round leaves it out.
DISTRICT_COMMUNES = {"19117": "Xã Xuân Trạch", "19123": "Xã Hạ Mỹ", "19126": "Xã Bắc Trạch", "19129": "Xã Lâm Trạch"}
# The points each commune gives itself for 1.1.1 (every other item: 0,5).
FIRST_ITEM_POINTS = {"19117": "1", "19123": "1,25", "19126": "0,5", "19129": "1"}


def district_round_in_appraisal_2(criteria_set) -> AssessmentRound:
    """Bố Trạch's communes assessed, appraised (every item accepted), no explanation sent, in
    appraisal 2: what weeks of the officers', units' and appraisers' work leave behind."""
    district = Unit(code="455", name="Huyện Bố Trạch", kind="huyện")
    district.children.append(Unit(code="19111", name="Thị trấn Hoàn Lão", kind="thị trấn"))
    district.children.extend(Unit(code=code, name=name, kind="xã") for code, name in DISTRICT_COMMUNES.items())
    db.session.add(district)
    db.session.commit()
    today = dt.date.today()
    assessment_round = create_round(
        RoundDraft("Chỉ số CCHC các xã huyện Bố Trạch", today.year, criteria_set.id, district.id, today, today)
    )
    open_self_assessment(assessment_round)
    appraiser = appraiser_account("tdv1", "Thẩm định viên Một")
    assessments = get_round_assessments(assessment_round)
    for assessment in assessments:
        complete_all_but(assessment, "1.1.1")
        save_score(assessment, "1.1.1", ScoreDraft(FIRST_ITEM_POINTS[assessment.unit.code], "", (), "Bản giấy"))
        submit_self_assessment(assessment)
        assign_appraiser(assessment_round, appraiser, assessment.unit, None)
    open_appraisal(assessment_round)
    for assessment in assessments:
        for node in criteria_set.definition.self_assessed:
            appraise_item(assessment, node.code, appraiser, AppraisalDraft(is_accepted=True, points="", reason=""))
        finish_appraisal(assessment, appraiser)
    open_explanation(assessment_round, today)
    for assessment in assessments:
        submit_explanation(assessment)
    open_appraisal_2(assessment_round)
    db.session.commit()
    return assessment_round


def test_a_districts_communes_are_ranked_and_the_public_ranking_is_right(
    live_server, screen, device, axe_js, officer, criteria_sets, make_campaign
) -> None:
    """Every commune scores 44 items at 0,5 (22 points) and 1.1.1 as ``FIRST_ITEM_POINTS``;
    appraisal accepts it all. The survey and SIPAS campaigns linked on the index page give each
    commune the same 13,2 survey points and 6,5 SIPAS points as the ward's round (19,7 of 32),
    so of 98 points: Hạ Mỹ 23,25 + 19,7 = 42,95 → 43,827 %, rank 1; Xuân Trạch and Lâm Trạch
    23 + 19,7 = 42,7 → 43,571 %, both rank 2 (a tie shares its rank); Bắc Trạch 22,5 + 19,7 =
    42,2 → 43,061 %, rank 4 (not 3). Hoàn Lão, a town, is not in the round."""
    assessment_round = district_round_in_appraisal_2(criteria_sets["CCHC-XA"])
    par, sipas = surveyed(make_campaign, [assessment.unit for assessment in get_round_assessments(assessment_round)])
    log_in(screen, live_server, "canbo")
    officer_clicks(screen, live_server, assessment_round, "Kết thúc thẩm định", "Đã kết thúc thẩm định")
    screen.get_by_role("link", name="Chỉ số CCHC của các đơn vị").click()
    link_index_sources(screen, par, sipas)
    expected = [
        ("1", "19123", "42,95", "43,827", "43,83"),
        ("2", "19117", "42,7", "43,571", "43,57"),
        ("2", "19129", "42,7", "43,571", "43,57"),
        ("4", "19126", "42,2", "43,061", "43,06"),
    ]
    rows = screen.locator("table.index-ranking tbody tr")
    assert rows.count() == 4 and "Hoàn Lão" not in screen.inner_text("main")
    for number, (rank, code, points, percent, _rounded) in enumerate(expected):
        cells = rows.nth(number).inner_text().split("\t")
        assert (cells[0], cells[1], cells[3], cells[4], cells[5]) == (rank, code, points, "98", percent)
    audit_accessibility(screen, axe_js)
    screen.get_by_role("link", name="Công bố Chỉ số CCHC").click()
    screen.get_by_label("Quyết định phê duyệt kết quả").fill(DECISION)
    screen.get_by_label("Ngày ký quyết định").fill(f"{dt.date.today():%Y-%m-%d}")
    screen.get_by_role("button", name="Công bố", exact=True).click()

    screen.goto(f"{live_server}/cong-bo/")
    screen.get_by_role("link", name=assessment_round.name).click()
    assert DECISION in screen.inner_text("main")
    table = screen.locator("table", has_text="Xã Hạ Mỹ").first
    published = [row.inner_text() for row in table.locator("tbody tr").all()]
    assert len(published) == 4
    for line, (rank, code, _points, _percent, rounded) in zip(published, expected, strict=True):
        cells = line.split("\t")
        assert (cells[1], cells[2], cells[5], cells[7]) == (code, DISTRICT_COMMUNES[code], rounded, rank)
    audit_accessibility(screen, axe_js)
    save_screenshot(screen, f"whole-round-{device}-district-public")


def test_a_published_ranking_reads_without_rows_stretched_by_a_long_cell(
    live_server, screen, device, axe_js, officer, criteria_sets
) -> None:
    """The column of the items that do not count (25 codes here, no survey being linked) once
    squeezed the public table's rows to 25 lines each (650 px), on a phone as on a desktop; the
    public page now has the width of the officer's preview and a long text keeps a readable
    width, so a row is a few lines (under 250 px)."""
    assessment_round = district_round_in_appraisal_2(criteria_sets["CCHC-XA"])
    close_appraisal(assessment_round)
    publication = publish_round_index(assessment_round, Decision(DECISION, dt.date.today()))
    db.session.commit()
    screen.goto(f"{live_server}/cong-bo/{publication.slug}")
    rows = screen.locator("table.published", has_text="Xã Hạ Mỹ").first.locator("tbody tr")
    heights = [rows.nth(number).bounding_box()["height"] for number in range(rows.count())]
    assert len(heights) == 4 and max(heights) < 250, heights
    audit_accessibility(screen, axe_js)
    save_screenshot(screen, f"whole-round-{device}-long-cells")
