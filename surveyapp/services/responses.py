"""Storing answers: one anonymous row per (respondent, assessed unit)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import Date, bindparam, func, insert, select, text

from surveyapp.driver_statements import DriverStatement
from surveyapp.extensions import db
from surveyapp.models import (
    Campaign,
    CampaignStatus,
    Questionnaire,
    Response,
    ResponseMode,
    SubmissionReceipt,
    Unit,
)
from surveyapp.questionnaires.answers import AnswerValue, ValidSubmission, encode_answer_codes
from surveyapp.services.quotas import reserve_places

# Every submission runs these: on the tables, straight on the driver (no ORM object is
# involved). A receipt already there is left alone, so that a resent form needs no rollback
# to be told.
_INSERT_RECEIPT = DriverStatement(
    text(
        f"INSERT INTO {SubmissionReceipt.__tablename__} (key_digest, received_on) "
        "VALUES (:key_digest, :received_on) ON CONFLICT DO NOTHING"
    ).bindparams(bindparam("received_on", type_=Date))
)
# Every column but the id, which the database gives (``response_row`` makes the rows).
_INSERT_RESPONSE = DriverStatement(
    insert(Response.__table__), column_keys=[column.key for column in Response.__table__.c if not column.primary_key]
)


class CampaignNotCollecting(Exception):
    """The campaign is not open for answers today (draft, closed, or outside its period)."""


class DuplicateSubmission(Exception):
    """This form was already stored (a double tap or a resent page)."""


def local_today() -> dt.date:
    """Today's date in the survey's time zone (Vietnam by default)."""
    return dt.datetime.now(ZoneInfo(current_app.config["TIMEZONE"])).date()


def submit_response(
    *,
    campaign: Campaign,
    questionnaire: Questionnaire,
    units: Sequence[Unit],
    submission: ValidSubmission,
    mode: ResponseMode,
    key_digest: str,
) -> int:
    """Store one response per assessed unit of a validated submission; returns how many.

    ``key_digest`` (of the form key's nonce, ``surveyapp.form_keys``) is recorded in the same
    transaction (``spend_form_key``), so two requests carrying the same form store it once:
    the second raises ``DuplicateSubmission``. Each response takes its place in its quota
    cell in the same transaction (``QuotaFull`` when a closed cell had none left: the caller
    rolls back, so that the key is not spent, and counts the refusal with
    ``record_refusals``). Nothing about the respondent is stored besides their answers.
    """
    today = local_today()
    check_accepting(campaign, mode, today)
    # Rows are made before the first write: from there to the commit, other submissions wait
    # (for SQLite's write lock, or PostgreSQL's lock on the quota cell).
    rows = submission_rows(campaign, questionnaire, units, submission, mode, today)
    spend_form_key(key_digest, today)
    return store_rows(campaign, questionnaire, units, submission.respondent_group, rows)


def check_accepting(campaign: Campaign, mode: ResponseMode, today: dt.date) -> None:
    """Raise ``CampaignNotCollecting`` unless ``campaign`` takes answers sent in ``mode`` today
    (``Campaign.accepts``)."""
    if not campaign.accepts(mode, today):
        raise CampaignNotCollecting(campaign.id)


def spend_form_key(key_digest: str, today: dt.date) -> None:
    """Record a form key as used, in the request's transaction; ``DuplicateSubmission`` if it
    was (nothing is written then; the caller drops what it wrote before).

    Table statements go straight to the session's connection (same transaction), without the
    ORM's execute path and its overhead on every statement: no loaded object is involved.
    """
    receipt = {"key_digest": key_digest, "received_on": today}
    if _INSERT_RECEIPT.execute(db.session.connection(), receipt).rowcount == 0:
        raise DuplicateSubmission


def submission_rows(
    campaign: Campaign,
    questionnaire: Questionnaire,
    units: Sequence[Unit],
    submission: ValidSubmission,
    mode: ResponseMode,
    submitted_on: dt.date,
) -> dict[int, dict[str, object]]:
    """The responses table's row of each assessed unit (by unit id) of a submission."""
    return {
        unit.id: response_row(
            campaign=campaign,
            unit=unit,
            questionnaire=questionnaire,
            respondent_group=submission.respondent_group,
            mode=mode,
            procedure_field=submission.procedure_field,
            submitted_on=submitted_on,
            answers=submission.answers_for(unit.code if questionnaire.definition.is_matrix else None),
        )
        for unit in units
    }


def store_rows(
    campaign: Campaign,
    questionnaire: Questionnaire,
    units: Sequence[Unit],
    respondent_group: str,
    rows: Mapping[int, dict[str, object]],
) -> int:
    """Insert the rows of a submission whose units take a quota place; returns how many.

    Raises ``QuotaFull``, having written nothing, when no unit had a place.
    """
    accepted = [rows[unit.id] for unit in reserve_places(campaign, questionnaire, units, respondent_group)]
    _INSERT_RESPONSE.execute_many(db.session.connection(), accepted)
    return len(accepted)


def response_row(
    *,
    campaign: Campaign,
    unit: Unit,
    questionnaire: Questionnaire,
    respondent_group: str,
    mode: ResponseMode,
    procedure_field: str | None,
    submitted_on: dt.date,
    answers: dict[str, AnswerValue],
) -> dict[str, object]:
    """One row of the responses table, with its answer codes: what every way in stores."""
    return {
        "campaign_id": campaign.id,
        "unit_id": unit.id,
        "questionnaire_id": questionnaire.id,
        "respondent_group": respondent_group,
        "mode": mode,
        "procedure_field": procedure_field,
        "submitted_on": submitted_on,
        "answers": answers,
        "answer_codes": encode_answer_codes(questionnaire.definition, answers),
    }


def count_responses_by_group_and_mode(campaign: Campaign) -> dict[tuple[int, str, ResponseMode], int]:
    """Every stored response of ``campaign``, per (unit id, respondent group, mode)."""
    statement = (
        select(Response.unit_id, Response.respondent_group, Response.mode, func.count())
        .where(Response.campaign_id == campaign.id)
        .group_by(Response.unit_id, Response.respondent_group, Response.mode)
    )
    return {(unit_id, group, mode): n for unit_id, group, mode, n in db.session.execute(statement)}


def get_open_campaigns() -> list[Campaign]:
    """Campaigns in the open status, newest first."""
    return list(
        db.session.scalars(select(Campaign).where(Campaign.status == CampaignStatus.OPEN).order_by(Campaign.id.desc()))
    )
