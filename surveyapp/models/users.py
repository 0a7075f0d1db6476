"""Staff accounts: officers who run campaigns, surveyors who collect answers, the accounts of
assessed units (*đơn vị*) who assess themselves, and appraisers (*thẩm định viên*) who check them."""

from __future__ import annotations

import enum
import secrets

from flask import current_app
from flask_login import UserMixin
from sqlalchemy import CheckConstraint, Column, ForeignKey, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from surveyapp.extensions import db
from surveyapp.models.types import enum_column
from surveyapp.models.units import Unit


class UserRole(enum.Enum):
    """What a staff member may do."""

    OFFICER = "officer"
    SURVEYOR = "surveyor"
    # The staff of one assessed unit (*đơn vị*: a commune, a ward, a department) who score
    # their unit and upload its evidence (*tài liệu kiểm chứng*); see ``User.assessed_unit``.
    UNIT = "unit"
    # A member of the appraisal group (*Tổ thẩm định*) who checks and corrects the points of
    # the units assigned to them in a round (``models/appraisals.AppraiserAssignment``).
    APPRAISER = "appraiser"


def new_session_nonce() -> str:
    """A random value that the sessions of an account carry; changing it ends them all."""
    return secrets.token_hex(16)


surveyor_units = Table(
    "surveyor_units",
    db.metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("unit_id", ForeignKey("units.id", ondelete="CASCADE"), primary_key=True),
)


class User(UserMixin, db.Model):
    """A staff account (an officer, a surveyor, an assessed unit's account or an appraiser). Respondents
    never have one: answers are anonymous."""

    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(
            "(role = 'unit' AND assessed_unit_id IS NOT NULL) OR (role <> 'unit' AND assessed_unit_id IS NULL)",
            name="one_assessed_unit_for_unit_accounts",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[UserRole] = mapped_column(enum_column(UserRole))
    is_active_account: Mapped[bool] = mapped_column(default=True)
    # Copied into the session at log-in (see ``get_id``); log-out, a new password and
    # deactivation replace it, so every cookie saved before stops working.
    session_nonce: Mapped[str] = mapped_column(String(32), default=new_session_nonce)

    # A surveyor's units: where they may type in forms and follow the sample, each with the
    # units below it (``auth.access.is_within_assignment``).
    assigned_units: Mapped[list[Unit]] = relationship(secondary=surveyor_units, order_by=Unit.code)
    # The one unit a unit account speaks for (exactly one: the check constraint above), and no
    # unit below it. A column of its own rather than ``assigned_units``: an assignment grants a
    # surveyor's rights of collecting answers about a unit and the units below it, which the
    # unit's own staff must never have (they would type in the survey of themselves).
    assessed_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    assessed_unit: Mapped[Unit | None] = relationship()

    def get_id(self) -> str:
        """What Flask-Login keeps in the session: the id and the current session nonce."""
        return f"{self.id}:{self.session_nonce}"

    def end_sessions(self) -> None:
        """Invalidate every session of this account (the current one included)."""
        self.session_nonce = new_session_nonce()

    @property
    def is_active(self) -> bool:
        return self.is_active_account

    @property
    def is_officer(self) -> bool:
        return self.role is UserRole.OFFICER

    @property
    def is_unit_account(self) -> bool:
        """Whether this account speaks for an assessed unit (``assessed_unit``)."""
        return self.role is UserRole.UNIT

    @property
    def is_appraiser(self) -> bool:
        """Whether this account appraises units' self-assessments (only those assigned to it)."""
        return self.role is UserRole.APPRAISER

    def set_password(self, password: str) -> None:
        """Store a hash of ``password``; the sessions opened with the old one end."""
        self.password_hash = generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])
        self.end_sessions()

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)
