"""Accounts of assessed units (*đơn vị*): created by officers, scoped to one unit, with the
log-in, password and session rules of every staff account."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from surveyapp.extensions import db
from surveyapp.models import AuditEntry, User, UserRole
from surveyapp.services.users import authenticate
from tests.helpers import PASSWORD, csrf_token_of
from tests.web.test_accounts import NEW_PASSWORD, audit_trail, change_password
from tests.web.test_sessions import Browser, is_sent_to_login

NEW_ACCOUNT = "/admin/accounts/new-unit-account"


def create_on_page(client, **fields: str):
    token = csrf_token_of(client.get(NEW_ACCOUNT).get_data(as_text=True))
    return client.post(NEW_ACCOUNT, data={"csrf_token": token, **fields})


def test_an_officer_creates_a_units_account_which_logs_in_to_its_own_home(client, auth, officer, ward) -> None:
    auth.login("canbo")
    assert "Tạo tài khoản đơn vị" in client.get("/admin/accounts").get_data(as_text=True)
    response = create_on_page(client, username="tqt", full_name="Văn phòng UBND phường", unit_code=" 21172 ")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    password = re.search(r'<code class="password">([^<]+)</code>', page).group(1)
    account = db.session.scalar(select(User).filter_by(username="tqt"))
    assert account.role is UserRole.UNIT and account.assessed_unit == ward and account.assigned_units == []
    assert audit_trail() == [
        ("canbo", "user_created", {"username": "tqt", "role": "unit", "units": [], "assessed_unit": "21172"})
    ]
    listing = client.get("/admin/accounts").get_data(as_text=True)
    assert "Đơn vị được đánh giá" in listing and f"/admin/units/{ward.id}/evidence" in listing

    client.post("/logout", data={"csrf_token": csrf_token_of(listing)})
    auth.login("tqt", password)
    home = client.get("/")
    assert home.headers["Location"] == "/unit/"
    page = client.get("/unit/").get_data(as_text=True)
    assert "Phường Trương Quang Trọng" in page and "mã 21172" in page and "/unit/evidence" in page
    assert "/field/" not in page and "/admin/" not in page  # the menu offers only the unit's pages


def test_a_units_account_with_an_unknown_unit_or_a_taken_name_is_not_created(client, auth, officer, ward) -> None:
    auth.login("canbo")
    page = create_on_page(client, username="x", full_name="", unit_code="99999").get_data(as_text=True)
    assert "Không có đơn vị hiện hành nào mang mã «99999»." in page
    page = create_on_page(client, username="canbo", full_name="", unit_code="21172").get_data(as_text=True)
    assert "Tên đăng nhập «canbo» đã có người dùng; hãy chọn tên khác." in page
    assert db.session.scalar(select(func.count()).select_from(User)) == 1
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == 0


def test_a_units_account_changes_its_password_and_is_logged_out_everywhere_when_deactivated(
    live_server, officer, unit_account
) -> None:
    office, home = Browser(live_server), Browser(live_server)
    office.login("canbo")
    home.login("phuong")
    assert home.get("/unit/")[0] == 200
    elsewhere = Browser(live_server)
    elsewhere.login("phuong")
    status, headers, _ = change_password(home, PASSWORD, NEW_PASSWORD)
    assert (status, headers["location"]) == (302, "/")
    assert home.get("/unit/")[0] == 200 and is_sent_to_login(elsewhere.get("/unit/"))
    db.session.rollback()
    assert authenticate("phuong", NEW_PASSWORD) is not None

    office.post_form(f"/admin/accounts/{unit_account.id}/deactivate", {}, token_from="/admin/accounts")
    assert is_sent_to_login(home.get("/unit/evidence"))
    status, _, page = Browser(live_server).post_form("/login", {"username": "phuong", "password": NEW_PASSWORD})
    assert status == 200 and "không đúng" in page
    assert [action for _, action, _ in audit_trail()] == ["password_changed", "user_deactivated"]


def test_log_out_ends_a_units_session_and_its_saved_cookie(live_server, unit_account) -> None:
    browser = Browser(live_server)
    browser.login("phuong")
    saved = browser.session
    status, _, _ = browser.post_form("/logout", {}, token_from="/unit/")
    assert status == 302
    copied = Browser(live_server)
    copied.session = saved
    assert is_sent_to_login(copied.get("/unit/"))
