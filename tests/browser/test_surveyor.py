"""A surveyor logs in, sees the quota of their residential group, types in a paper form, sees it counted."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import ANY_GROUP, QuotaPolicy, Response, ResponseMode
from surveyapp.services.quotas import QuotaRule, plan_quotas, save_quotas
from tests.browser.conftest import answer_everything, log_in, save_screenshot


@pytest.fixture
def ward_campaign(make_campaign, ward):
    """An open PAR campaign (CX4, citizens) over the ward and its residential groups, 30 forms each."""
    campaign = make_campaign(["CX4"], [ward, *ward.children])
    plan = plan_quotas(campaign, [QuotaRule(campaign.questionnaire_by_code("CX4"), ANY_GROUP, 30)])
    save_quotas(campaign, plan, QuotaPolicy.CLOSE_WHEN_FULL)
    db.session.commit()
    return campaign


def test_a_surveyor_types_in_a_paper_form_and_sees_the_progress_go_up(
    live_server, screen, device, surveyor, ward_campaign
) -> None:
    definition = ward_campaign.questionnaires[0].definition
    screen.goto(f"{live_server}/login")
    save_screenshot(screen, f"surveyor-{device}-login")

    log_in(screen, live_server, "dtv1")

    assert screen.url == f"{live_server}/field/"
    items = screen.locator(".progress-item")
    assert items.count() == 1, "only the residential group this surveyor covers"
    item = items.first
    assert "Tổ dân phố 1" in item.inner_text()
    assert "Chỉ tiêu 30 · đã thu 0 · còn thiếu 30" in item.inner_text()
    assert item.locator("progress").get_attribute("value") == "0"
    save_screenshot(screen, f"surveyor-{device}-progress-before")

    item.get_by_role("link", name="Nhập phiếu").click()
    assert screen.url == f"{live_server}/field/enter/{ward_campaign.id}/CX4/21172-T01"
    assert screen.get_by_label("Phiếu giấy").is_checked()
    answer_everything(screen, definition)
    save_screenshot(screen, f"surveyor-{device}-paper-form")
    screen.get_by_role("button", name="Gửi phiếu").click()

    assert "Đã lưu phiếu" in screen.locator(".flash-success").inner_text()
    assert screen.locator("input:checked").count() == 1, "a blank form for the next paper form: only the mode"
    save_screenshot(screen, f"surveyor-{device}-form-saved")

    screen.get_by_role("link", name="← Danh sách phiếu").click()
    item = screen.locator(".progress-item").first
    assert "Chỉ tiêu 30 · đã thu 1 · còn thiếu 29" in item.inner_text()
    assert item.locator("progress").get_attribute("value") == "1"
    save_screenshot(screen, f"surveyor-{device}-progress-after")
    [response] = db.session.scalars(select(Response))
    assert response.mode is ResponseMode.PAPER and response.unit.code == "21172-T01"
