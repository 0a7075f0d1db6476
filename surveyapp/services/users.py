"""Staff accounts: creation, authentication, passwords and deactivation."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from functools import cache

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from surveyapp.extensions import db
from surveyapp.models import AuditAction, Unit, User, UserRole
from surveyapp.services.audit import record_action

MIN_PASSWORD_LENGTH = 8


class UserError(ValueError):
    """A staff account cannot be created or changed as asked; the message says why.

    Messages of the account verbs are lazy translations: the pages show them in the page's
    language and the commands in both (see ``surveyapp/cli/commands.py``).
    """


def create_user(
    *,
    username: str,
    full_name: str,
    password: str,
    role: UserRole,
    units: Sequence[Unit] = (),
    assessed_unit: Unit | None = None,
) -> User:
    """Create a staff account with a hashed password. Audited.

    Surveyors get their assigned ``units``; an assessed unit's account (``UserRole.UNIT``)
    gets its one ``assessed_unit`` and nothing else; officers and appraisers get neither (an
    appraiser is assigned units per round, ``services/unit_appraisals.assign_appraiser``).
    """
    username = username.strip()
    if not username:
        raise UserError(_l("Hãy nhập tên đăng nhập."))
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(_l("Mật khẩu phải có ít nhất %(count)d ký tự.", count=MIN_PASSWORD_LENGTH))
    if (role is UserRole.UNIT) != (assessed_unit is not None):
        raise UserError(
            _l("Chỉ tài khoản đơn vị mới gắn với một đơn vị được đánh giá, và phải gắn với đúng một đơn vị.")
        )
    if role is UserRole.UNIT and units:
        raise UserError(_l("Tài khoản đơn vị không được phân công địa bàn điều tra."))
    if role is UserRole.APPRAISER and units:
        raise UserError(
            _l(
                "Thẩm định viên không được phân công địa bàn điều tra; cán bộ phân công đơn vị thẩm định "
                "trong từng kỳ đánh giá."
            )
        )
    if db.session.scalar(select(User).filter_by(username=username)) is not None:
        raise UserError(_l("Tên đăng nhập «%(username)s» đã có người dùng; hãy chọn tên khác.", username=username))
    user = User(username=username, full_name=full_name.strip() or username, role=role, assessed_unit=assessed_unit)
    user.set_password(password)
    user.assigned_units = list(units)
    db.session.add(user)
    db.session.flush()
    details = {"username": user.username, "role": role.value, "units": [unit.code for unit in units]}
    if assessed_unit is not None:
        details["assessed_unit"] = assessed_unit.code
    record_action(AuditAction.USER_CREATED, **details)
    return user


def authenticate(username: str, password: str) -> User | None:
    """The active account with these credentials, or ``None``.

    Passwords are stored as salted werkzeug hashes (scrypt). An unknown username costs the
    same hashing work as a wrong password, so that the answer time does not tell which
    usernames exist.
    """
    user = get_user(username)
    if user is None:
        check_password_hash(_dummy_hash(current_app.config["PASSWORD_HASH_METHOD"]), password)
        return None
    if not user.check_password(password) or not user.is_active:
        return None
    return user


@cache
def _dummy_hash(method: str) -> str:
    """A hash of a random password, made with the accounts' method, for unknown usernames."""
    return generate_password_hash(secrets.token_urlsafe(16), method=method)


def random_password() -> str:
    """A new random password of 16 URL-safe characters (96 bits), to be shown once."""
    return secrets.token_urlsafe(12)


def get_user(username: str) -> User | None:
    """The account named ``username`` (surrounding spaces ignored), or ``None``."""
    return db.session.scalar(select(User).filter_by(username=username.strip()))


def get_users() -> list[User]:
    """Every staff account, by role (officers, surveyors, units' accounts, appraisers) then username."""
    return list(db.session.scalars(select(User).order_by(User.role, User.username)))


def get_appraisers() -> list[User]:
    """The active appraisers' accounts, by username."""
    statement = select(User).filter_by(role=UserRole.APPRAISER, is_active_account=True).order_by(User.username)
    return list(db.session.scalars(statement))


def set_password(user: User, password: str) -> None:
    """Give ``user`` a new password and end every session of the account; recorded.

    Used by the account holder (see ``change_password``), an officer and the commands.
    """
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(_l("Mật khẩu phải có ít nhất %(count)d ký tự.", count=MIN_PASSWORD_LENGTH))
    user.set_password(password)
    record_action(AuditAction.PASSWORD_CHANGED, username=user.username)
    db.session.flush()


def change_password(user: User, current_password: str, new_password: str) -> None:
    """The account holder's own change: the current password must be given, and right."""
    if not user.check_password(current_password):
        raise UserError(_l("Mật khẩu hiện tại không đúng."))
    set_password(user, new_password)


def deactivate_user(user: User, by: User | None = None) -> bool:
    """Refuse every log-in of ``user`` and end their sessions at once; recorded. Whether it was active.

    ``by`` (the officer acting; ``None`` for a command) may not deactivate themself, and the
    last active officer is never deactivated: someone must be able to reactivate accounts.
    The active officers are locked while counted, so that two officers who deactivate each
    other at the same moment cannot both succeed (PostgreSQL; SQLite lets one writer through).
    """
    if by is not None and by.id == user.id:
        raise UserError(_l("Bạn không thể tự khóa tài khoản của mình."))
    if not user.is_active_account:
        return False
    if user.is_officer:
        officers = db.session.scalars(
            select(User.id).where(User.role == UserRole.OFFICER, User.is_active_account.is_(True)).with_for_update()
        ).all()
        if set(officers) <= {user.id}:
            raise UserError(
                _l(
                    "Không thể khóa «%(username)s»: đây là cán bộ quản lý cuối cùng còn hoạt động.",
                    username=user.username,
                )
            )
    user.is_active_account = False
    user.end_sessions()
    record_action(AuditAction.USER_DEACTIVATED, username=user.username)
    db.session.flush()
    return True


def activate_user(user: User) -> bool:
    """Let ``user`` log in again (with their password as it was); recorded. Whether it was deactivated."""
    if user.is_active_account:
        return False
    user.is_active_account = True
    record_action(AuditAction.USER_REACTIVATED, username=user.username)
    db.session.flush()
    return True
