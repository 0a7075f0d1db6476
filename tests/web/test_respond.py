"""The citizen flow through real HTTP: QR link → questionnaire → stored answers → thank-you."""

from __future__ import annotations

import datetime as dt

import pytest
from markupsafe import escape
from sqlalchemy import func, inspect, select, text

from surveyapp.extensions import db
from surveyapp.models import CampaignStatus, Response, ResponseMode, SubmissionReceipt
from surveyapp.questionnaires.answers import PROCEDURE_FIELD_FIELD, field_name
from tests.helpers import filled_form, form_fields_of, form_key_of, submit


def stored_responses() -> list[Response]:
    return list(db.session.scalars(select(Response).order_by(Response.id)))


@pytest.fixture
def desk(make_campaign, ward):
    """An open SIPAS-2017 campaign at the ward's one-stop desk."""
    campaign = make_campaign(["SIPAS-2017"], [ward])
    return campaign, campaign.questionnaires[0].definition, f"/r/{campaign.id}/SIPAS-2017/21172"


def test_the_qr_link_opens_the_questionnaire_tagged_with_its_unit(client, desk) -> None:
    _campaign, definition, url = desk
    page = client.get(url)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Phường Trương Quang Trọng" in html
    assert definition.question("C3_1").text.vi in html
    assert 'lang="vi"' in html
    assert "Phần 1/" in html  # progress is visible without JavaScript
    assert "<script" not in html


def test_a_complete_form_is_stored_anonymously_and_ends_on_the_thank_you_page(client, desk) -> None:
    campaign, definition, url = desk
    answers = filled_form(definition)
    answers[PROCEDURE_FIELD_FIELD] = "Đất đai"

    sent = submit(client, url, answers)

    assert sent.status_code == 302
    thanks = client.get(sent.headers["Location"])
    assert "Cảm ơn anh/chị" in thanks.get_data(as_text=True)
    [response] = stored_responses()
    assert response.campaign_id == campaign.id
    assert response.unit.code == "21172"
    assert response.questionnaire.code == "SIPAS-2017"
    assert response.mode is ResponseMode.DESK_QR
    assert response.procedure_field == "Đất đai"
    assert response.respondent_group == definition.respondent_groups[0].code
    # Stored in the survey's time zone, so the machine's date may be a day off around midnight.
    assert abs((response.submitted_on - dt.date.today()).days) <= 1
    assert response.answers["C1_1"] == 5
    assert len([q for q in definition.questions if q.code in response.answers]) == len(response.answers)


def test_missing_answers_come_back_named_in_vietnamese_with_the_other_answers_kept(client, desk) -> None:
    _campaign, definition, url = desk
    answers = filled_form(definition)
    missing = field_name(definition.question("C2_3"))
    del answers[missing]
    answers[field_name(definition.question("C1_1"))] = "2"

    sent = submit(client, url, answers)
    html = sent.get_data(as_text=True)

    assert sent.status_code == 422
    assert "Có 1 câu cần xem lại" in html
    assert f'id="{missing}-error">Vui lòng trả lời câu hỏi này.' in html
    assert f'name="{field_name(definition.question("C1_1"))}" value="2" checked' in html
    assert stored_responses() == []


def test_a_value_that_is_not_an_option_is_refused(client, desk) -> None:
    _campaign, definition, url = desk
    answers = filled_form(definition)
    answers[field_name(definition.question("C4_1"))] = "7"
    answers[PROCEDURE_FIELD_FIELD] = "Không có lĩnh vực này"

    html = submit(client, url, answers).get_data(as_text=True)

    assert html.count('-error">Lựa chọn này không có trong phiếu') == 2
    assert f"{definition.question('C4_1').text.vi}</a>: Lựa chọn này không có trong phiếu" in html
    assert stored_responses() == []


def test_a_double_tap_or_resent_form_stores_one_response(client, desk) -> None:
    _campaign, definition, url = desk
    html = client.get(url).get_data(as_text=True)
    fields = {**form_fields_of(html), **filled_form(definition)}

    first = client.post(url, data=fields)
    again = client.post(url, data=fields)

    assert first.status_code == again.status_code == 302
    assert again.headers["Location"] == first.headers["Location"]
    assert len(stored_responses()) == 1


