"""Recording staff actions in the audit log, and reading it back.

Views and commands record an action in the same transaction as the change it describes, so
an action is logged exactly when it happened. The log is never pruned by the service.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import has_request_context
from flask_login import current_user
from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import AuditAction, AuditEntry, Campaign

COMMAND_ACTOR = "cli"


def record_action(action: AuditAction, campaign: Campaign | None = None, **details: Any) -> None:
    """Add an entry for ``action`` by the logged-in user (``cli`` outside a request); not committed."""
    actor = current_user.username if has_request_context() and current_user.is_authenticated else COMMAND_ACTOR
    db.session.add(
        AuditEntry(
            at=dt.datetime.now(dt.UTC),
            actor=actor,
            action=action,
            campaign_id=campaign.id if campaign is not None else None,
            details=details,
        )
    )


def get_audit_entries(campaign_id: int | None = None, limit: int = 500) -> list[AuditEntry]:
    """The latest entries, newest first, of one campaign or of all."""
    statement = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
    if campaign_id is not None:
        statement = statement.where(AuditEntry.campaign_id == campaign_id)
    return list(db.session.scalars(statement))
