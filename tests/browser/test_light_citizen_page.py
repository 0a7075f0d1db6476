"""The citizen's page on a phone, lighter and shorter (issue 14): weight, first paint, focus, language.

Measured the way a phone gets it, from the app served by gunicorn, through Chromium's own
count of the bytes on the wire and its paint timing (``tests/browser/wire.py``); the figures
of every network are printed by ``bench/page_weight.py`` and kept in bench/README.md.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from surveyapp.extensions import db
from surveyapp.models import Response
from surveyapp.questionnaires.answers import field_name
from tests.browser.conftest import DEVICES, answer_everything, audit_accessibility, save_screenshot
from tests.browser.wire import SLOW_3G, load_page

# Questionnaire code → the most its page may weigh on the wire (issue 14), in bytes.
TARGET_BYTES = {"SIPAS-2017": 30_000, "SIPAS-2023": 40_000}
FIRST_PAINT_MS = 1000


@pytest.mark.parametrize("code", list(TARGET_BYTES))
def test_the_page_is_light_and_paints_within_a_second_on_slow_3g(
    live_server, chromium_browser, make_campaign, ward, code
) -> None:
    campaign = make_campaign([code], [ward])
    context = chromium_browser.new_context(**DEVICES["phone"], locale="vi-VN")
    page = context.new_page()
    load = load_page(page, f"{live_server}/r/{campaign.id}/{code}/21172", SLOW_3G)
    assert load.wire_bytes < TARGET_BYTES[code], f"{load.wire_bytes:,} B on the wire"
    assert load.first_paint_ms < FIRST_PAINT_MS, f"first paint after {load.first_paint_ms:.0f} ms on slow 3G"
    assert sorted(url.rsplit("/", 1)[-1] for url in load.statuses) == ["21172", "favicon.svg"]
    assert set(load.statuses.values()) == {200}, load.statuses  # the icon too: no 404
    # Styled by the inline stylesheet, which the page's policy allows (a refused one leaves it bare).
    send = page.get_by_role("button", name="Gửi phiếu")
    assert send.evaluate("button => getComputedStyle(button).backgroundColor") == "rgb(11, 92, 173)"
    context.close()


def test_after_a_refusal_the_error_summary_has_the_focus_and_is_in_view(
    live_server, screen, device, make_campaign, ward, axe_js
) -> None:
    campaign = make_campaign(["SIPAS-2017"], [ward])
    definition = campaign.questionnaires[0].definition
    screen.goto(f"{live_server}/r/{campaign.id}/SIPAS-2017/21172")
    answer_everything(screen, definition, skip="C3_2")
    screen.get_by_role("button", name="Gửi phiếu").click()

    screen.wait_for_load_state("load")
    assert screen.evaluate("document.activeElement.id") == "error-summary"
    top, bottom = screen.evaluate(
        "(() => { const box = document.activeElement.getBoundingClientRect(); return [box.top, box.bottom]; })()"
    )
    # Scrolled to the top of the screen (to a fraction of a pixel: the layout is in subpixels).
    assert -1 < top < DEVICES[device]["viewport"]["height"] and bottom > 0, "the summary is on the screen"
    assert "Có 1 câu cần xem lại" in screen.locator(":focus").inner_text()
    save_screenshot(screen, f"citizen-{device}-refused-focus")
    audit_accessibility(screen, axe_js)


def test_switching_to_english_and_back_keeps_the_answers_given_so_far(
    live_server, phone, make_campaign, ward, axe_js
) -> None:
    campaign = make_campaign(["SIPAS-2017"], [ward])
    definition = campaign.questionnaires[0].definition
    phone.goto(f"{live_server}/r/{campaign.id}/SIPAS-2017/21172")
    answer_everything(phone, definition)
    phone.fill(f'textarea[name="{field_name(definition.question("D5"))}"]', "Cần thêm ghế chờ")
    given = phone.locator("input:checked").count()

    phone.get_by_role("button", name="English").click()
    assert phone.locator("h1").inner_text() == definition.title.en
    assert phone.locator("input:checked").count() == given
    assert phone.locator(f'textarea[name="{field_name(definition.question("D5"))}"]').input_value() == (
        "Cần thêm ghế chờ"
    )
    assert db.session.scalar(select(func.count()).select_from(Response)) == 0, "switching stores nothing"
    save_screenshot(phone, "citizen-phone-english-kept")
    audit_accessibility(phone, axe_js)

    phone.get_by_role("button", name="Tiếng Việt").click()
    assert phone.locator("h1").inner_text() == definition.title.vi
    assert phone.locator("input:checked").count() == given
    phone.get_by_role("button", name="Gửi phiếu").click()
    assert "Cảm ơn anh/chị" in phone.locator("h1").inner_text()
    [response] = db.session.scalars(select(Response))
    assert response.answers["C1_1"] == 4
