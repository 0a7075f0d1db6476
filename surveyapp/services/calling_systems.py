"""Calling systems: the one-stop systems an officer lets ask for receipt links through the API.

Creating one gives a long random bearer token, shown once; only its SHA-256 digest is stored
(as a desk device's). A system is tied to one campaign's questionnaire and to the units
(centres, agencies) whose dossiers it may ask about. Revoking keeps the row, so that the list
still shows it and its later calls are refused by name. Both are recorded in the audit log.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets

from flask_babel import gettext as _
from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import AuditAction, CallingSystem, Campaign, Questionnaire
from surveyapp.services.audit import record_action

_TOKEN_BYTES = 32
# Longer bearer tokens are not looked up.
MAX_TOKEN_LENGTH = 64
_CODE_SEPARATORS = re.compile(r"[\s,;]+")


class CallingSystemError(ValueError):
    """The calling system cannot be created as asked; the message says why."""


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_calling_system(name: str, campaign: Campaign, questionnaire: Questionnaire, unit_codes: str) -> str:
    """Let a system ask for links to ``questionnaire`` of ``campaign`` for the units whose codes
    ``unit_codes`` lists (separated by spaces, commas or lines); returns its bearer token, the
    one copy. Not committed.

    The questionnaire must be one of the campaign's, about one unit (not a matrix), and every
    code a unit the questionnaire asks about in the campaign.
    """
    if questionnaire not in campaign.questionnaires:
        raise CallingSystemError(_("Phiếu %(code)s không thuộc đợt điều tra này.", code=questionnaire.code))
    if questionnaire.definition.is_matrix:
        raise CallingSystemError(
            _("Phiếu %(code)s đánh giá nhiều đơn vị cùng lúc, không gắn với một hồ sơ.", code=questionnaire.code)
        )
    codes = list(dict.fromkeys(code for code in _CODE_SEPARATORS.split(unit_codes) if code))
    if not codes:
        raise CallingSystemError(_("Hãy nhập mã ít nhất một đơn vị."))
    by_code = {unit.code: unit for unit in campaign.units_for(questionnaire)}
    unknown = [code for code in codes if code not in by_code]
    if unknown:
        raise CallingSystemError(
            _(
                "Mã đơn vị không thuộc đợt điều tra hoặc không được phiếu %(form)s đánh giá: %(codes)s.",
                form=questionnaire.code,
                codes=", ".join(unknown),
            )
        )
    token = secrets.token_urlsafe(_TOKEN_BYTES)
    system = CallingSystem(
        name=name,
        campaign_id=campaign.id,
        questionnaire_id=questionnaire.id,
        token_digest=_digest(token),
        created_at=dt.datetime.now(dt.UTC),
        units=[by_code[code] for code in codes],
    )
    db.session.add(system)
    record_action(
        AuditAction.CALLING_SYSTEM_CREATED, campaign, name=name, questionnaire=questionnaire.code, units=codes
    )
    db.session.flush()
    return token


def revoke_calling_system(system: CallingSystem) -> None:
    """Refuse every later call of ``system`` (the links it was given keep working). Not committed."""
    if system.is_revoked:
        return
    system.revoked_at = dt.datetime.now(dt.UTC)
    record_action(AuditAction.CALLING_SYSTEM_REVOKED, system.campaign, name=system.name)
    db.session.flush()


def find_calling_system(token: str) -> CallingSystem | None:
    """The system whose bearer token this is (revoked ones too), or ``None``."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    return db.session.scalar(select(CallingSystem).where(CallingSystem.token_digest == _digest(token)))


def get_calling_systems() -> list[CallingSystem]:
    """Every calling system, the ones in use first, by name."""
    return list(
        db.session.scalars(
            select(CallingSystem).order_by(CallingSystem.revoked_at.is_not(None), CallingSystem.name, CallingSystem.id)
        )
    )
