"""Forms held out of the counts beyond a source's allowance, and the officers' review of them.

Many honest people share one address (a centre's Wi-Fi, a carrier's NAT), and so does whoever
fills a ward's quota from one laptop. A source's QR forms to a campaign beyond its allowance
(``RESPOND_ALLOWANCE`` per hour, counted across workers by ``services.limits``) are neither
refused nor lost, but held: stored apart (``held_forms``), out of indices, quota counts,
exports and progress, and the respondent sees the usual thank-you page. An officer reviews
them on the results page in batches per (source tag, UTC hour), with the evidence: how many
forms, how many share an answer vector, the median time their page was open. Accepting a
batch stores its forms as responses through the same path as any form (taking quota places;
forms over a full closed cell are counted as refused and reported); rejecting it drops them.
Either way the held rows are deleted at once, so no evidence stays beside accepted answers,
and the decision is recorded in the audit log.
"""

from __future__ import annotations

import datetime as dt
import json
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import AuditAction, Campaign, HeldForm, Questionnaire, ResponseMode, Unit
from surveyapp.questionnaires.answers import ValidSubmission
from surveyapp.services.audit import record_action
from surveyapp.services.limits import record_in_session, source_tag
from surveyapp.services.quotas import QuotaFull, record_refusals
from surveyapp.services.responses import check_accepting, local_today, spend_form_key, store_rows, submission_rows

ALLOWANCE_WINDOW = 60 * 60
# Seconds taken are kept to this precision: evidence enough, no fingerprint.
SECONDS_PRECISION = 10
HOUR_FORMAT = "%Y%m%d%H"


class NoHeldBatch(LookupError):
    """No held form of that source tag and hour (never held, or already reviewed)."""


@dataclass(frozen=True)
class HeldBatch:
    """The held forms of one source tag in one UTC hour, with the evidence shown to officers."""

    source_tag: str
    hour: dt.datetime
    forms: int
    # Forms whose answers (every field) are the same as another form's of the batch.
    identical: int
    median_seconds: int

    @property
    def hour_key(self) -> str:
        """The hour as it appears in the review addresses (``YYYYMMDDHH``, UTC)."""
        return self.hour.strftime(HOUR_FORMAT)


@dataclass(frozen=True)
class AcceptedBatch:
    """What accepting a batch did: forms stored, and forms a full closed quota cell turned away."""

    stored: int
    quota_full: int


def is_beyond_allowance(campaign: Campaign, source: str) -> bool:
    """Count one QR form of ``source`` to ``campaign``; whether it exceeds the hour's allowance.

    Counted in the shared counters, in the session's transaction: the form counts only once
    it is committed, stored or held (not when it turns out to be a resent form, or finds its
    quota cell full).
    """
    allowance = int(current_app.config["RESPOND_ALLOWANCE"])
    if allowance <= 0:
        return False
    return record_in_session(f"respond:{campaign.id}", source, ALLOWANCE_WINDOW) > allowance


def hold_response(
    *,
    campaign: Campaign,
    questionnaire: Questionnaire,
    unit: Unit | None,
    submission: ValidSubmission,
    key_digest: str,
    source: str,
    seconds_taken: int,
) -> None:
    """Keep a QR form for review instead of storing it; its key is spent all the same.

    ``unit`` is ``None`` for a matrix questionnaire. Not committed.
    """
    today = local_today()
    check_accepting(campaign, ResponseMode.DESK_QR, today)
    spend_form_key(key_digest, today)
    now = dt.datetime.now(dt.UTC)
    db.session.add(
        HeldForm(
            campaign_id=campaign.id,
            questionnaire_id=questionnaire.id,
            unit_id=unit.id if unit is not None else None,
            respondent_group=submission.respondent_group,
            procedure_field=submission.procedure_field,
            answers=submission.shared_answers,
            unit_answers=submission.unit_answers,
            source_tag=source_tag(source),
            received_hour=now.replace(minute=0, second=0, microsecond=0),
            seconds_taken=round(seconds_taken / SECONDS_PRECISION) * SECONDS_PRECISION,
        )
    )
    db.session.flush()


