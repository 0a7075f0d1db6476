"""Setting up and running campaigns: create, edit while a draft, open, close, reopen.

Writes flush and raise ``CampaignError``; the caller commits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, func, select

from scoring import ConflictingSettings, par_settings
from surveyapp.extensions import db
from surveyapp.models import AuditAction, Campaign, CampaignPurpose, CampaignStatus, Questionnaire, Response, Unit
from surveyapp.services.audit import record_action
from surveyapp.services.collection import CollectionPoint, list_collection_points
from surveyapp.services.quotas import Progress, collection_progress
from surveyapp.services.results.indices import par_families

PURPOSE_LABELS = {
    CampaignPurpose.SIPAS: _l("Đo lường sự hài lòng (SIPAS)"),
    CampaignPurpose.PAR: _l("Điều tra xã hội học Chỉ số CCHC (PAR Index)"),
}


class CampaignError(ValueError):
    """A campaign cannot be changed as asked; the message (Vietnamese by default) says why."""


@dataclass(frozen=True)
class CampaignDraft:
    """What an officer entered for a campaign, checked by the form before it gets here."""

    name: str
    year: int
    purpose: CampaignPurpose
    opens_on: dt.date
    closes_on: dt.date
    questionnaire_ids: Sequence[int]
    unit_ids: Sequence[int]


_CAMPAIGN_EXISTS = select(Campaign.id).where(Campaign.id == bindparam("campaign_id"))


def campaign_exists(campaign_id: int) -> bool:
    """Whether a campaign of that id exists: one indexed lookup, nothing loaded."""
    return db.session.connection().execute(_CAMPAIGN_EXISTS, {"campaign_id": campaign_id}).first() is not None


def _apply(campaign: Campaign, draft: CampaignDraft) -> None:
    questionnaires = list(
        db.session.scalars(select(Questionnaire).where(Questionnaire.id.in_(draft.questionnaire_ids)))
    )
    units = list(db.session.scalars(select(Unit).where(Unit.id.in_(draft.unit_ids))))
    if len(questionnaires) != len(set(draft.questionnaire_ids)) or len(units) != len(set(draft.unit_ids)):
        raise CampaignError(_("Một số mẫu phiếu hoặc đơn vị đã chọn không còn tồn tại. Vui lòng chọn lại."))
    mismatched = [q.code for q in questionnaires if q.purpose != draft.purpose.value]
    if mismatched:
        raise CampaignError(
            _("Mẫu phiếu %(codes)s không dùng cho mục đích của đợt điều tra.", codes=", ".join(mismatched))
        )
    if draft.closes_on < draft.opens_on:
        raise CampaignError(_("Ngày kết thúc không được trước ngày bắt đầu."))
    if draft.purpose is CampaignPurpose.PAR:
        _check_scored_together(questionnaires)
    campaign.name = draft.name.strip()
    campaign.year = draft.year
    campaign.purpose = draft.purpose
    campaign.opens_on = draft.opens_on
    campaign.closes_on = draft.closes_on
    campaign.questionnaires = questionnaires
    campaign.units = units


def _check_scored_together(questionnaires: list[Questionnaire]) -> None:
    """PAR questionnaires that score the same units must agree on what they share (the
    maximum of a sub-criterion, the scoring of a question code): refused here, not at results."""
    for family in par_families(questionnaires):
        try:
            par_settings(questionnaire.definition for questionnaire in family)
        except ConflictingSettings as conflict:
            raise CampaignError(
                _(
                    "Mẫu phiếu %(questionnaire)s không tính điểm cùng %(others)s được: %(item)s được chấm khác nhau "
                    "(điểm tối đa, tiêu chí hoặc hệ số). Hãy chọn các mẫu phiếu cùng một bộ tiêu chí.",
                    questionnaire=conflict.questionnaire,
                    others=", ".join(q.code for q in family if q.code != conflict.questionnaire),
                    item=conflict.item,
                )
            ) from conflict


def create_campaign(draft: CampaignDraft) -> Campaign:
    """A new campaign in draft status; recorded in the audit log."""
    campaign = Campaign(status=CampaignStatus.DRAFT)
    _apply(campaign, draft)
    db.session.add(campaign)
    db.session.flush()
    record_action(AuditAction.CAMPAIGN_CREATED, campaign, name=campaign.name)
    return campaign


def update_campaign(campaign: Campaign, draft: CampaignDraft) -> None:
    """Change a campaign that has not been opened yet (its links may not be printed yet);
    recorded in the audit log."""
    if campaign.status is not CampaignStatus.DRAFT:
        raise CampaignError(_("Chỉ sửa được đợt điều tra chưa mở."))
    _apply(campaign, draft)
    record_action(AuditAction.CAMPAIGN_EDITED, campaign, name=campaign.name)
    db.session.flush()


def open_campaign(campaign: Campaign) -> None:
    """Start collecting a draft: it needs a questionnaire that applies to one of its units.
    Recorded in the audit log, as every change of status."""
    if campaign.status is CampaignStatus.OPEN:
        raise CampaignError(_("Đợt điều tra đang mở."))
    if campaign.status is CampaignStatus.CLOSED:
        raise CampaignError(_("Đợt điều tra đã kết thúc: dùng «Mở lại» để nhận thêm phiếu."))
    if not campaign.questionnaires:
        raise CampaignError(_("Chưa mở được: đợt điều tra chưa có mẫu phiếu nào."))
    if not campaign.units:
        raise CampaignError(_("Chưa mở được: đợt điều tra chưa có đơn vị được đánh giá nào."))
    if not list_collection_points(campaign):
        raise CampaignError(_("Chưa mở được: đợt điều tra cần ít nhất một mẫu phiếu áp dụng cho một đơn vị đã chọn."))
    campaign.status = CampaignStatus.OPEN
    record_action(AuditAction.CAMPAIGN_OPENED, campaign)
    db.session.flush()


def close_campaign(campaign: Campaign) -> None:
    """Stop collecting answers."""
    if campaign.status is not CampaignStatus.OPEN:
        raise CampaignError(_("Chỉ kết thúc được đợt điều tra đang mở."))
    campaign.status = CampaignStatus.CLOSED
    record_action(AuditAction.CAMPAIGN_CLOSED, campaign)
    db.session.flush()


def reopen_campaign(campaign: Campaign) -> None:
    """Collect again after closing (late paper forms, a period extended by the leadership)."""
    if campaign.status is not CampaignStatus.CLOSED:
        raise CampaignError(_("Chỉ mở lại được đợt điều tra đã kết thúc."))
    campaign.status = CampaignStatus.OPEN
    record_action(AuditAction.CAMPAIGN_REOPENED, campaign)
    db.session.flush()


def get_campaigns() -> list[tuple[Campaign, int]]:
    """Every campaign, newest first, with its number of responses."""
    counts = dict(db.session.execute(select(Response.campaign_id, func.count()).group_by(Response.campaign_id)).all())
    campaigns = db.session.scalars(select(Campaign).order_by(Campaign.id.desc()))
    return [(campaign, counts.get(campaign.id, 0)) for campaign in campaigns]


@dataclass(frozen=True)
class UnitCounts:
    """One assessed unit's collected forms per questionnaire of the campaign (``None``: does not
    apply), and its forms of groups outside the quotas (``collection_progress``)."""

    unit: Unit
    counts: tuple[int | None, ...]
    outside: int

    @property
    def total(self) -> int:
        return sum(count or 0 for count in self.counts)


@dataclass(frozen=True)
class ResponseCounts:
    """A campaign's forms per assessed unit × questionnaire, for its page."""

    questionnaires: tuple[Questionnaire, ...]
    units: tuple[UnitCounts, ...]
    by_cell: dict[tuple[int, int], Progress]

    @property
    def total(self) -> int:
        """Every form stored, collected toward a quota or not."""
        return sum(progress.forms for progress in self.by_cell.values())

    def of_point(self, point: CollectionPoint) -> Progress:
        """What ``point`` collected: for a matrix, the (respondent, unit) pairs of all its units."""
        cells = (self.by_cell.get((unit.id, point.questionnaire.id), Progress()) for unit in point.units)
        return sum(cells, Progress())


