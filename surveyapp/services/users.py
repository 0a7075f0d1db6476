"""Staff accounts: creation and authentication."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from functools import cache

from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from surveyapp.extensions import db
from surveyapp.models import Unit, User, UserRole

MIN_PASSWORD_LENGTH = 8


class UserError(ValueError):
    """A staff account cannot be created as asked; the message says why."""


def create_user(*, username: str, full_name: str, password: str, role: UserRole, units: Sequence[Unit] = ()) -> User:
    """Create a staff account with a hashed password; surveyors get their assigned units."""
    username = username.strip()
    if not username:
        raise UserError("username: must not be empty")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(f"password: must have at least {MIN_PASSWORD_LENGTH} characters")
    if db.session.scalar(select(User).filter_by(username=username)) is not None:
        raise UserError(f"username: {username!r} is already taken")
    user = User(username=username, full_name=full_name.strip() or username, role=role)
    user.set_password(password)
    user.assigned_units = list(units)
    db.session.add(user)
    db.session.flush()
    return user


def authenticate(username: str, password: str) -> User | None:
    """The active account with these credentials, or ``None``.

    Passwords are stored as salted werkzeug hashes (scrypt). An unknown username costs the
    same hashing work as a wrong password, so that the answer time does not tell which
    usernames exist.
    """
    user = db.session.scalar(select(User).filter_by(username=username.strip()))
    if user is None:
        check_password_hash(_dummy_hash(), password)
        return None
    if not user.check_password(password) or not user.is_active:
        return None
    return user


@cache
def _dummy_hash() -> str:
    """A hash of a random password, made with the current method, for unknown usernames."""
    return generate_password_hash(secrets.token_urlsafe(16))
