"""Log-in, roles, and surveyors typing in paper forms for their own units."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from surveyapp import create_app
from surveyapp.extensions import db
from surveyapp.models import CampaignStatus, Response, ResponseMode, User, UserRole
from surveyapp.questionnaires.answers import field_name
from tests.helpers import PASSWORD, SECRET_KEY, csrf_token_of, filled_form, form_fields_of, submit


def test_the_login_page_is_in_vietnamese(client) -> None:
    html = client.get("/login").get_data(as_text=True)
    assert "Đăng nhập cho cán bộ" in html and "Mật khẩu" in html


def test_passwords_are_stored_hashed(officer) -> None:
    stored = db.session.scalar(select(User.password_hash).filter_by(username="canbo"))
    assert "mat-khau-an-toan" not in stored and stored.startswith(("scrypt:", "pbkdf2:"))


def test_the_service_hashes_passwords_at_full_scrypt_cost_unless_told_otherwise() -> None:
    # The suite hashes cheaply (tests/helpers.py); a deployment must not.
    app = create_app({"SECRET_KEY": SECRET_KEY, "TESTING": True})
    with app.app_context():
        account = User(username="x", full_name="x", role=UserRole.OFFICER)
        account.set_password(PASSWORD)
    assert account.password_hash.startswith("scrypt:32768:8:1$")


def test_a_wrong_password_is_refused_with_a_message(client, auth, officer) -> None:
    page = auth.login("canbo", "sai-mat-khau")
    assert page.status_code == 200
    assert "Tên đăng nhập hoặc mật khẩu không đúng." in page.get_data(as_text=True)
    assert client.get("/field/").status_code == 302


def test_an_officer_lands_on_the_campaigns_and_a_surveyor_on_the_forms(client, auth, officer, surveyor) -> None:
    assert auth.login("canbo").headers["Location"] == "/"
    assert client.get("/").headers["Location"] == "/admin/"
    client.post("/logout", data={"csrf_token": csrf_token_of(client.get("/field/").get_data(as_text=True))})
    auth.login("dtv1")
    assert client.get("/").headers["Location"] == "/field/"


def test_logging_in_never_redirects_to_another_site(client, officer) -> None:
    token = csrf_token_of(client.get("/login").get_data(as_text=True))
    sent = client.post(
        "/login?next=//evil.example/", data={"username": "canbo", "password": "mat-khau-an-toan", "csrf_token": token}
    )
    assert sent.headers["Location"] == "/"


@pytest.mark.parametrize("path", ["/field/", "/admin/"])
def test_staff_pages_need_a_login(client, path) -> None:
    page = client.get(path)
    assert page.status_code == 302 and "/login" in page.headers["Location"]


def test_a_surveyor_cannot_open_the_officers_pages(client, auth, surveyor) -> None:
    auth.login("dtv1")
    assert client.get("/admin/").status_code == 403


@pytest.fixture
def ward_campaign(make_campaign, ward):
    """An open PAR campaign over the ward and its residential groups (CX4: citizens)."""
    return make_campaign(["CX4"], [ward, *ward.children])


def test_a_surveyor_sees_only_the_forms_of_their_units(client, auth, surveyor, ward_campaign) -> None:
    auth.login("dtv1")
    html = client.get("/field/").get_data(as_text=True)
    assert "Tổ dân phố 1" in html
    assert "Tổ dân phố 2" not in html


def test_a_surveyor_types_in_a_paper_form_and_the_page_is_ready_for_the_next(client, auth, surveyor, ward_campaign):
    auth.login("dtv1")
    url = f"/field/enter/{ward_campaign.id}/CX4/21172-T01"
    definition = ward_campaign.questionnaires[0].definition

    sent = submit(client, url, {**filled_form(definition), "mode": "paper"})

    assert sent.status_code == 302 and sent.headers["Location"] == url
    assert "Đã lưu phiếu" in client.get(url).get_data(as_text=True)
    [response] = db.session.scalars(select(Response))
    assert response.mode is ResponseMode.PAPER and response.unit.code == "21172-T01"


def test_an_interview_is_recorded_as_such(client, auth, surveyor, ward_campaign) -> None:
    auth.login("dtv1")
    url = f"/field/enter/{ward_campaign.id}/CX4/21172-T01"
    submit(client, url, {**filled_form(ward_campaign.questionnaires[0].definition), "mode": "interview"})
    assert db.session.scalar(select(Response.mode)) is ResponseMode.INTERVIEW


def test_a_typed_form_is_validated_like_the_public_one(client, auth, surveyor, ward_campaign) -> None:
    auth.login("dtv1")
    url = f"/field/enter/{ward_campaign.id}/CX4/21172-T01"
    definition = ward_campaign.questionnaires[0].definition
    answers = filled_form(definition)
    first_scale = next(q for q in definition.questions if q.scale_code)
    del answers[field_name(first_scale)]

    sent = submit(client, url, {**answers, "mode": "paper"})

    assert sent.status_code == 422
    assert "Vui lòng trả lời câu hỏi này." in sent.get_data(as_text=True)
    assert db.session.scalars(select(Response)).all() == []


def test_a_surveyor_cannot_type_in_forms_for_another_unit(client, auth, surveyor, ward_campaign) -> None:
    auth.login("dtv1")
    url = f"/field/enter/{ward_campaign.id}/CX4/21172-T02"
    assert client.get(url).status_code == 403
    assert client.post(url, data=filled_form(ward_campaign.questionnaires[0].definition)).status_code in (400, 403)
    assert db.session.scalars(select(Response)).all() == []


def test_a_paper_form_sent_twice_is_stored_once_and_the_surveyor_is_told(client, auth, surveyor, ward_campaign) -> None:
    auth.login("dtv1")
    url = f"/field/enter/{ward_campaign.id}/CX4/21172-T01"
    form = form_fields_of(client.get(url).get_data(as_text=True)) | filled_form(
        ward_campaign.questionnaires[0].definition
    )
    first = client.post(url, data=form, follow_redirects=True).get_data(as_text=True)
    again = client.post(url, data=form, follow_redirects=True).get_data(as_text=True)
    assert "Đã lưu phiếu." in first
    assert "Phiếu này đã được lưu trước đó; không lưu lần thứ hai." in again and "Đã lưu phiếu." not in again
    assert len(db.session.scalars(select(Response)).all()) == 1


def test_an_officer_may_type_in_forms_for_any_unit(client, auth, officer, ward_campaign) -> None:
    auth.login("canbo")
    url = f"/field/enter/{ward_campaign.id}/CX4/21172-T03"
    assert submit(client, url, filled_form(ward_campaign.questionnaires[0].definition)).status_code == 302
    assert db.session.scalar(select(Response.mode)) is ResponseMode.PAPER


def test_paper_forms_are_typed_in_after_the_period_until_the_campaign_closes(
    client, auth, surveyor, make_campaign, ward
) -> None:
    ended = dt.date.today() - dt.timedelta(days=1)
    campaign = make_campaign(["CX4"], [ward, *ward.children], opens_on=ended - dt.timedelta(days=30), closes_on=ended)
    auth.login("dtv1")
    url = f"/field/enter/{campaign.id}/CX4/21172-T01"
    assert submit(client, url, filled_form(campaign.questionnaires[0].definition)).status_code == 302
    assert db.session.scalar(select(Response.mode)) is ResponseMode.PAPER
    qr = client.get(f"/r/{campaign.id}/CX4/21172-T01").get_data(as_text=True)
    assert "Đợt khảo sát này đã kết thúc" in qr  # while a citizen's QR form is over


def test_no_form_can_be_typed_into_a_closed_campaign(client, auth, surveyor, make_campaign, ward) -> None:
    campaign = make_campaign(["CX4"], [ward, *ward.children], status=CampaignStatus.CLOSED)
    auth.login("dtv1")
    page = client.get(f"/field/enter/{campaign.id}/CX4/21172-T01", follow_redirects=True)
    assert "không nhập được phiếu" in page.get_data(as_text=True)
