"""Desk devices: tablets an officer registered at a desk, whose forms are never held.

Registering sets a long random cookie on the tablet (``DEVICE_COOKIE``); only its SHA-256
digest is stored, with a name. Revoking deletes the row, and the cookie then counts for
nothing. Both are recorded in the audit log.

A device registered with a ``KioskSetup`` is a *kiosk*: it shows one campaign's questionnaire
at one unit to one person after another (the ``respond.kiosk`` pages), and nothing else.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select
from werkzeug.wrappers import Response as WerkzeugResponse

from surveyapp.extensions import db
from surveyapp.models import AuditAction, Campaign, DeskDevice, Questionnaire, Unit
from surveyapp.services.audit import record_action

DEVICE_COOKIE = "surveyapp_desk"
# A desk device's cookie outlives any campaign: a tablet stays at its desk for years.
DEVICE_COOKIE_MAX_AGE = 5 * 365 * 24 * 60 * 60
_TOKEN_BYTES = 32
# Longer cookies are not looked up.
_MAX_TOKEN_LENGTH = 64


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class KioskSetup:
    """What a kiosk shows: a campaign's single-layout questionnaire at one of its units, the quick
    rating or not, and how many counters the quick rating offers (0: it does not ask)."""

    campaign: Campaign
    questionnaire: Questionnaire
    unit: Unit
    has_quick_rating: bool = False
    counters: int = 0


def register_desk_device(name: str, kiosk: KioskSetup | None = None) -> str:
    """Register a device under ``name``, as a kiosk when ``kiosk`` is given; returns the token
    its cookie carries (shown once, never stored). Not committed."""
    token = secrets.token_urlsafe(_TOKEN_BYTES)
    device = DeskDevice(name=name, token_digest=_digest(token), registered_at=dt.datetime.now(dt.UTC))
    if kiosk is None:
        record_action(AuditAction.DEVICE_REGISTERED, name=name)
    else:
        device.campaign = kiosk.campaign
        device.questionnaire = kiosk.questionnaire
        device.unit = kiosk.unit
        device.has_quick_rating = kiosk.has_quick_rating
        device.counters = kiosk.counters
        record_action(
            AuditAction.KIOSK_REGISTERED,
            kiosk.campaign,
            name=name,
            questionnaire=kiosk.questionnaire.code,
            unit=kiosk.unit.code,
            quick_rating=kiosk.has_quick_rating,
            counters=kiosk.counters,
        )
    db.session.add(device)
    db.session.flush()
    return token


def revoke_desk_device(device: DeskDevice) -> None:
    """Stop trusting a device (a kiosk stops showing its questionnaire). Not committed."""
    record_action(AuditAction.DEVICE_REVOKED, device.campaign, name=device.name)
    db.session.delete(device)
    db.session.flush()


def set_device_cookie(response: WerkzeugResponse, token: str) -> None:
    """Make the browser that receives ``response`` the registered device whose token this is."""
    response.set_cookie(
        DEVICE_COOKIE,
        token,
        max_age=DEVICE_COOKIE_MAX_AGE,
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        httponly=True,
        samesite="Lax",
    )


def get_desk_device(token: str | None) -> DeskDevice | None:
    """The registered device a cookie's token belongs to, if any."""
    if not token or len(token) > _MAX_TOKEN_LENGTH:
        return None
    return db.session.scalar(select(DeskDevice).where(DeskDevice.token_digest == _digest(token)))


def is_desk_device(token: str | None) -> bool:
    """Whether a cookie's token is that of a registered device."""
    return get_desk_device(token) is not None


def get_desk_devices(campaign: Campaign | None = None) -> list[DeskDevice]:
    """Registered devices (the kiosks of ``campaign`` when given), by name."""
    query = select(DeskDevice).order_by(DeskDevice.name, DeskDevice.id)
    if campaign is not None:
        query = query.where(DeskDevice.campaign_id == campaign.id)
    return list(db.session.scalars(query))