def get_response_counts(campaign: Campaign) -> ResponseCounts:
    """What each assessed unit of ``campaign`` collected, per questionnaire."""
    by_cell = collection_progress(campaign)
    questionnaires = tuple(campaign.questionnaires)
    applicable = {q.id: {unit.id for unit in campaign.units_for(q)} for q in questionnaires}
    units = tuple(
        UnitCounts(
            unit,
            tuple(
                by_cell.get((unit.id, q.id), Progress()).collected if unit.id in applicable[q.id] else None
                for q in questionnaires
            ),
            sum(by_cell.get((unit.id, q.id), Progress()).outside for q in questionnaires),
        )
        for unit in campaign.units
    )
    return ResponseCounts(questionnaires, units, by_cell)


def set_channels(campaign: Campaign, *, is_qr_closed: bool, closed_groups: Sequence[str]) -> None:
    """Close the campaign, or some respondent groups of it, to the open QR form (or open them).

    Closed, they are answered through personal links or surveyors only. Recorded in the
    audit log; flushes.
    """
    campaign.is_qr_closed = is_qr_closed
    campaign.qr_closed_groups = sorted(set(closed_groups))
    record_action(
        AuditAction.CHANNELS_SAVED, campaign, is_qr_closed=is_qr_closed, closed_groups=campaign.qr_closed_groups
    )
    db.session.flush()