def test_two_respondents_on_one_phone_are_two_responses(client, desk) -> None:
    _campaign, definition, url = desk
    submit(client, url, filled_form(definition))
    submit(client, url, filled_form(definition, choice=0))
    assert [r.answers["C1_1"] for r in stored_responses()] == [5, 1]


def test_the_public_form_needs_no_session_cookie(app, client, desk) -> None:
    """Its signed key does the CSRF token's work: a form left open past any session is sent."""
    _campaign, definition, url = desk
    page = client.get(url)
    assert "Set-Cookie" not in page.headers and 'name="csrf_token"' not in page.get_data(as_text=True)

    other_browser = app.test_client()
    sent = other_browser.post(url, data={**form_fields_of(page.get_data(as_text=True)), **filled_form(definition)})

    assert sent.status_code == 302
    assert len(stored_responses()) == 1


def test_what_another_worker_changes_takes_effect_on_the_next_public_request(client, desk) -> None:
    """Each worker keeps the QR pages' campaign, questionnaire and unit between requests, but
    only while the database still holds what they were built from: an officer's change made
    through another worker (here: another connection) shows at once."""
    _campaign, definition, url = desk
    fields = {**form_fields_of(client.get(url).get_data(as_text=True)), **filled_form(definition)}
    with db.engine.begin() as other_worker:
        other_worker.execute(text("UPDATE units SET name = 'Phường Mới' WHERE code = '21172'"))
    assert "Phường Mới" in client.get(url).get_data(as_text=True)

    with db.engine.begin() as other_worker:
        other_worker.execute(text("UPDATE campaigns SET is_qr_closed = :closed"), {"closed": True})
    assert "không qua mã QR" in client.post(url, data=fields).get_data(as_text=True)

    with db.engine.begin() as other_worker:
        other_worker.execute(
            text("UPDATE campaigns SET is_qr_closed = :open, status = :closed"),
            {"open": False, "closed": CampaignStatus.CLOSED.value},
        )
    assert "Đợt khảo sát này đã kết thúc" in client.post(url, data=fields).get_data(as_text=True)
    assert stored_responses() == []


@pytest.mark.parametrize(
    "status, opens, closes, message",
    [
        (CampaignStatus.CLOSED, -30, 30, "Đợt khảo sát này đã kết thúc"),
        (CampaignStatus.DRAFT, -30, 30, "chưa bắt đầu nhận ý kiến"),
        (CampaignStatus.OPEN, 3, 30, "chưa bắt đầu nhận ý kiến"),
        (CampaignStatus.OPEN, -30, -1, "Đợt khảo sát này đã kết thúc"),
    ],
    ids=["closed", "draft", "not yet open", "period over"],
)
def test_a_campaign_not_collecting_shows_a_polite_page_and_stores_nothing(
    client, desk, status, opens, closes, message
) -> None:
    """A form opened while the campaign collected, and sent after it stopped, is not stored.

    The post is complete and carries the real key its page was served with, so nothing but
    the campaign's state stands between it and the database.
    """
    campaign, definition, url = desk
    fields = {**form_fields_of(client.get(url).get_data(as_text=True)), **filled_form(definition)}
    today = dt.date.today()
    campaign.status = status
    campaign.opens_on = today + dt.timedelta(days=opens)
    campaign.closes_on = today + dt.timedelta(days=closes)
    db.session.commit()

    page = client.get(url)
    posted = client.post(url, data=fields)

    for shown in (page, posted):
        html = shown.get_data(as_text=True)
        assert shown.status_code == 200
        assert message in html
        assert "Thời gian khảo sát: từ" in html
        assert 'name="form_key"' not in html  # the polite page, not the questionnaire again
    assert stored_responses() == []
    assert db.session.scalar(select(func.count()).select_from(SubmissionReceipt)) == 0


@pytest.mark.parametrize(
    "path",
    ["/r/{id}/SIPAS-2017/99999", "/r/{id}/CX1/21172", "/r/999999/SIPAS-2017/21172", "/r/{id}/SIPAS-2017"],
    ids=["unknown unit", "questionnaire not in campaign", "unknown campaign", "single form without unit"],
)
def test_a_link_that_names_nothing_is_a_friendly_404(client, desk, path) -> None:
    campaign, _definition, _url = desk
    page = client.get(path.format(id=campaign.id))
    assert page.status_code == 404
    assert "Không tìm thấy trang" in page.get_data(as_text=True)


