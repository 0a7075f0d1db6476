"""A surveyor on a phone without a signal: the entry page opened once opens again offline, the
forms typed in are kept on the phone and shown as waiting, and are stored once each when the
signal returns; a form refused on arrival stays on the phone with the reason and its answers,
which go back into the entry form to be corrected and sent; log-out is never held for good."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from surveyapp.extensions import db
from surveyapp.field.offline import KEY_BATCH
from surveyapp.models import ANY_GROUP, QuotaPolicy, Response, User
from surveyapp.services.quotas import QuotaRule, plan_quotas, save_quotas
from tests.browser.conftest import answer_everything, audit_accessibility, log_in, save_screenshot

# What static/field-offline.js and static/field-sw.js keep on the phone.
KEPT_PAGE = """async () => {
    const cache = await caches.open("surveyapp-field-v1");
    return Boolean(await cache.match(location.pathname));
}"""
WORKER_ACTIVE = """async () => {
    const registration = await navigator.serviceWorker.getRegistration();
    return Boolean(registration && registration.active && registration.active.state === "activated");
}"""
KEYS_KEPT = """() => Object.keys(localStorage).some(name => name.startsWith("surveyapp.field.keys:")
    && JSON.parse(localStorage.getItem(name)).length > 0)"""
# The entry form's answers as the page holds them (the mode and serial sit outside the <form>).
ANSWERS = """() => [...document.getElementById("questionnaire-form").elements]
    .filter(field => field.name && field.type !== "hidden")
    .filter(field => !["radio", "checkbox"].includes(field.type) || field.checked)
    .map(field => `${field.name}=${field.value}`)"""
SERIAL = "Số sê-ri in trên phiếu (nếu có)"


@pytest.fixture
def campaign(make_campaign, ward):
    """An open CX4 campaign over the residential groups, 3 forms each; full cells take no more."""
    campaign = make_campaign(["CX4"], list(ward.children))
    plan = plan_quotas(campaign, [QuotaRule(campaign.questionnaire_by_code("CX4"), ANY_GROUP, 3)])
    save_quotas(campaign, plan, QuotaPolicy.CLOSE_WHEN_FULL)
    db.session.commit()
    return campaign


def stored() -> int:
    db.session.rollback()  # see what gunicorn wrote
    return db.session.scalar(select(func.count()).select_from(Response))


def type_in_a_form(phone, definition) -> None:
    answer_everything(phone, definition)
    phone.get_by_role("button", name="Gửi phiếu").click()


def test_forms_typed_without_a_signal_wait_on_the_phone_and_are_stored_once_each_when_it_returns(
    live_server, phone, axe_js, surveyor, campaign
) -> None:
    definition = campaign.questionnaires[0].definition
    entry = f"{live_server}/field/enter/{campaign.id}/CX4/21172-T01"
    log_in(phone, live_server, "dtv1")
    phone.goto(entry)
    phone.wait_for_function(KEYS_KEPT)
    for _ in range(100):  # the page keeps a copy of itself once its service worker is registered
        if phone.evaluate(KEPT_PAGE):
            break
        phone.wait_for_timeout(100)
    else:
        pytest.fail("the entry page was not kept for use without a signal")

    phone.context.set_offline(True)
    phone.reload()  # the page opened once opens again without a signal
    assert phone.get_by_role("heading", level=1).inner_text().startswith("Nhập phiếu CX4")
    waiting = phone.locator(".offline-waiting")
    for count in (1, 2, 3):
        type_in_a_form(phone, definition)
        assert waiting.inner_text() == f"Đang chờ gửi: {count} phiếu"
    assert "phiếu đã được giữ trên máy" in phone.locator(".offline-note").inner_text()
    assert phone.locator("input[type=radio]:checked").count() == 1, "a blank form for the next one: only the mode"
    save_screenshot(phone, "surveyor-offline-waiting")
    audit_accessibility(phone, axe_js)
    assert stored() == 0

    phone.context.set_offline(False)
    waiting.wait_for(state="hidden")
    assert stored() == 3
    save_screenshot(phone, "surveyor-offline-sent")

    # The group's quota is full now: a fourth form typed offline is refused on arrival.
    phone.context.set_offline(True)
    type_in_a_form(phone, definition)
    assert waiting.inner_text() == "Đang chờ gửi: 1 phiếu"
    phone.context.set_offline(False)
    waiting.wait_for(state="hidden")
    refused = phone.locator(".offline-refused li")
    assert refused.count() == 1
    assert "không được nhận: Nhóm này đã đủ số phiếu theo chỉ tiêu; phiếu không được lưu." in refused.inner_text()
    save_screenshot(phone, "surveyor-offline-refused")
    assert stored() == 3

    phone.reload()
    assert refused.count() == 1, "the refused form stays on the phone, with its reason, until put aside"
    refused.get_by_role("button", name="Bỏ phiếu này").click()
    assert refused.count() == 0


def test_log_out_waits_for_the_kept_forms_then_leaves_nothing_on_the_phone(
    live_server, phone, surveyor, campaign
) -> None:
    log_in(phone, live_server, "dtv1")
    phone.goto(f"{live_server}/field/enter/{campaign.id}/CX4/21172-T01")
    phone.wait_for_function(KEYS_KEPT)
    # A key kept since yesterday is replaced while there is a signal: it would expire unsent.
    keys = f"surveyapp.field.keys:/field/send/{campaign.id}/CX4/21172-T01"
    phone.evaluate(f"() => localStorage.setItem('{keys}', JSON.stringify(['old.1.key']))")
    phone.reload()
    phone.wait_for_function(f"() => JSON.parse(localStorage.getItem('{keys}')).length === {KEY_BATCH}")
    assert "old.1.key" not in phone.evaluate(f"() => localStorage.getItem('{keys}')")
    phone.context.set_offline(True)
    type_in_a_form(phone, campaign.questionnaires[0].definition)

    phone.get_by_role("button", name="Đăng xuất").click()
    assert (
        "Còn phiếu chưa gửi trên máy (1 phiếu): nếu đăng xuất, các phiếu này sẽ bị xoá"
        in phone.locator(".offline-note").inner_text()
    )
    assert phone.locator(".offline-waiting").inner_text() == "Đang chờ gửi: 1 phiếu"

    phone.context.set_offline(False)
    phone.locator(".offline-waiting").wait_for(state="hidden")
    assert stored() == 1
    with phone.expect_navigation():
        phone.get_by_role("button", name="Đăng xuất").click()
    assert phone.url == f"{live_server}/login"
    assert phone.evaluate("() => Object.keys(localStorage).filter(name => name.startsWith('surveyapp.'))") == []
    assert phone.evaluate("() => caches.has('surveyapp-field-v1')") is False


def test_a_refused_form_keeps_its_answers_which_are_loaded_back_corrected_and_stored(
    live_server, phone, axe_js, surveyor, campaign
) -> None:
    """An interview has no paper copy, and a mistyped serial cannot be typed in again from
    nothing: the refused form's answers stay on the phone and go back into the entry form."""
    definition = campaign.questionnaires[0].definition
    log_in(phone, live_server, "dtv1")
    phone.goto(f"{live_server}/field/enter/{campaign.id}/CX4/21172-T01")
    phone.wait_for_function(KEYS_KEPT)
    phone.context.set_offline(True)
    answer_everything(phone, definition)
    phone.get_by_label(SERIAL).fill("21172-T01-7-1-XX")  # a serial no batch printed: a slip of the finger
    typed = phone.evaluate(ANSWERS)
    phone.get_by_role("button", name="Gửi phiếu").click()
    assert phone.locator(".offline-waiting").inner_text() == "Đang chờ gửi: 1 phiếu"
    assert phone.get_by_label(SERIAL).input_value() == "", "the form is cleared for the next one"

    phone.context.set_offline(False)
    phone.locator(".offline-waiting").wait_for(state="hidden")
    refused = phone.locator(".offline-refused li")
    assert "Số sê-ri «21172-T01-7-1-XX»" in refused.inner_text()
    assert stored() == 0

    # The surveyors' list shows it too, with the way to its own entry page.
    phone.goto(f"{live_server}/field/")
    assert refused.get_by_role("button", name="Sửa và gửi lại").count() == 0
    audit_accessibility(phone, axe_js)
    with phone.expect_navigation():
        refused.get_by_role("link", name="Mở trang nhập của phiếu này để sửa và gửi lại").click()
    assert refused.count() == 1
    save_screenshot(phone, "surveyor-offline-refused-load-back")
    audit_accessibility(phone, axe_js)

    refused.get_by_role("button", name="Sửa và gửi lại").click()
    assert refused.count() == 0, "loaded back: it leaves the refused list"
    assert "đã được đưa lại vào phiếu bên dưới" in phone.locator(".offline-note").inner_text()
    assert phone.evaluate(ANSWERS) == typed, "every answer is back as it was typed"
    phone.get_by_label(SERIAL).fill("")  # corrected: a form with no serial
    with phone.expect_navigation():
        phone.get_by_role("button", name="Gửi phiếu").click()
    assert "Đã lưu phiếu" in phone.locator(".flash-success").inner_text()
    assert stored() == 1
    assert phone.evaluate("() => localStorage.getItem('surveyapp.field.refused')") == "[]"


