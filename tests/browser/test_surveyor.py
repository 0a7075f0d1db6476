"""A surveyor logs in, sees the quota of their residential group, types in a paper form, sees it counted;
on a phone, the first screen shows where forms are still missing, with the demo of the README too."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.instance_files import read_demo_accounts
from surveyapp.models import ANY_GROUP, QuotaPolicy, Response, ResponseMode, Unit, UserRole
from surveyapp.services.quotas import QuotaRule, plan_quotas, save_quotas
from surveyapp.services.responses import local_today
from tests.browser.conftest import answer_everything, audit_accessibility, log_in, save_screenshot
from tests.conftest import existing_account
from tests.helpers import PASSWORD, AuthActions, filled_form, submit


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
    assert "0/30 · thiếu 30" in item.inner_text()
    assert item.locator("progress").get_attribute("value") == "0"
    save_screenshot(screen, f"surveyor-{device}-progress-before")

    item.get_by_role("link", name="Nhập phiếu").click()
    assert screen.url == f"{live_server}/field/enter/{ward_campaign.id}/CX4/21172-T01"
    assert screen.get_by_label("Phiếu giấy").is_checked()
    first = definition.questions[0]
    legend = screen.locator(f"#q_{first.code} legend").inner_text()
    assert first.code in legend, "the question's code, as printed on the paper form"
    assert screen.locator(f"#q_{first.code} .option .paper-code").all_inner_texts() == [
        str(option.value) for option in first.choices
    ], "each option's letter, as printed"
    answer_everything(screen, definition)
    save_screenshot(screen, f"surveyor-{device}-paper-form")
    screen.get_by_role("button", name="Gửi phiếu").click()

    assert "Đã lưu phiếu" in screen.locator(".flash-success").inner_text()
    assert screen.locator("input:checked").count() == 1, "a blank form for the next paper form: only the mode"
    save_screenshot(screen, f"surveyor-{device}-form-saved")

    screen.get_by_role("link", name="← Danh sách phiếu").click()
    item = screen.locator(".progress-item").first
    assert "1/30 · thiếu 29" in item.inner_text()
    assert item.locator("progress").get_attribute("value") == "1"
    save_screenshot(screen, f"surveyor-{device}-progress-after")
    [response] = db.session.scalars(select(Response))
    assert response.mode is ResponseMode.PAPER and response.unit.code == "21172-T01"


@pytest.fixture
def six_groups(client, make_campaign):
    """A surveyor covering six residential groups of CX4, 9 forms each, 20 days in and 10 left:
    forms typed in so that three are behind schedule, two on pace and one complete."""
    ward = Unit(code="W700", name="Phường Sáu Tổ", kind="phường")
    ward.children.extend(Unit(code=f"W700-T{n}", name=f"Tổ dân phố {n}", kind="tổ dân phố") for n in range(1, 7))
    db.session.add(ward)
    db.session.commit()
    existing_account(
        username="dtv6", full_name="Điều tra viên Sáu", password=PASSWORD, role=UserRole.SURVEYOR, units=ward.children
    )
    today = local_today()
    campaign = make_campaign(
        ["CX4"], list(ward.children), opens_on=today - dt.timedelta(days=20), closes_on=today + dt.timedelta(days=10)
    )
    plan = plan_quotas(campaign, [QuotaRule(campaign.questionnaire_by_code("CX4"), ANY_GROUP, 9)])
    save_quotas(campaign, plan, QuotaPolicy.FLAG_EXCESS)
    db.session.commit()
    AuthActions(client).login("dtv6")
    answers = {**filled_form(campaign.questionnaires[0].definition), "mode": "paper"}
    for number, forms in enumerate([9, 7, 0, 3, 8, 5], start=1):
        for _ in range(forms):
            assert submit(client, f"/field/enter/{campaign.id}/CX4/W700-T{number}", answers).status_code == 302
    return campaign


def test_the_first_phone_screen_shows_the_summary_and_every_unit_still_missing_forms_most_urgent_first(
    live_server, phone, axe_js, six_groups
) -> None:
    log_in(phone, live_server, "dtv6")
    height = phone.viewport_size["height"]

    summary = phone.locator(".worklist-summary")
    assert summary.inner_text() == "1/6 đơn vị đủ chỉ tiêu · còn thiếu 22 phiếu · còn 10 ngày"
    items = phone.locator(".progress-item")
    names = [items.nth(i).locator("strong").inner_text() for i in range(items.count())]
    # Behind schedule first (pace: 9 × 21/31 ≈ 6.1 forms by today), each part by forms missing.
    assert names == [f"Tổ dân phố {n}" for n in (3, 4, 6, 2, 5, 1)]
    assert [items.nth(i).locator(".badge-late").count() for i in range(6)] == [1, 1, 1, 0, 0, 0]
    save_screenshot(phone, "surveyor-phone-worklist")
    first_screen = [summary, *(items.nth(i) for i in range(5))]
    for shown in first_screen:
        box = shown.bounding_box()
        assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= height, shown
    entry = items.nth(0).get_by_role("link", name="Nhập phiếu")
    assert entry.bounding_box()["y"] + entry.bounding_box()["height"] <= height, "the action is one tap away"
    assert entry.get_attribute("href").endswith(f"/field/enter/{six_groups.id}/CX4/W700-T3")
    audit_accessibility(phone, axe_js)


def test_the_demo_surveyors_first_phone_screen_shows_the_ward_survey_and_five_residential_groups(
    app, runner, live_server, phone, axe_js
) -> None:
    """The README's demo (``make run``): the ward's CX4 survey, whose quota counts citizens only,
    comes before the one-stop desk's SIPAS survey without a quota (newer, so listed first before)."""
    result = runner.invoke(args=["load-demo"])
    assert result.exit_code == 0, result.output
    password = read_demo_accounts(Path(app.config["DEMO_ACCOUNTS_FILE"]))["dtv.truongquangtrong"]
    log_in(phone, live_server, "dtv.truongquangtrong", password)
    height = phone.viewport_size["height"]

    first = phone.locator(".worklist").first
    assert first.locator("h2").inner_text().startswith("Điều tra xã hội học xác định Chỉ số CCHC năm 2022")
    groups = first.locator(".worklist-groups").all_inner_texts()
    assert any(line.startswith("CX4: chỉ tiêu chỉ tính nhóm Người dân có giao dịch với UBND cấp xã") for line in groups)
    items = first.locator(".progress-item")
    assert all("Người dân" not in items.nth(i).inner_text() for i in range(items.count())), "the group is named once"
    assert first.locator(".contacts").count() == 0, "no people were drawn in the demo: no contact list to open"
    save_screenshot(phone, "surveyor-phone-demo-worklist")
    for shown in [first.locator(".worklist-summary"), *(items.nth(i) for i in range(5))]:
        box = shown.bounding_box()
        assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= height, shown.inner_text()
    for link in [items.nth(i).get_by_role("link", name="Nhập phiếu") for i in range(5)]:
        assert link.bounding_box()["height"] >= 44, "a thumb's target"
    audit_accessibility(phone, axe_js)