def test_a_unit_outside_the_campaign_is_not_a_target(client, desk, make_campaign) -> None:
    from surveyapp.models import Unit

    campaign, _definition, _url = desk
    other_ward = Unit(code="21175", name="Phường Hoàng Văn Thụ", kind="phường")
    make_campaign(["SIPAS-2017"], [other_ward])  # a unit of the same kind, in another campaign only
    assert client.get(f"/r/{campaign.id}/SIPAS-2017/21175").status_code == 404


def test_a_matrix_form_stores_one_response_per_rated_unit(client, make_campaign, app) -> None:
    from surveyapp.models import Unit

    district = Unit(code="455", name="Huyện Bố Trạch", kind="huyện")
    departments = [Unit(code=f"455-PB0{n}", name=f"Phòng {n}", kind="phòng chuyên môn") for n in (1, 2, 3)]
    district.children.extend(departments)
    db.session.add(district)
    db.session.commit()
    campaign = make_campaign(["CH3"], [district, *departments])
    definition = campaign.questionnaires[0].definition
    unit_keys = [d.code for d in departments]
    answers = filled_form(definition, unit_keys)
    per_unit = next(q for q in definition.questions if q.per_unit)
    answers[field_name(per_unit, "455-PB02")] = per_unit.no_answer.key

    sent = submit(client, f"/r/{campaign.id}/CH3", answers)

    assert sent.status_code == 302
    responses = stored_responses()
    assert sorted(r.unit.code for r in responses) == unit_keys
    by_unit = {r.unit.code: r.answers for r in responses}
    assert by_unit["455-PB02"][per_unit.code] == per_unit.no_answer.value
    assert by_unit["455-PB01"][per_unit.code] == per_unit.options[-1].value


def test_a_matrix_form_names_the_unit_whose_answer_is_missing(client, make_campaign, app) -> None:
    from surveyapp.models import Unit

    departments = [Unit(code=f"PB0{n}", name=f"Phòng số {n}", kind="phòng chuyên môn") for n in (1, 2)]
    db.session.add_all(departments)
    db.session.commit()
    campaign = make_campaign(["CH3"], departments)
    definition = campaign.questionnaires[0].definition
    answers = filled_form(definition, ["PB01", "PB02"])
    per_unit = next(q for q in definition.questions if q.per_unit)
    del answers[field_name(per_unit, "PB02")]

    sent = submit(client, f"/r/{campaign.id}/CH3", answers)
    html = sent.get_data(as_text=True)

    assert sent.status_code == 422
    assert f'id="{field_name(per_unit, "PB02")}-error"' in html
    assert stored_responses() == []


def test_the_thank_you_page_speaks_each_visitors_language_and_links_to_its_own_address(
    client, desk, make_campaign, ward
) -> None:
    campaigns = [desk[0], make_campaign(["SIPAS-2017"], [ward])]
    for campaign in campaigns:
        for language, expected, other in [("vi", "Cảm ơn anh/chị", "?lang=en"), ("en", "Thank you", "?lang=vi")]:
            html = client.get(f"/r/{campaign.id}/thanks?lang={language}").get_data(as_text=True)
            assert expected in html
            assert f'href="/r/{campaign.id}/thanks{other}"' in html
    assert client.get(f"/r/{campaigns[-1].id + 1}/thanks").status_code == 404


@pytest.mark.parametrize("page", ["questionnaire", "thank-you page"])
def test_a_message_for_a_staff_member_waits_for_their_page_and_never_shows_on_a_citizens_page(
    app, client, auth, officer, desk, page
) -> None:
    campaign, _definition, url = desk
    address = url if page == "questionnaire" else f"/r/{campaign.id}/thanks"
    auth.login(officer.username)
    with client.session_transaction() as session:
        session["_flashes"] = [("success", "Đã lưu thay đổi của cán bộ.")]
    assert "Đã lưu thay đổi của cán bộ." not in client.get(address).get_data(as_text=True)
    assert "Đã lưu thay đổi của cán bộ." in client.get("/admin/campaigns").get_data(as_text=True)
    # A citizen's page, made after the staff member's (and kept), holds nothing of theirs.
    citizen = app.test_client()
    assert "Đã lưu thay đổi của cán bộ." not in citizen.get(address).get_data(as_text=True)


