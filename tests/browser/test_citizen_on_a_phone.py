"""A citizen on a phone: scan the poster's QR link, answer, submit, see the thank-you page."""

from __future__ import annotations

from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import Response, ResponseMode
from surveyapp.questionnaires.answers import PROCEDURE_FIELD_FIELD, RESPONDENT_GROUP_FIELD, field_name
from surveyapp.questionnaires.definition import QuestionType
from tests.browser.conftest import PHONE, save_screenshot


def answer_everything(page, definition, *, skip: str | None = None) -> None:
    """Tap an answer for every question as a person would, leaving out ``skip``."""
    if definition.asks_respondent_group:
        page.check(f'input[name="{RESPONDENT_GROUP_FIELD}"][value="{definition.respondent_groups[0].code}"]')
    if definition.asks_procedure_field:
        page.select_option(f'select[name="{PROCEDURE_FIELD_FIELD}"]', "Đất đai")
    for question in definition.questions:
        if question.code == skip or question.type is QuestionType.TEXT:
            continue
        page.check(f'input[name="{field_name(question)}"][value="{question.options[3 % len(question.options)].key}"]')


def test_a_citizen_answers_on_a_phone_and_the_answers_are_stored(live_server, phone, make_campaign, ward) -> None:
    campaign = make_campaign(["SIPAS-2017"], [ward])
    definition = campaign.questionnaires[0].definition
    requested_hosts = set()
    phone.on("request", lambda request: requested_hosts.add(request.url.split("/")[2]))

    phone.goto(f"{live_server}/r/{campaign.id}/SIPAS-2017/W21172")
    assert phone.locator("h1").inner_text() == definition.title.vi
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], "no sideways scrolling"
    save_screenshot(phone, "citizen-questionnaire")

    answer_everything(phone, definition, skip="C3_2")
    phone.get_by_role("button", name="Gửi phiếu").click()

    summary = phone.locator("#error-summary")
    assert "Có 1 câu cần xem lại" in summary.inner_text()
    assert phone.locator(f"#{field_name(definition.question('C3_2'))}-error").is_visible()
    assert phone.locator(f'input[name="{field_name(definition.question("C1_1"))}"][value="4"]').is_checked()
    save_screenshot(phone, "citizen-questionnaire-errors")

    phone.check(f'input[name="{field_name(definition.question("C3_2"))}"][value="5"]')
    phone.get_by_role("button", name="Gửi phiếu").click()

    assert "Cảm ơn anh/chị" in phone.locator("h1").inner_text()
    save_screenshot(phone, "citizen-thanks")
    [response] = db.session.scalars(select(Response))
    assert response.mode is ResponseMode.DESK_QR
    assert response.procedure_field == "Đất đai"
    assert response.answers["C3_2"] == 5 and response.answers["C1_1"] == 4
    assert requested_hosts == {live_server.split("/")[2]}, "no request leaves the service's host"
