"""axe-core on the pages respondents and the public see, and on the log-in page: no serious or critical violation.

axe-core comes from the npm registry (``tests/browser/package-lock.json``); without it these
tests are skipped, unless REQUIRE_BROWSER=1 makes that a failure.
"""

from __future__ import annotations

import datetime as dt
import io

import pytest

from surveyapp.extensions import db
from surveyapp.services.publications import Decision, publish_results
from surveyapp.services.response_import import import_responses
from tests.browser.conftest import answer_everything, audit_accessibility, save_screenshot
from tests.web.test_results import sipas_csv


def test_the_questionnaire_its_errors_and_the_thank_you_page_pass_axe_on_a_phone(
    live_server, phone, axe_js, make_campaign, ward
) -> None:
    campaign = make_campaign(["SIPAS-2017"], [ward])
    definition = campaign.questionnaires[0].definition

    phone.goto(f"{live_server}/r/{campaign.id}/SIPAS-2017/21172")
    audit_accessibility(phone, axe_js)

    # Sent untouched: every required question is marked, the most errors the page can show.
    phone.get_by_role("button", name="Gửi phiếu").click()
    assert phone.locator("#error-summary").is_visible()
    save_screenshot(phone, "citizen-phone-questionnaire-all-errors")
    audit_accessibility(phone, axe_js)

    answer_everything(phone, definition)
    phone.get_by_role("button", name="Gửi phiếu").click()
    assert "Cảm ơn anh/chị" in phone.locator("h1").inner_text()
    audit_accessibility(phone, axe_js)


def test_the_log_in_page_passes_axe(live_server, screen, device, axe_js) -> None:
    screen.goto(f"{live_server}/login")
    audit_accessibility(screen, axe_js)

    screen.get_by_role("button", name="Đăng nhập").click()
    # The refused form comes back at the same address: wait for its field errors, not the URL.
    screen.locator(".error").first.wait_for(timeout=10_000)
    assert screen.locator(".error").count() == 2, "both fields are required"
    save_screenshot(screen, f"login-{device}-errors")
    audit_accessibility(screen, axe_js)


def test_the_audit_fails_on_a_critical_violation(live_server, phone, axe_js) -> None:
    """The audit itself works: a text box without a label (critical in axe-core) fails it."""
    phone.goto(f"{live_server}/login")
    phone.evaluate(
        "document.querySelector('main').append(Object.assign(document.createElement('input'), {type: 'text'}))"
    )
    with pytest.raises(AssertionError, match=r'"id": "label"'):
        audit_accessibility(phone, axe_js)


def test_a_published_result_passes_axe_on_a_phone_without_sideways_scrolling(
    live_server, phone, axe_js, make_campaign, ward
) -> None:
    """Wide tables scroll inside their own region; the page itself fits 360 pixels."""
    campaign = make_campaign(["SIPAS-2017"], [ward])
    import_responses(campaign, "phieu.csv", io.BytesIO(sipas_csv([{}] * 40)))
    publication = publish_results(campaign, Decision("Quyết định số 123/QĐ-UBND", dt.date(2026, 12, 1)))
    db.session.commit()

    phone.goto(f"{live_server}/cong-bo/{publication.slug}")
    assert "123/QĐ-UBND" in phone.locator("main").inner_text()
    assert phone.locator("script").count() == 0
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360, "no sideways scrolling"
    save_screenshot(phone, "public-phone-published-result")
    audit_accessibility(phone, axe_js)