def test_the_questionnaire_is_available_in_english(client, desk) -> None:
    _campaign, definition, url = desk
    html = client.get(url + "?lang=en").get_data(as_text=True)
    assert 'lang="en"' in html
    assert str(escape(definition.title.en)) in html
    assert "Send" in html


def test_a_response_row_holds_nothing_that_identifies_the_respondent(app) -> None:
    columns = {column["name"] for column in inspect(db.engine).get_columns("responses")}
    assert columns == {
        "id",
        "campaign_id",
        "unit_id",
        "questionnaire_id",
        "respondent_group",
        "mode",
        "procedure_field",
        "submitted_on",
        "answers",
        "answer_codes",  # the same answers, one character each
    }
    receipt_columns = {column["name"] for column in inspect(db.engine).get_columns("submission_receipts")}
    assert receipt_columns == {"key_digest", "received_on"}


def test_the_receipt_keeps_a_digest_not_the_key(client, desk) -> None:
    _campaign, definition, url = desk
    key = form_key_of(client.get(url).get_data(as_text=True))
    submit(client, url, filled_form(definition), key=key)
    digests = list(db.session.scalars(select(SubmissionReceipt.key_digest)))
    assert len(digests) == 1
    assert not any(part in digests[0] for part in key.split("."))
    assert db.session.scalar(select(func.count()).select_from(Response)) == 1


def test_an_unknown_link_posted_without_its_session_is_refused_with_a_page_not_a_crash(client) -> None:
    response = client.post("/r/link/" + "a" * 43, data={"q_C1_1": "5"})
    assert response.status_code == 200
    assert "Đường dẫn này đã được sử dụng" in response.get_data(as_text=True)


@pytest.fixture
def national(make_campaign, ward):
    """An open campaign running SIPAS-2023 v2, the national form, in the ward."""
    campaign = make_campaign(["SIPAS-2023"], [ward])
    questionnaire = campaign.questionnaires[0]
    assert questionnaire.version == 2
    return campaign, questionnaire.definition, f"/r/{campaign.id}/SIPAS-2023/21172"


def test_a_resident_answers_the_national_form_end_to_end(client, national) -> None:
    campaign, definition, url = national
    html = client.get(url).get_data(as_text=True)
    assert definition.question("Q8_4").text.vi in html and definition.question("S4_6").text.vi in html
    assert "option no-answer" not in html  # no "don't know" anywhere on the national form (the CSS is inline)
    assert 'name="respondent_group"' not in html and 'name="procedure_field"' not in html
    answers = filled_form(definition, choice=0)
    for question in definition.sections[0].questions:  # about the respondent: optional
        del answers[field_name(question)]

    sent = submit(client, url, answers)

    assert sent.status_code == 302
    assert "Cảm ơn anh/chị" in client.get(sent.headers["Location"]).get_data(as_text=True)
    [response] = stored_responses()
    assert (response.campaign_id, response.questionnaire.code, response.questionnaire.version) == (
        campaign.id,
        "SIPAS-2023",
        2,
    )
    assert (response.respondent_group, response.procedure_field) == ("resident", None)
    assert response.answers["S4_6"] == 1 and response.answers["Q8_4"] == 1 and response.answers["M9"] == 3
    assert "A1" not in response.answers
    scored = [q.code for q in definition.questions if q.index is not None]
    assert len(scored) == 45 and all(code in response.answers for code in scored)


def test_the_national_form_refuses_a_blank_satisfaction_item_naming_it(client, national) -> None:
    _campaign, definition, url = national
    answers = filled_form(definition)
    fairness = definition.question("S4_6")
    del answers[field_name(fairness)]

    sent = submit(client, url, answers)
    html = sent.get_data(as_text=True)

    assert sent.status_code == 422
    assert "Có 1 câu cần xem lại" in html
    assert f'<a href="#{field_name(fairness)}">{escape(fairness.text.vi)}</a>: Vui lòng trả lời câu hỏi này.' in html
    assert f'id="{field_name(fairness)}-error">Vui lòng trả lời câu hỏi này.' in html
    assert stored_responses() == []
