"""Staff accounts: creation and authentication."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

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
    """The active account with these credentials, or ``None``."""
    user = db.session.scalar(select(User).filter_by(username=username.strip()))
    if user is None or not user.is_active or not user.check_password(password):
        return None
    return user
