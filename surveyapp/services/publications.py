"""Publishing decided results: each version a frozen snapshot, a correction a new version.

``publish_results`` (a campaign's results) and ``publish_round_index`` (a round's PAR Index)
flush, record their audit entry and raise ``PublicationError``; the caller commits. Reads are
``get_*`` and ``list_*``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from surveyapp.extensions import db
from surveyapp.models import AssessmentRound, AuditAction, Campaign, Publication, PublicationSubject
from surveyapp.services.audit import current_actor, record_action
from surveyapp.services.par_index import compute_round_index
from surveyapp.services.par_index_snapshot import round_index_snapshot
from surveyapp.services.responses import local_today
from surveyapp.services.results.exports import slug
from surveyapp.services.results.indices import compute_results
from surveyapp.services.results.snapshots import results_snapshot


class PublicationError(ValueError):
    """The results cannot be published as asked; the message (Vietnamese by default) says why."""


@dataclass(frozen=True)
class Decision:
    """The decision that approved the results, e.g. "Quyết định số 123/QĐ-UBND" of a date,
    and for a correction what it changes."""

    text: str
    decided_on: dt.date
    change_note: str = ""


def campaign_slug(campaign: Campaign) -> str:
    """The public address of a campaign's publications: its name and year, and its id so two
    campaigns of the same name never share one.

    The slug is fixed by the first version; later versions keep it (see ``publish_results``).
    """
    return f"{slug(campaign.name)}-{campaign.year}-{campaign.id}"


def get_campaign_publications(campaign: Campaign) -> list[Publication]:
    """The published versions of a campaign's results, oldest first."""
    return list(
        db.session.scalars(
            select(Publication)
            .where(Publication.subject == PublicationSubject.CAMPAIGN, Publication.subject_id == campaign.id)
            .order_by(Publication.version)
        )
    )


def get_versions(slug_text: str) -> list[Publication]:
    """Every version published under ``slug_text``, oldest first (empty when there is none)."""
    return list(
        db.session.scalars(select(Publication).where(Publication.slug == slug_text).order_by(Publication.version))
    )


def list_publications() -> list[Publication]:
    """The newest version of every publication, most recently published first."""
    newest = (
        select(Publication.slug, func.max(Publication.version).label("version")).group_by(Publication.slug).subquery()
    )
    return list(
        db.session.scalars(
            select(Publication)
            .join(newest, (Publication.slug == newest.c.slug) & (Publication.version == newest.c.version))
            .order_by(Publication.published_at.desc(), Publication.id.desc())
        )
    )


def _read_decision(decision: Decision, earlier: list[Publication]) -> tuple[str, str]:
    """The decision's text and change note, refused when the text is missing, the decision is
    dated after today, or a correction does not say what it changes."""
    text, note = decision.text.strip(), decision.change_note.strip()
    if not text:
        raise PublicationError(_("Hãy ghi quyết định phê duyệt kết quả (số, ký hiệu và cơ quan ban hành)."))
    if decision.decided_on > local_today():
        raise PublicationError(_("Ngày ký quyết định không được sau hôm nay."))
    if earlier and not note:
        raise PublicationError(
            _("Đây là bản đính chính (phiên bản %(version)s): hãy ghi rõ nội dung thay đổi.", version=len(earlier) + 1)
        )
    return text, note


def _publish(
    subject: PublicationSubject,
    subject_id: int,
    first_slug: str,
    title: str,
    decision: Decision,
    snapshot: dict[str, Any],
    earlier: list[Publication],
) -> Publication:
    """Write the next version of a subject's publication; refused when another officer
    published the same version a moment before."""
    text, note = _read_decision(decision, earlier)
    publication = Publication(
        subject=subject,
        subject_id=subject_id,
        slug=earlier[0].slug if earlier else first_slug,
        version=len(earlier) + 1,
        title=title,
        decision=text,
        decided_on=decision.decided_on,
        change_note=note or None,
        published_at=dt.datetime.now(dt.UTC),
        published_by=current_actor(),
        snapshot=snapshot,
    )
    db.session.add(publication)
    try:
        db.session.flush()
    except IntegrityError:
        # Another officer published this version a moment ago: theirs stands, this one is
        # refused (a second, identical version would be a correction of nothing).
        raise PublicationError(
            _(
                "Một cán bộ khác vừa công bố kết quả này (phiên bản %(version)s). Hãy xem lại bản đã công bố; "
                "nếu cần sửa, công bố bản đính chính.",
                version=publication.version,
            )
        ) from None
    return publication


def _audit_details(publication: Publication) -> dict[str, Any]:
    return {
        "slug": publication.slug,
        "version": publication.version,
        "decision": publication.decision,
        "decided_on": publication.decided_on.isoformat(),
        "change_note": publication.change_note or "",
    }


def publish_results(campaign: Campaign, decision: Decision) -> Publication:
    """Publish the campaign's results as they stand now: version 1, or a correction.

    The figures are computed once, by ``compute_results`` over the whole campaign, and frozen
    into the snapshot. Refused without answers, without the decision's text, with a decision
    dated after today, for a correction without a note of what changed, and when another
    officer published the same version a moment before.
    """
    earlier = get_campaign_publications(campaign)
    _read_decision(decision, earlier)
    results = compute_results(campaign)
    if not results.responses:
        raise PublicationError(_("Đợt điều tra chưa có phiếu nào: không có kết quả để công bố."))
    publication = _publish(
        PublicationSubject.CAMPAIGN,
        campaign.id,
        campaign_slug(campaign),
        campaign.name,
        decision,
        results_snapshot(results),
        earlier,
    )
    record_action(AuditAction.RESULTS_PUBLISHED, campaign, **_audit_details(publication))
    return publication


def get_round_publications(assessment_round: AssessmentRound) -> list[Publication]:
    """The published versions of a round's PAR Index, oldest first."""
    return list(
        db.session.scalars(
            select(Publication)
            .where(Publication.subject == PublicationSubject.ROUND, Publication.subject_id == assessment_round.id)
            .order_by(Publication.version)
        )
    )


def publish_round_index(assessment_round: AssessmentRound, decision: Decision) -> Publication:
    """Publish the round's decided PAR Index (``compute_round_index``, frozen): version 1, or a
    correction. Refused, besides as ``publish_results`` is, until the appraisal is closed with
    every item appraised (``RoundIndex.is_final``)."""
    earlier = get_round_publications(assessment_round)
    _read_decision(decision, earlier)
    round_index = compute_round_index(assessment_round)
    if not round_index.is_final:
        raise PublicationError(
            _("Chỉ công bố được Chỉ số CCHC khi đã kết thúc thẩm định và mọi tiêu chí tự chấm đã được thẩm định.")
        )
    publication = _publish(
        PublicationSubject.ROUND,
        assessment_round.id,
        f"chi-so-cchc-{slug(assessment_round.name)}-{assessment_round.year}-{assessment_round.id}",
        assessment_round.name,
        decision,
        round_index_snapshot(round_index),
        earlier,
    )
    record_action(AuditAction.INDEX_PUBLISHED, round_id=assessment_round.id, **_audit_details(publication))
    return publication
