"""Drawing the sample from the frame, and following each sampled person until they answer."""

from __future__ import annotations

import datetime as dt
import secrets
from collections import defaultdict
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, select, update

from sampling import select_stratified, slovin_sample_size
from surveyapp.extensions import db
from surveyapp.models import (
    Campaign,
    FrameRecord,
    Questionnaire,
    QuotaCell,
    Replacement,
    SampleEntry,
    SampleStatus,
    Unit,
)

FOLLOW_UP_STATUSES = (SampleStatus.COMPLETED, SampleStatus.REFUSED, SampleStatus.UNREACHABLE)


class SampleError(ValueError):
    """The sample cannot be drawn or changed as asked; the message says why."""


@dataclass(frozen=True)
class DrawnStratum:
    """What the draw gave one unit: its sample size, selected, reserves, and any shortfall."""

    unit: Unit
    frame_size: int
    sample_size: int
    selected: int
    reserves: int
    shortfall: int


def new_seed() -> str:
    """A random seed to record with a draw, so that it can be repeated exactly."""
    return secrets.token_hex(8)


def draw_sample(
    campaign: Campaign, questionnaire: Questionnaire, seed: str, reserve_per_unit: int
) -> list[DrawnStratum]:
    """Draw each unit's sample systematically from its frame records, with ordered reserves.

    A unit's sample size is its quota for ``questionnaire`` (all groups), or Slovin's size of
    its frame when it has no quota. Records are in the order of their return date and code,
    so the same frame and seed always give the same sample.
    """
    if db.session.scalar(select(func.count()).select_from(SampleEntry).filter_by(campaign_id=campaign.id)):
        raise SampleError(_("Mẫu của đợt điều tra này đã được chọn."))
    if reserve_per_unit < 0:
        raise SampleError(_("Số người dự phòng không được âm."))
    records = list(
        db.session.scalars(
            select(FrameRecord)
            .where(FrameRecord.campaign_id == campaign.id)
            .order_by(FrameRecord.returned_on, FrameRecord.record_code)
        )
    )
    if not records:
        raise SampleError(_("Chưa có khung chọn mẫu: hãy nhập danh sách hồ sơ trước."))
    by_unit: dict[int, list[FrameRecord]] = defaultdict(list)
    for record in records:
        by_unit[record.unit_id].append(record)
    targets: dict[int, int] = defaultdict(int)
    for unit_id, target in db.session.execute(
        select(QuotaCell.unit_id, QuotaCell.target).filter_by(
            campaign_id=campaign.id, questionnaire_id=questionnaire.id
        )
    ):
        targets[unit_id] += target
    units = {unit.id: unit for unit in campaign.units if unit.id in by_unit}
    sizes = {
        unit.code: targets.get(unit_id) or slovin_sample_size(len(by_unit[unit_id])) for unit_id, unit in units.items()
    }
    code_of = {unit_id: unit.code for unit_id, unit in units.items()}
    drawn = select_stratified(records, lambda record: code_of.get(record.unit_id, ""), sizes, seed, reserve_per_unit)

    summary = []
    for unit_id, unit in sorted(units.items(), key=lambda item: item[1].code):
        selection = drawn[unit.code]
        ranked = [(record, SampleStatus.TO_CONTACT, None) for record in selection.selected]
        ranked += [(record, SampleStatus.RESERVE, rank) for rank, record in enumerate(selection.reserve, start=1)]
        for record, status, rank in ranked:
            db.session.add(
                SampleEntry(
                    campaign_id=campaign.id,
                    unit_id=unit_id,
                    record_id=record.id,
                    status=status,
                    reserve_rank=rank,
                    seed=seed,
                    questionnaire_id=questionnaire.id,
                )
            )
        summary.append(
            DrawnStratum(
                unit,
                len(by_unit[unit_id]),
                sizes[unit.code],
                len(selection.selected),
                len(selection.reserve),
                selection.shortfall,
            )
        )
    db.session.flush()
    return summary