def test_a_form_the_surveyor_may_no_longer_send_is_refused_and_log_out_stays_possible(
    live_server, phone, surveyor, campaign
) -> None:
    """A shared phone: the surveyor's unit is taken from them while a form waits. The service
    answers 403 for good; the form is refused with the reason instead of waiting forever, and
    the surveyor can log out (a second tap deletes what the phone keeps)."""
    log_in(phone, live_server, "dtv1")
    phone.goto(f"{live_server}/field/enter/{campaign.id}/CX4/21172-T01")
    phone.wait_for_function(KEYS_KEPT)
    phone.context.set_offline(True)
    type_in_a_form(phone, campaign.questionnaires[0].definition)
    assert phone.locator(".offline-waiting").inner_text() == "Đang chờ gửi: 1 phiếu"

    db.session.get(User, surveyor.id).assigned_units.clear()
    db.session.commit()
    phone.context.set_offline(False)
    phone.locator(".offline-waiting").wait_for(state="hidden")
    assert (
        "Tài khoản của bạn không còn được giao nhập phiếu cho đơn vị này"
        in phone.locator(".offline-refused li").inner_text()
    )
    assert stored() == 0

    phone.get_by_role("button", name="Đăng xuất").click()
    assert "Còn phiếu chưa gửi trên máy (1 phiếu)" in phone.locator(".offline-note").inner_text()
    assert phone.url.endswith("/21172-T01"), "the first tap only warns"
    with phone.expect_navigation():
        phone.get_by_role("button", name="Đăng xuất").click()
    assert phone.url == f"{live_server}/login"
    assert phone.evaluate("() => Object.keys(localStorage).filter(name => name.startsWith('surveyapp.'))") == []


