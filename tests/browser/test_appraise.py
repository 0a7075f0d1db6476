"""An appraiser logs in, finds the unit assigned, and changes an item's points: refused without
a reason, saved with one, beside the unit's own points, on a phone and a desktop. Then the unit
explains an item after appraisal 1 and the appraiser decides it in appraisal 2."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import AppraisalScore, SelfScore
from surveyapp.services.assessment_rounds import open_appraisal_2, open_explanation
from surveyapp.services.unit_appraisals import appraised_points, assign_appraiser
from tests.browser.conftest import audit_accessibility, log_in, save_screenshot
from tests.web.test_appraisal import appraiser_account, submitted_round
from tests.web.test_explanation import appraised_round
from tests.web.test_self_assessment import the_assessment


def test_an_appraiser_changes_an_items_points_with_a_reason(
    live_server, screen, device, axe_js, criteria_sets, ward, unit_account
) -> None:
    assessment_round = submitted_round(criteria_sets["CCHC-XA"], ward)
    assign_appraiser(assessment_round, appraiser_account("tdv1", "Thẩm định viên Một"), ward, None)
    db.session.commit()

    log_in(screen, live_server, "tdv1")
    assert screen.url == f"{live_server}/appraise/"
    audit_accessibility(screen, axe_js)
    screen.get_by_role("link", name="Phường Trương Quang Trọng").click()
    item = screen.locator("#item-1\\.1\\.1")
    assert "Điểm tự chấm: 0,5" in item.inner_text()
    audit_accessibility(screen, axe_js)
    save_screenshot(screen, f"appraise-{device}-unit")

    item.get_by_label("Chấm điểm khác", exact=True).check()
    item.get_by_label("Điểm thẩm định", exact=True).fill("1")
    item.get_by_role("button", name="Lưu thẩm định tiêu chí 1.1.1").click()
    item = screen.locator("#item-1\\.1\\.1")
    assert "khác điểm tự chấm (0,5): hãy ghi lý do." in item.locator(".error").inner_text()
    audit_accessibility(screen, axe_js)

    item.get_by_label("Chấm điểm khác", exact=True).check()
    item.get_by_label("Điểm thẩm định", exact=True).fill("1")
    item.get_by_label("Lý do chấm điểm khác").fill("Kế hoạch ban hành đúng hạn")
    item.get_by_role("button", name="Lưu thẩm định tiêu chí 1.1.1").click()
    assert "Đã lưu kết quả thẩm định tiêu chí 1.1.1." in screen.locator(".flash-success").inner_text()
    assert "Điểm thẩm định: 1 — Kế hoạch ban hành đúng hạn" in screen.locator("#item-1\\.1\\.1").inner_text()
    save_screenshot(screen, f"appraise-{device}-saved")
    db.session.rollback()
    assert db.session.scalar(select(AppraisalScore).filter_by(code="1.1.1")).points == 1.0
    assert db.session.scalar(select(SelfScore).filter_by(code="1.1.1")).points == 0.5


def test_a_unit_explains_an_item_and_the_appraiser_decides_it_in_appraisal_2(
    live_server, screen, device, axe_js, criteria_sets, ward, unit_account, officer
) -> None:
    appraiser = appraiser_account("tdv1", "Thẩm định viên Một")
    assessment_round = appraised_round(criteria_sets["CCHC-XA"], ward, appraiser)
    open_explanation(assessment_round, dt.date.today() + dt.timedelta(days=5))
    db.session.commit()

    log_in(screen, live_server, "phuong")
    screen.goto(f"{live_server}/unit/rounds/{assessment_round.id}")
    item = screen.locator("#item-1\\.1\\.1")
    assert "Điểm thẩm định lần 1: 0 — lý do: Kế hoạch ban hành chậm" in item.inner_text()
    item.get_by_text("Giải trình nếu đơn vị chưa đồng ý với điểm thẩm định").click()
    item.get_by_label("Điểm đơn vị đề nghị").fill("1,25")
    item.get_by_role("button", name="Lưu giải trình tiêu chí 1.1.1").click()
    item = screen.locator("#item-1\\.1\\.1")
    assert "Hãy ghi nội dung giải trình của tiêu chí 1.1.1." in item.locator(".error").inner_text()
    assert item.get_by_label("Điểm đơn vị đề nghị").input_value() == "1,25"  # kept as typed
    audit_accessibility(screen, axe_js)
    item.get_by_label("Nội dung giải trình").fill("Kế hoạch ban hành ngày 10/01, đúng hạn")
    item.get_by_role("button", name="Lưu giải trình tiêu chí 1.1.1").click()
    assert "Đã lưu giải trình tiêu chí 1.1.1." in screen.locator(".flash-success").inner_text()
    save_screenshot(screen, f"explain-{device}-unit")
    screen.get_by_role("button", name="Gửi giải trình (1 tiêu chí)").click()
    assert "Đã gửi giải trình." in screen.locator(".flash-success").inner_text()
    assert "điểm đề nghị: 1,25" in screen.locator("#item-1\\.1\\.1").inner_text()

    open_appraisal_2(assessment_round)
    db.session.commit()
    log_in(screen, live_server, "tdv1")
    screen.get_by_role("link", name="Phường Trương Quang Trọng").click()
    item = screen.locator("#item-1\\.1\\.1")
    assert "Kế hoạch ban hành ngày 10/01, đúng hạn" in item.inner_text()
    audit_accessibility(screen, axe_js)
    item.get_by_label("Chấp nhận điểm đơn vị đề nghị").check()
    item.get_by_role("button", name="Lưu thẩm định lần 2 tiêu chí 1.1.1").click()
    assert "Đã lưu kết quả thẩm định lần 2 tiêu chí 1.1.1." in screen.locator(".flash-success").inner_text()
    assert "Thẩm định lần 2: Chấp nhận điểm đơn vị đề nghị — 1,25" in screen.locator("#item-1\\.1\\.1").inner_text()
    save_screenshot(screen, f"explain-{device}-appraisal-2")
    db.session.rollback()
    assert appraised_points(the_assessment(assessment_round, ward))["1.1.1"] == 1.25