def _utc(moment: dt.datetime) -> dt.datetime:
    # SQLite gives back naive datetimes; every stored one is UTC.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def _answer_vector(form: HeldForm) -> str:
    return json.dumps(
        [
            form.questionnaire_id,
            form.unit_id,
            form.respondent_group,
            form.procedure_field,
            form.answers,
            form.unit_answers,
        ],
        sort_keys=True,
        ensure_ascii=False,
    )


def list_held_batches(campaign: Campaign) -> list[HeldBatch]:
    """The held forms of ``campaign`` in batches per (source tag, hour), the largest first."""
    groups: dict[tuple[str, dt.datetime], list[HeldForm]] = defaultdict(list)
    for form in db.session.scalars(select(HeldForm).where(HeldForm.campaign_id == campaign.id)):
        groups[form.source_tag, _utc(form.received_hour)].append(form)
    batches = []
    for (tag, hour), forms in groups.items():
        vectors = Counter(_answer_vector(form) for form in forms)
        batches.append(
            HeldBatch(
                source_tag=tag,
                hour=hour,
                forms=len(forms),
                identical=sum(n for n in vectors.values() if n > 1),
                median_seconds=round(statistics.median(form.seconds_taken for form in forms)),
            )
        )
    return sorted(batches, key=lambda batch: (-batch.forms, batch.hour, batch.source_tag))


def parse_hour(hour_key: str) -> dt.datetime | None:
    """The UTC hour of a review address (``YYYYMMDDHH``), or ``None`` if it is not one."""
    try:
        return dt.datetime.strptime(hour_key, HOUR_FORMAT).replace(tzinfo=dt.UTC)
    except ValueError:
        return None


def _batch(campaign: Campaign, tag: str, hour: dt.datetime) -> list[HeldForm]:
    """The batch's forms; ``NoHeldBatch`` when it has none."""
    statement = (
        select(HeldForm)
        .where(HeldForm.campaign_id == campaign.id, HeldForm.source_tag == tag, HeldForm.received_hour == hour)
        .order_by(HeldForm.id)
    )
    forms = list(db.session.scalars(statement))
    if not forms:
        raise NoHeldBatch(tag, hour)
    return forms


def accept_held_batch(campaign: Campaign, tag: str, hour: dt.datetime) -> AcceptedBatch:
    """Store a batch's forms as responses, as if they had just been sent; delete the batch.

    Each form keeps the local date it came in on. ``NoHeldBatch`` if there is none. Not committed.
    """
    zone = ZoneInfo(current_app.config["TIMEZONE"])
    stored = quota_full = 0
    for form in _batch(campaign, tag, hour):
        questionnaire = form.questionnaire
        units = [form.unit] if form.unit is not None else campaign.units_for(questionnaire)
        submission = ValidSubmission(
            respondent_group=form.respondent_group,
            procedure_field=form.procedure_field,
            shared_answers=form.answers,
            unit_answers=form.unit_answers,
        )
        received_on = _utc(form.received_hour).astimezone(zone).date()
        rows = submission_rows(campaign, questionnaire, units, submission, ResponseMode.DESK_QR, received_on)
        try:
            store_rows(campaign, questionnaire, units, form.respondent_group, rows)
            stored += 1
        except QuotaFull as full:
            record_refusals(full.cells)
            quota_full += 1
        db.session.delete(form)
    record_action(
        AuditAction.HELD_ACCEPTED, campaign, source=tag, hour=hour.isoformat(), stored=stored, quota_full=quota_full
    )
    db.session.flush()
    return AcceptedBatch(stored=stored, quota_full=quota_full)


def reject_held_batch(campaign: Campaign, tag: str, hour: dt.datetime) -> int:
    """Drop a batch's forms for good; returns how many. ``NoHeldBatch`` if there is none. Not committed."""
    forms = _batch(campaign, tag, hour)
    for form in forms:
        db.session.delete(form)
    record_action(AuditAction.HELD_REJECTED, campaign, source=tag, hour=hour.isoformat(), forms=len(forms))
    db.session.flush()
    return len(forms)