def test_an_answer_tried_again_keeps_the_form_waiting_and_a_point_gone_refuses_it(
    live_server, phone, surveyor, campaign
) -> None:
    """Too many requests (429) says nothing of the form: it waits for the next try. A point the
    service no longer has (404) will never take it: it is refused with the reason."""
    log_in(phone, live_server, "dtv1")
    phone.goto(f"{live_server}/field/enter/{campaign.id}/CX4/21172-T01")
    phone.wait_for_function(KEYS_KEPT)
    phone.context.set_offline(True)
    type_in_a_form(phone, campaign.questionnaires[0].definition)

    answered: list[int] = []

    def answer_with(status: int):
        def answer(route) -> None:
            answered.append(status)
            route.fulfill(status=status, body="")

        return answer

    phone.context.route("**/field/send/**", answer_with(429))
    phone.context.set_offline(False)
    phone.wait_for_function("() => !document.querySelector('.offline-note').textContent")  # the online event ran
    for _ in range(100):
        if answered:
            break
        phone.wait_for_timeout(100)
    phone.wait_for_timeout(500)
    assert answered == [429] and phone.locator(".offline-waiting").inner_text() == "Đang chờ gửi: 1 phiếu"
    assert phone.locator(".offline-refused li").count() == 0

    phone.context.unroute_all(behavior="ignoreErrors")
    phone.context.route("**/field/send/**", answer_with(404))
    phone.locator(".offline-waiting").wait_for(state="hidden", timeout=40_000)  # the next try, by itself
    assert "Không còn trang nhập phiếu này" in phone.locator(".offline-refused li").inner_text()
    assert stored() == 0


def open_entry_page_under_the_worker(phone, live_server: str, campaign) -> None:
    """Log in as the surveyor and open the entry page once its keys and copy are kept and the
    service worker controls it: the worker handles the posts of pages opened after it started."""
    log_in(phone, live_server, "dtv1")
    phone.goto(f"{live_server}/field/enter/{campaign.id}/CX4/21172-T01")
    phone.wait_for_function(KEYS_KEPT)
    phone.wait_for_function(KEPT_PAGE)
    phone.wait_for_function(WORKER_ACTIVE)
    phone.reload()
    phone.wait_for_function("() => navigator.serviceWorker.controller !== null")


