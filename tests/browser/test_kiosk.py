"""The desk kiosk in Chromium: three people answer in a row on one tablet, none sees another's
answers, and an idle page returns to the start.

The app is served by gunicorn with the kiosk's delays shortened (``KIOSK_IDLE_SECONDS``,
``KIOSK_THANKS_SECONDS``), which the pages carry to ``static/kiosk.js`` and the meta refresh.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import DeskDevice, Response, ResponseMode
from surveyapp.questionnaires.answers import PROCEDURE_FIELD_FIELD, RESPONDENT_GROUP_FIELD, field_name
from surveyapp.questionnaires.definition import QuestionType
from tests.browser.conftest import audit_accessibility, log_in, save_screenshot
from tests.web.test_kiosk import CHOSEN

TABLET = {"viewport": {"width": 800, "height": 1280}, "is_mobile": True, "has_touch": True, "locale": "vi-VN"}
IDLE_SECONDS = 2
PEOPLE = 3


@pytest.fixture
def tablet(chromium_browser) -> Iterator[object]:
    """A tablet-sized page with touch, in Vietnamese: the kiosk at the desk."""
    context = chromium_browser.new_context(**TABLET)
    yield context.new_page()
    context.close()


def register_kiosk(page, server_url: str, campaign_id: int, *, quick_rating: bool = False) -> None:
    """An officer makes this tablet the kiosk of the campaign's SIPAS-2017 at the ward, then logs out."""
    log_in(page, server_url, "canbo")
    page.goto(f"{server_url}/admin/campaigns/{campaign_id}/kiosks")
    page.get_by_label("Tên thiết bị").fill("Ki-ốt quầy một cửa")
    page.get_by_label("Mã đơn vị được đánh giá").fill("21172")
    if quick_rating:
        page.get_by_label("Mở đầu bằng đánh giá nhanh").check()
        page.get_by_label("Số quầy").fill("3")
    with page.expect_navigation():
        page.get_by_role("button", name="Đăng ký thiết bị này làm ki-ốt").click()
    assert "Thiết bị này đã trở thành ki-ốt" in page.locator("#kiosk-token").inner_text()
    with page.expect_navigation():
        page.get_by_role("button", name="Đăng xuất").click()


def assert_blank(page) -> None:
    """Nothing of anyone's answers on the page: no choice made, no text, none in the DOM."""
    assert page.locator("input:checked").count() == 0
    assert page.locator(f'select[name="{PROCEDURE_FIELD_FIELD}"]').input_value() == ""
    assert all(text == "" for text in page.locator("textarea").evaluate_all("els => els.map(e => e.value)"))
    assert not CHOSEN.search(page.content())


def answer_as(page, definition, person: int) -> None:
    """Person ``person`` answers every question with an option of their own."""
    page.check(f'input[name="{RESPONDENT_GROUP_FIELD}"][value="{definition.respondent_groups[0].code}"]')
    page.select_option(f'select[name="{PROCEDURE_FIELD_FIELD}"]', definition.procedure_fields[person])
    for question in definition.questions:
        if question.type is not QuestionType.TEXT:
            option = question.options[person % len(question.options)].key
            page.check(f'input[name="{field_name(question)}"][value="{option}"]')


def test_three_people_answer_in_a_row_and_none_sees_another(
    tablet, gunicorn, officer, make_campaign, ward, axe_js
) -> None:
    # The idle delay as deployed: a slow test machine must not see an idle return mid-check.
    server = gunicorn(KIOSK_THANKS_SECONDS="1")
    campaign = make_campaign(["SIPAS-2017"], [ward])
    definition = campaign.questionnaires[0].definition
    register_kiosk(tablet, server.url, campaign.id)
    assert db.session.scalar(select(DeskDevice.unit_id)) == ward.id

    tablet.goto(f"{server.url}/r/kiosk")
    assert tablet.url.endswith("/r/kiosk/form")
    audit_accessibility(tablet, axe_js)
    for person in range(PEOPLE):
        assert_blank(tablet)
        answer_as(tablet, definition, person)
        with tablet.expect_navigation():
            tablet.get_by_role("button", name="Gửi phiếu").click()
        assert "Cảm ơn anh/chị" in tablet.locator("h1").inner_text()
        if person == 0:
            save_screenshot(tablet, "kiosk-thanks")
            audit_accessibility(tablet, axe_js)
        # The thank-you screen returns to the start by itself.
        tablet.wait_for_url("**/r/kiosk/form", timeout=5000)
        assert_blank(tablet)
        # Back goes to pages that are never kept: they come again from the server, blank.
        tablet.go_back()
        tablet.go_back()
        assert tablet.locator("input:checked").count() == 0 and not CHOSEN.search(tablet.content())
        tablet.goto(f"{server.url}/r/kiosk")

    db.session.rollback()
    stored = list(db.session.scalars(select(Response)))
    assert len(stored) == PEOPLE and {response.mode for response in stored} == {ResponseMode.DESK_QR}
    assert sorted(response.procedure_field for response in stored) == sorted(definition.procedure_fields[:PEOPLE])


def test_an_idle_kiosk_returns_to_the_start_and_forgets_the_answers(
    tablet, gunicorn, officer, make_campaign, ward
) -> None:
    server = gunicorn(KIOSK_IDLE_SECONDS=str(IDLE_SECONDS), KIOSK_THANKS_SECONDS="1")
    campaign = make_campaign(["SIPAS-2017"], [ward])
    definition = campaign.questionnaires[0].definition
    register_kiosk(tablet, server.url, campaign.id)
    tablet.goto(f"{server.url}/r/kiosk")
    answer_as(tablet, definition, 1)
    assert tablet.locator("input:checked").count() > 0
    with tablet.expect_navigation(timeout=(IDLE_SECONDS + 3) * 1000):
        pass  # nobody touches the tablet
    tablet.wait_for_load_state("load")
    assert tablet.url.endswith("/r/kiosk/form")
    assert_blank(tablet)
    assert db.session.scalar(select(Response.id)) is None


def test_the_quick_rating_on_a_tablet(tablet, gunicorn, officer, make_campaign, ward, axe_js) -> None:
    server = gunicorn(KIOSK_IDLE_SECONDS=str(IDLE_SECONDS), KIOSK_THANKS_SECONDS="1")
    campaign = make_campaign(["SIPAS-2017"], [ward])
    register_kiosk(tablet, server.url, campaign.id, quick_rating=True)
    tablet.goto(f"{server.url}/r/kiosk")
    assert tablet.url.endswith("/r/kiosk/rating")
    save_screenshot(tablet, "kiosk-quick-rating")
    audit_accessibility(tablet, axe_js)
    tablet.get_by_text("Hài lòng", exact=True).click()
    tablet.get_by_label("Quầy số").select_option("2")
    with tablet.expect_navigation():
        tablet.get_by_role("button", name="Gửi đánh giá").click()
    tablet.wait_for_url("**/r/kiosk/rating", timeout=5000)
    assert tablet.locator("input:checked").count() == 0 and tablet.get_by_label("Quầy số").input_value() == ""
