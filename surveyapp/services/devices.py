"""Desk devices: tablets an officer registered at a desk, whose forms are never held.

Registering sets a long random cookie on the tablet (``DEVICE_COOKIE``); only its SHA-256
digest is stored, with a name. Revoking deletes the row, and the cookie then counts for
nothing. Both are recorded in the audit log.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import AuditAction, DeskDevice
from surveyapp.services.audit import record_action

DEVICE_COOKIE = "surveyapp_desk"
_TOKEN_BYTES = 32
# Longer cookies are not looked up.
_MAX_TOKEN_LENGTH = 64


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def register_desk_device(name: str) -> str:
    """Register a device under ``name``; returns the token its cookie carries. Not committed."""
    token = secrets.token_urlsafe(_TOKEN_BYTES)
    db.session.add(DeskDevice(name=name, token_digest=_digest(token), registered_at=dt.datetime.now(dt.UTC)))
    record_action(AuditAction.DEVICE_REGISTERED, name=name)
    db.session.flush()
    return token


def revoke_desk_device(device: DeskDevice) -> None:
    """Stop trusting a device. Not committed."""
    record_action(AuditAction.DEVICE_REVOKED, name=device.name)
    db.session.delete(device)
    db.session.flush()


def is_desk_device(token: str | None) -> bool:
    """Whether a cookie's token is that of a registered device."""
    if not token or len(token) > _MAX_TOKEN_LENGTH:
        return False
    return db.session.scalar(select(DeskDevice.id).where(DeskDevice.token_digest == _digest(token))) is not None


def get_desk_devices() -> list[DeskDevice]:
    """Registered devices, by name."""
    return list(db.session.scalars(select(DeskDevice).order_by(DeskDevice.name, DeskDevice.id)))
