"""The audit log of staff actions: who changed or took out what, and when."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import JSON, DateTime, String
from sqlalchemy.orm import Mapped, mapped_column

from surveyapp.extensions import db
from surveyapp.models.types import enum_column


class AuditAction(enum.Enum):
    """What a staff member did."""

    CAMPAIGN_CREATED = "campaign_created"
    CAMPAIGN_EDITED = "campaign_edited"
    CAMPAIGN_OPENED = "campaign_opened"
    CAMPAIGN_CLOSED = "campaign_closed"
    CAMPAIGN_REOPENED = "campaign_reopened"
    QUOTAS_SAVED = "quotas_saved"
    FRAME_IMPORTED = "frame_imported"
    SAMPLE_DRAWN = "sample_drawn"
    LINKS_ISSUED = "links_issued"
    CONTACTS_PURGED = "contacts_purged"
    RATES_SAVED = "rates_saved"
    TARGETS_SAVED = "targets_saved"
    RESPONSES_IMPORTED = "responses_imported"
    APPRAISALS_IMPORTED = "appraisals_imported"
    EXPORTED = "exported"
    UNITS_LOADED = "units_loaded"
    USER_CREATED = "user_created"
    PASSWORD_CHANGED = "password_changed"
    USER_DEACTIVATED = "user_deactivated"
    USER_REACTIVATED = "user_reactivated"
    HELD_ACCEPTED = "held_accepted"
    HELD_REJECTED = "held_rejected"
    DEVICE_REGISTERED = "device_registered"
    DEVICE_REVOKED = "device_revoked"
    CHANNELS_SAVED = "channels_saved"
    ROUND_CREATED = "round_created"
    ROUND_MOVED = "round_moved"
    ASSESSMENT_OPENED = "assessment_opened"
    EVIDENCE_UPLOADED = "evidence_uploaded"
    EVIDENCE_DELETED = "evidence_deleted"
    SELF_SCORE_SAVED = "self_score_saved"
    SELF_SUBMITTED = "self_submitted"
    SELF_RETURNED = "self_returned"
    RESULTS_PUBLISHED = "results_published"
    APPRAISER_ASSIGNED = "appraiser_assigned"
    APPRAISAL_OPENED = "appraisal_opened"
    ITEM_APPRAISED = "item_appraised"
    APPRAISAL_FINISHED = "appraisal_finished"
    # Explanation, appraisal 2 and closing the appraisal of an assessment round.
    EXPLANATION_OPENED = "explanation_opened"
    ITEM_EXPLAINED = "item_explained"
    EXPLANATION_REMOVED = "explanation_removed"
    EXPLANATION_SENT = "explanation_sent"
    APPRAISAL_2_OPENED = "appraisal_2_opened"
    ITEM_REAPPRAISED = "item_reappraised"
    APPRAISAL_CLOSED = "appraisal_closed"

    # The round's PAR Index (services/par_index).
    INDEX_SOURCES_SET = "index_sources_set"
    CLASS_BOUNDS_SET = "class_bounds_set"
    POINTS_ENTERED = "points_entered"
    POINTS_IMPORTED = "points_imported"
    INDEX_PUBLISHED = "index_published"

    # Reminders, carried-forward evidence and appraisers' removal (issue 13, the cycle in practice).
    REMINDERS_SENT = "reminders_sent"
    EVIDENCE_CARRIED = "evidence_carried"
    APPRAISER_UNASSIGNED = "appraiser_unassigned"

    # The one-stop system's API (issue 14): its credentials, and every call made with one.
    CALLING_SYSTEM_CREATED = "api_system_created"
    CALLING_SYSTEM_REVOKED = "api_system_revoked"
    RECEIPT_LINK_GIVEN = "receipt_link_given"
    API_CALL_REFUSED = "api_call_refused"

    # Desk kiosks (issue 14): a desk device registered for one campaign's questionnaire at one unit.
    KIOSK_REGISTERED = "kiosk_registered"

    # Invitations to the sample (issue 14): a message list downloaded, or sent by the gateway.
    INVITATIONS_LISTED = "invitations_listed"
    INVITATIONS_SENT = "invitations_sent"

    # Paper forms (issue 15): a batch of numbered paper forms printed for one unit, its forms
    # handed out and returned (counts), or the batch voided.
    PAPER_BATCH_PRINTED = "paper_batch_printed"
    PAPER_BATCH_COUNTED = "paper_batch_counted"
    PAPER_BATCH_VOIDED = "paper_batch_voided"


class AuditEntry(db.Model):
    """One staff action. Entries are only ever added: nothing in the service updates or deletes them.

    ``actor`` keeps the username as it was (or ``cli`` for a command), and ``campaign_id`` is a
    plain number rather than a foreign key, so an entry outlives what it is about.
    """

    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
    actor: Mapped[str] = mapped_column(String(80))
    action: Mapped[AuditAction] = mapped_column(enum_column(AuditAction))
    campaign_id: Mapped[int | None] = mapped_column(index=True)
    details: Mapped[dict] = mapped_column(JSON, default=dict)
