"""Accounts: one's own password, and officers deactivating, reactivating and resetting accounts.

What sessions must survive or not is tried over real HTTP against gunicorn, with saved cookies.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import AuditEntry, User
from surveyapp.services.users import UserError, authenticate, deactivate_user
from tests.helpers import PASSWORD, csrf_token_of
from tests.web.test_sessions import Browser, is_sent_to_login

NEW_PASSWORD = "mat-khau-moi-rat-dai"


def change_password(browser: Browser, current: str, new: str, again: str | None = None):
    return browser.post_form(
        "/account/password",
        {"current_password": current, "new_password": new, "confirm_password": new if again is None else again},
    )


def audit_trail() -> list[tuple[str, str, dict]]:
    db.session.rollback()  # see what the server wrote
    entries = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))
    return [(entry.actor, entry.action.value, entry.details) for entry in entries]


def test_a_new_password_ends_every_other_session_and_keeps_this_one(live_server, officer) -> None:
    office, home = Browser(live_server), Browser(live_server)
    office.login("canbo")
    home.login("canbo")
    token_before = csrf_token_of(office.get("/admin/")[2])
    status, headers, _ = change_password(office, PASSWORD, NEW_PASSWORD)
    assert (status, headers["location"]) == (302, "/")
    assert office.get("/admin/")[0] == 200  # still logged in here
    assert csrf_token_of(office.get("/admin/")[2]) != token_before  # with a fresh session
    assert is_sent_to_login(home.get("/admin/"))  # the other browser's cookie is dead
    db.session.rollback()  # see what the server wrote
    assert authenticate("canbo", PASSWORD) is None and authenticate("canbo", NEW_PASSWORD) is not None
    assert audit_trail() == [("canbo", "password_changed", {"username": "canbo"})]


def test_a_surveyor_changes_their_own_password_too(client, auth, surveyor) -> None:
    auth.login("dtv1")
    page = client.get("/account/password")
    assert page.status_code == 200 and "Đổi mật khẩu" in page.get_data(as_text=True)
    token = csrf_token_of(page.get_data(as_text=True))
    data = {"csrf_token": token, "current_password": PASSWORD, "new_password": NEW_PASSWORD}
    response = client.post("/account/password", data=data | {"confirm_password": NEW_PASSWORD})
    assert response.status_code == 302
    assert client.get("/field/").status_code == 200
    assert authenticate("dtv1", NEW_PASSWORD) is not None


def test_a_wrong_current_password_a_mismatch_or_a_short_one_changes_nothing(live_server, officer) -> None:
    browser = Browser(live_server)
    browser.login("canbo")
    for current, new, again, message in (
        ("sai-mat-khau", NEW_PASSWORD, None, "Mật khẩu hiện tại không đúng."),
        (PASSWORD, NEW_PASSWORD, NEW_PASSWORD + "x", "Hai lần nhập mật khẩu mới không khớp."),
        (PASSWORD, "ngan", None, "Mật khẩu mới phải có từ 8 đến 200 ký tự."),
    ):
        status, _, page = change_password(browser, current, new, again)
        assert status == 200 and message in page
    assert browser.get("/admin/")[0] == 200
    assert authenticate("canbo", PASSWORD) is not None and audit_trail() == []


def test_a_deactivated_surveyor_is_logged_out_at_once_and_can_log_in_again_once_reactivated(
    live_server, officer, surveyor
) -> None:
    field, office = Browser(live_server), Browser(live_server)
    field.login("dtv1")
    assert field.get("/field/")[0] == 200
    office.login("canbo")
    assert "dtv1" in office.get("/admin/accounts")[2]
    status, headers, _ = office.post_form(f"/admin/accounts/{surveyor.id}/deactivate", {}, token_from="/admin/accounts")
    assert (status, headers["location"]) == (302, "/admin/accounts")
    assert "Đã khóa" in office.get("/admin/accounts")[2]
    assert is_sent_to_login(field.get("/field/"))  # the saved cookie stops working at once
    status, _, page = Browser(live_server).post_form("/login", {"username": "dtv1", "password": PASSWORD})
    assert status == 200 and "không đúng" in page  # and the password no longer logs in

    office.post_form(f"/admin/accounts/{surveyor.id}/activate", {}, token_from="/admin/accounts")
    field.login("dtv1")
    assert field.get("/field/")[0] == 200
    assert [action for _, action, _ in audit_trail()] == ["user_deactivated", "user_reactivated"]


def test_an_officer_cannot_deactivate_themself(live_server, officer) -> None:
    office = Browser(live_server)
    office.login("canbo")
    assert f"/admin/accounts/{officer.id}/deactivate" not in office.get("/admin/accounts")[2]
    office.post_form(f"/admin/accounts/{officer.id}/deactivate", {}, token_from="/admin/accounts")
    assert "Bạn không thể tự khóa tài khoản của mình." in office.get("/admin/accounts")[2]
    assert office.get("/admin/")[0] == 200 and audit_trail() == []


def test_a_new_password_for_another_account_is_shown_once_and_ends_its_sessions(live_server, officer, surveyor) -> None:
    field, office = Browser(live_server), Browser(live_server)
    field.login("dtv1")
    office.login("canbo")
    status, headers, page = office.post_form(
        f"/admin/accounts/{surveyor.id}/password", {}, token_from="/admin/accounts"
    )
    assert status == 200 and headers.get("cache-control") == "no-store"
    password = re.search(r'<code class="password">([^<]+)</code>', page).group(1)
    assert is_sent_to_login(field.get("/field/"))
    db.session.rollback()  # see what the server wrote
    assert authenticate("dtv1", PASSWORD) is None and authenticate("dtv1", password) is not None
    assert password not in str(audit_trail())
    assert audit_trail() == [("canbo", "password_changed", {"username": "dtv1"})]


def test_an_officer_deactivated_meanwhile_cannot_deactivate_the_last_active_one(client, auth, officer) -> None:
    other = User(username="canbo2", full_name="Cán bộ 2", role=officer.role, password_hash=officer.password_hash)
    db.session.add(other)
    db.session.commit()
    auth.login("canbo")
    token = csrf_token_of(client.get("/admin/accounts").get_data(as_text=True))
    client.post(f"/admin/accounts/{other.id}/deactivate", data={"csrf_token": token})
    # canbo2's own request, sent before it was deactivated, is refused: canbo is the last officer.
    db.session.expire_all()
    with pytest.raises(UserError, match="cán bộ quản lý cuối cùng"):
        deactivate_user(db.session.get(User, officer.id), by=db.session.get(User, other.id))