def test_a_form_whose_post_fails_while_the_phone_says_online_is_kept_and_stored_once(
    live_server, phone, surveyor, campaign
) -> None:
    """A weak signal or a captive Wi-Fi: ``navigator.onLine`` stays true, but requests to the
    service fail (the browser context aborts them, those of the service worker included).
    One post never reaches the service; the other is stored but its answer is lost."""
    definition = campaign.questionnaires[0].definition
    open_entry_page_under_the_worker(phone, live_server, campaign)

    answers_lost: list[str] = []

    def weak_signal(route) -> None:
        if route.request.method == "POST" and answers_lost == [] and "/field/enter/" in route.request.url:
            route.fetch()  # it reaches the service, which stores it; its answer never comes back
            answers_lost.append(route.request.url)
        route.abort("internetdisconnected")

    phone.context.route(f"{live_server}/**", weak_signal)
    waiting = phone.locator(".offline-waiting")
    for count in (1, 2):
        type_in_a_form(phone, definition)
        waiting.wait_for()
        assert waiting.inner_text() == f"Đang chờ gửi: {count} phiếu"
        assert phone.evaluate("() => navigator.onLine") is True, "the phone believes it is online"
    assert "phiếu đã được giữ trên máy" in phone.locator(".offline-note").inner_text()
    assert answers_lost and stored() == 1

    phone.context.unroute_all(behavior="ignoreErrors")
    waiting.wait_for(state="hidden", timeout=40_000)  # tried again by itself, without the online event
    assert stored() == 2, "each form stored once: the one stored already was not stored again"
    assert phone.locator(".offline-refused li").count() == 0

    # The network works: the server's own answers come through the worker as they always did.
    required = next(question for question in definition.questions if question.required)
    answer_everything(phone, definition, skip=required.code)
    phone.get_by_role("button", name="Gửi phiếu").click()
    assert phone.locator(".error-summary h2").inner_text() == "Có 1 câu cần xem lại"
    answer_everything(phone, definition)
    with phone.expect_navigation():
        phone.get_by_role("button", name="Gửi phiếu").click()
    assert "Đã lưu phiếu" in phone.locator(".flash-success").inner_text()
    assert stored() == 3 and waiting.is_hidden()


def test_a_kept_copy_of_the_page_gives_its_own_key_to_one_form_only(live_server, phone, surveyor, campaign) -> None:
    """With no key of the batch left, the page's own key serves one form. The copy of the page
    opened again without a signal carries a key already used, which would make a second form
    look like the first one sent again (and be dropped): the phone asks for keys instead."""
    definition = campaign.questionnaires[0].definition
    open_entry_page_under_the_worker(phone, live_server, campaign)
    phone.context.route(f"{live_server}/**", lambda route: route.abort("internetdisconnected"))
    phone.evaluate("() => localStorage.setItem(Object.keys(localStorage).find(n => n.includes('.keys:')), '[]')")

    outcomes = []
    while len(outcomes) < 4 and "asked for keys" not in outcomes:
        type_in_a_form(phone, definition)
        outcomes.append(kept_or_asked_for_keys(phone, waiting=len(outcomes) + 1))
    assert outcomes[-1] == "asked for keys", outcomes
    queued = phone.evaluate("() => JSON.parse(localStorage.getItem('surveyapp.field.waiting')).map(form => form.key)")
    assert len(queued) == len(outcomes) - 1 >= 1 and len(set(queued)) == len(queued), "a key of its own for each"

    phone.context.unroute_all(behavior="ignoreErrors")
    phone.locator(".offline-waiting").wait_for(state="hidden", timeout=40_000)
    assert stored() == len(queued)


def kept_or_asked_for_keys(phone, waiting: int) -> str:
    """What the page says after a form was sent: kept (``waiting`` forms wait), or asking for keys."""
    for _ in range(100):
        try:
            state = phone.evaluate(
                """(waiting) => document.querySelector(".offline-note").textContent.includes("Máy chưa nhận")
                    ? "asked for keys"
                    : document.querySelector(".offline-waiting").textContent === `Đang chờ gửi: ${waiting} phiếu`
                    ? "kept" : null""",
                waiting,
            )
        except Exception:  # the page is being replaced by its kept copy
            state = None
        if state:
            return state
        phone.wait_for_timeout(100)
    raise AssertionError("the form was neither kept nor refused for want of a key")
