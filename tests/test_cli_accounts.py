"""The account commands: set-password, deactivate-user, activate-user."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import AuditEntry, User
from surveyapp.services.users import authenticate
from tests.helpers import PASSWORD


def actions() -> list[tuple[str, str, dict]]:
    entries = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))
    return [(entry.actor, entry.action.value, entry.details) for entry in entries]


def test_set_password_asks_twice_hidden_and_ends_every_session(runner, officer) -> None:
    nonce = officer.session_nonce
    result = runner.invoke(args=["set-password", "canbo"], input="mat-khau-moi-1\nmat-khau-moi-1\n")
    assert result.exit_code == 0, result.output
    assert "mat-khau-moi-1" not in result.output
    db.session.expire_all()
    assert authenticate("canbo", "mat-khau-moi-1") is not None and authenticate("canbo", PASSWORD) is None
    assert db.session.get(User, officer.id).session_nonce != nonce
    assert actions() == [("cli", "password_changed", {"username": "canbo"})]


def test_set_password_random_prints_a_working_password_once(runner, officer) -> None:
    result = runner.invoke(args=["set-password", "canbo", "--random"])
    assert result.exit_code == 0, result.output
    password = result.output.split("Password (shown only now): ", 1)[1].split()[0]
    assert len(password) >= 16
    assert authenticate("canbo", password) is not None and authenticate("canbo", PASSWORD) is None


def test_set_password_refuses_a_short_one_in_both_languages(runner, officer) -> None:
    result = runner.invoke(args=["set-password", "canbo"], input="ngan\nngan\n")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "Mật khẩu phải có ít nhất 8 ký tự." in result.output
    assert "The password must have at least 8 characters." in result.output
    assert authenticate("canbo", PASSWORD) is not None and actions() == []


@pytest.mark.parametrize("command", [["set-password", "--random"], ["deactivate-user"], ["activate-user"]])
def test_an_unknown_user_is_named_in_both_languages(runner, officer, command) -> None:
    result = runner.invoke(args=[command[0], "khong-co", *command[1:]])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "Không có tài khoản nào tên «khong-co»." in result.output
    assert "No account is named 'khong-co'" in result.output


def test_deactivate_and_activate_a_surveyor(runner, officer, surveyor) -> None:
    nonce = surveyor.session_nonce
    result = runner.invoke(args=["deactivate-user", "dtv1"])
    assert result.exit_code == 0 and "Deactivated dtv1" in result.output
    db.session.expire_all()
    assert authenticate("dtv1", PASSWORD) is None
    assert db.session.get(User, surveyor.id).session_nonce != nonce
    assert "deactivated already" in runner.invoke(args=["deactivate-user", "dtv1"]).output
    result = runner.invoke(args=["activate-user", "dtv1"])
    assert result.exit_code == 0 and "Activated dtv1" in result.output
    assert authenticate("dtv1", PASSWORD) is not None
    assert [action for _, action, _ in actions()] == ["user_deactivated", "user_reactivated"]


def test_the_last_active_officer_is_not_deactivated(runner, officer, surveyor) -> None:
    result = runner.invoke(args=["deactivate-user", "canbo"])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "cán bộ quản lý cuối cùng" in result.output and "the last active officer" in result.output
    assert authenticate("canbo", PASSWORD) is not None and actions() == []