def record_outcome(entry: SampleEntry, status: SampleStatus) -> None:
    """Note that a sampled person answered, refused, or could not be reached."""
    if status not in FOLLOW_UP_STATUSES:
        raise SampleError(_("Trạng thái không hợp lệ."))
    if entry.status in (SampleStatus.RESERVE, SampleStatus.REPLACED):
        raise SampleError(_("Người này không nằm trong danh sách cần liên hệ."))
    entry.status = status
    db.session.flush()


def replace_entry(entry: SampleEntry, today: dt.date) -> SampleEntry:
    """Replace a person who refused or could not be reached by the unit's next reserve, logged."""
    if entry.status not in (SampleStatus.REFUSED, SampleStatus.UNREACHABLE):
        raise SampleError(_("Chỉ thay người đã từ chối hoặc không liên lạc được."))
    reserve = db.session.scalar(
        select(SampleEntry)
        .filter_by(campaign_id=entry.campaign_id, unit_id=entry.unit_id, status=SampleStatus.RESERVE)
        .order_by(SampleEntry.reserve_rank)
        .limit(1)
    )
    if reserve is None:
        raise SampleError(_("Đã hết người dự phòng của đơn vị này."))
    db.session.add(
        Replacement(
            campaign_id=entry.campaign_id,
            replaced_id=entry.id,
            replacement_id=reserve.id,
            reason=entry.status,
            recorded_on=today,
        )
    )
    entry.status = SampleStatus.REPLACED
    reserve.status = SampleStatus.TO_CONTACT
    db.session.flush()
    return reserve


def get_sample(campaign: Campaign, unit: Unit) -> list[SampleEntry]:
    """The unit's sampled people (reserves last, in their order)."""
    return list(
        db.session.scalars(
            select(SampleEntry)
            .filter_by(campaign_id=campaign.id, unit_id=unit.id)
            .order_by(SampleEntry.reserve_rank.is_not(None), SampleEntry.reserve_rank, SampleEntry.id)
        )
    )


def get_replacements(campaign: Campaign) -> list[Replacement]:
    """Every logged replacement of the campaign, oldest first."""
    return list(db.session.scalars(select(Replacement).filter_by(campaign_id=campaign.id).order_by(Replacement.id)))


def count_sample(campaign: Campaign) -> dict[int, dict[str, int]]:
    """Sampled people per unit id and status value."""
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    rows = db.session.execute(
        select(SampleEntry.unit_id, SampleEntry.status, func.count())
        .filter_by(campaign_id=campaign.id)
        .group_by(SampleEntry.unit_id, SampleEntry.status)
    )
    for unit_id, status, n in rows:
        counts[unit_id][status.value] = n
    return counts


class LinkSpent(Exception):
    """The single-use link was used already (or never existed)."""


def issue_links(campaign: Campaign) -> int:
    """Give every sampled person still to contact (and every reserve) a single-use link token."""
    entries = db.session.scalars(
        select(SampleEntry).where(
            SampleEntry.campaign_id == campaign.id,
            SampleEntry.access_token.is_(None),
            SampleEntry.status.in_([SampleStatus.TO_CONTACT, SampleStatus.RESERVE]),
        )
    )
    issued = 0
    for entry in entries:
        entry.access_token = secrets.token_urlsafe(24)
        issued += 1
    db.session.flush()
    return issued


def get_entry_by_link(token: str) -> SampleEntry | None:
    """The person a usable link belongs to: still to contact, with the link not spent."""
    if not token or len(token) > 43:
        return None
    return db.session.scalar(select(SampleEntry).filter_by(access_token=token, status=SampleStatus.TO_CONTACT))


def spend_link(entry: SampleEntry, token: str) -> None:
    """Mark the person answered and forget the link, atomically: a second use raises ``LinkSpent``."""
    result = db.session.execute(
        update(SampleEntry)
        .where(SampleEntry.id == entry.id, SampleEntry.access_token == token)
        .values(access_token=None, status=SampleStatus.COMPLETED)
    )
    if result.rowcount != 1:
        raise LinkSpent
