"""A citizen, on a phone or a computer: open the poster's QR link, answer, submit, see the thank-you page."""

from __future__ import annotations

from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import Response, ResponseMode
from surveyapp.questionnaires.answers import PROCEDURE_FIELD_FIELD, RESPONDENT_GROUP_FIELD, field_name
from surveyapp.questionnaires.definition import QuestionType
from tests.browser.conftest import DEVICES, answer_everything, save_screenshot


def test_a_citizen_answers_from_the_qr_link_and_the_answers_are_stored(
    live_server, screen, device, make_campaign, ward
) -> None:
    campaign = make_campaign(["SIPAS-2017"], [ward])
    definition = campaign.questionnaires[0].definition
    requested_hosts = set()
    screen.on("request", lambda request: requested_hosts.add(request.url.split("/")[2]))

    screen.goto(f"{live_server}/r/{campaign.id}/SIPAS-2017/21172")
    assert screen.locator("h1").inner_text() == definition.title.vi
    assert "Phường Trương Quang Trọng" in screen.locator(".survey-head .unit").inner_text()
    width = DEVICES[device]["viewport"]["width"]
    assert screen.evaluate("document.documentElement.scrollWidth") <= width, "no sideways scrolling"
    save_screenshot(screen, f"citizen-{device}-questionnaire")

    answer_everything(screen, definition, skip="C3_2")
    screen.get_by_role("button", name="Gửi phiếu").click()

    summary = screen.locator("#error-summary")
    assert "Có 1 câu cần xem lại" in summary.inner_text()
    assert screen.locator(f"#{field_name(definition.question('C3_2'))}-error").is_visible()
    # Every answer already given is still there: the group, the field, the ratings.
    group = definition.respondent_groups[0].code
    assert screen.locator(f'input[name="{RESPONDENT_GROUP_FIELD}"][value="{group}"]').is_checked()
    assert screen.locator(f'select[name="{PROCEDURE_FIELD_FIELD}"]').input_value() == "Đất đai"
    assert screen.locator(f'input[name="{field_name(definition.question("C1_1"))}"][value="4"]').is_checked()
    answered = [q for q in definition.questions if q.type is not QuestionType.TEXT and q.code != "C3_2"]
    assert screen.locator("input:checked").count() == len(answered) + 1, "the group and every rating given"
    save_screenshot(screen, f"citizen-{device}-questionnaire-errors")

    summary.get_by_role("link").click()
    assert screen.evaluate("location.hash") == f"#{field_name(definition.question('C3_2'))}"
    screen.check(f'input[name="{field_name(definition.question("C3_2"))}"][value="5"]')
    screen.get_by_role("button", name="Gửi phiếu").click()

    assert "Cảm ơn anh/chị" in screen.locator("h1").inner_text()
    save_screenshot(screen, f"citizen-{device}-thanks")
    [response] = db.session.scalars(select(Response))
    assert response.mode is ResponseMode.DESK_QR
    assert response.unit.code == "21172"
    assert response.procedure_field == "Đất đai"
    assert response.answers["C3_2"] == 5 and response.answers["C1_1"] == 4
    assert requested_hosts == {live_server.split("/")[2]}, "no request leaves the service's host"
