"""An appraiser logs in, finds the unit assigned, and changes an item's points: refused without
a reason, saved with one, beside the unit's own points, on a phone and a desktop."""

from __future__ import annotations

from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import AppraisalScore, SelfScore
from surveyapp.services.unit_appraisals import assign_appraiser
from tests.browser.conftest import audit_accessibility, log_in, save_screenshot
from tests.web.test_appraisal import appraiser_account, submitted_round


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
