"""Drawing the sample from the frame, and following each sampled person until they answer."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
import threading
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from sampling import select_stratified, slovin_sample_size
from surveyapp.extensions import db
from surveyapp.models import (
    AuditAction,
    Campaign,
    FrameRecord,
    Questionnaire,
    QuotaCell,
    Replacement,
    SampleEntry,
    SampleStatus,
    SpentLink,
    Unit,
)
from surveyapp.services.audit import record_action
from surveyapp.services.collection import absolute_url
from surveyapp.tables.writing import Column, Kind, Table, table_of_rows

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
    record_action(AuditAction.SAMPLE_DRAWN, campaign, questionnaire=questionnaire.code, seed=seed)
    db.session.flush()
    return summary


def record_outcome(entry: SampleEntry, status: SampleStatus) -> None:
    """Note that a sampled person answered, refused, or could not be reached.

    "Answered" goes through the mix (``mark_answered``), like a spent link: the status shows
    once enough people of the unit answered, so it cannot be matched to the form typed in
    just before.
    """
    if status not in FOLLOW_UP_STATUSES:
        raise SampleError(_("Trạng thái không hợp lệ."))
    if entry.status in (SampleStatus.RESERVE, SampleStatus.REPLACED):
        raise SampleError(_("Người này không nằm trong danh sách cần liên hệ."))
    if status is SampleStatus.COMPLETED:
        mark_answered(entry)
        return
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


def get_sampled_unit_ids(campaign: Campaign, unit_ids: Collection[int]) -> set[int]:
    """Which of ``unit_ids`` have people drawn for ``campaign`` (a contact list to open)."""
    query = select(SampleEntry.unit_id).filter_by(campaign_id=campaign.id).where(SampleEntry.unit_id.in_(unit_ids))
    return set(db.session.scalars(query.distinct()))


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


# Two keyed digests of one token, for two purposes: the sample entry keeps the first, the
# spent-links table the second, and neither can be computed from the other without the token.
ENTRY_DIGEST_PURPOSE = "link-entry"
SPENT_DIGEST_PURPOSE = "link-spent"
TOKEN_LENGTH = 32  # characters of a token: 24 random bytes in URL-safe base64
_INSERT_SPENT_LINK = insert(SpentLink.__table__)


@dataclass(frozen=True)
class IssuedLink:
    """A person's new single-use link token: shown once to the officer, never stored."""

    entry: SampleEntry
    token: str


def link_digest(token: str, purpose: str) -> str:
    """HMAC-SHA256 of ``token`` keyed by the ``SECRET_KEY`` and ``purpose``.

    Without the secret key, a copy of the database cannot test a guessed token; without the
    token, the digest of one purpose says nothing about the digest of the other.
    """
    key = hmac.new(current_app.config["SECRET_KEY"].encode(), purpose.encode(), hashlib.sha256).digest()
    return hmac.new(key, token.encode(), hashlib.sha256).hexdigest()


def issue_links(campaign: Campaign) -> list[IssuedLink]:
    """Give every sampled person still to contact (and every reserve) a new single-use link.

    Only a keyed digest of each token is stored: the tokens returned are the one copy, for
    the officer to send. Issuing again replaces every earlier link of those people (a person
    whose answer is still held in the mix, see ``mark_answered``, gets a working link again).
    """
    entries = db.session.scalars(
        select(SampleEntry)
        .options(joinedload(SampleEntry.unit), joinedload(SampleEntry.record).joinedload(FrameRecord.contact))
        .where(
            SampleEntry.campaign_id == campaign.id,
            SampleEntry.status.in_([SampleStatus.TO_CONTACT, SampleStatus.RESERVE]),
        )
        .order_by(SampleEntry.unit_id, SampleEntry.reserve_rank.is_not(None), SampleEntry.reserve_rank, SampleEntry.id)
    )
    issued = []
    for entry in entries:
        token = secrets.token_urlsafe(24)
        entry.link_digest = link_digest(token, ENTRY_DIGEST_PURPOSE)
        issued.append(IssuedLink(entry, token))
    if issued:
        record_action(AuditAction.LINKS_ISSUED, campaign, issued=len(issued))
    db.session.flush()
    return issued


def get_entry_by_link(token: str) -> SampleEntry | None:
    """The person a usable link belongs to: still to contact, with the link not spent."""
    if len(token) != TOKEN_LENGTH:
        return None
    if db.session.get(SpentLink, link_digest(token, SPENT_DIGEST_PURPOSE)) is not None:
        return None
    return db.session.scalar(
        select(SampleEntry).filter_by(
            link_digest=link_digest(token, ENTRY_DIGEST_PURPOSE), status=SampleStatus.TO_CONTACT
        )
    )


def spend_link(token: str, purpose: str = SPENT_DIGEST_PURPOSE) -> None:
    """Record the link as spent, in the answer's transaction; a second use raises ``LinkSpent``.

    Only the spent-link digest (of ``purpose``: a dossier's receipt link has its own) is
    written: the person's sample entry is not touched here (``mark_answered`` does it later,
    in a batch), so nothing written with the answer names them.
    """
    try:
        db.session.connection().execute(_INSERT_SPENT_LINK, {"digest": link_digest(token, purpose)})
    except IntegrityError:
        raise LinkSpent from None


class StatusMix:
    """People who answered, held in one worker's memory and released in shuffled batches.

    Entries are held per (campaign, unit, questionnaire) until ``k`` of them are held; then
    the whole batch comes out at once, in random order. Nothing on disk records the order in
    which they came in; a restart of the worker forgets the people still held (their links
    stay spent; they show as still to contact until someone records the outcome by hand).

    >>> mix = StatusMix(k=2)
    >>> mix.hold((1, 2, 3), 10), sorted(mix.hold((1, 2, 3), 11)), mix.held()
    ([], [10, 11], 0)
    """

    def __init__(self, k: int) -> None:
        self.k = max(k, 1)
        self._held: dict[tuple[int, int, int | None], set[int]] = defaultdict(set)
        self._lock = threading.Lock()

    def hold(self, batch: tuple[int, int, int | None], entry_id: int) -> list[int]:
        """Hold ``entry_id`` in ``batch``; the batch's entries, shuffled, once it holds ``k``."""
        with self._lock:
            held = self._held[batch]
            held.add(entry_id)
            if len(held) < self.k:
                return []
            del self._held[batch]
        released = list(held)
        secrets.SystemRandom().shuffle(released)
        return released

    def held(self) -> int:
        """How many people are held at the moment."""
        with self._lock:
            return sum(len(held) for held in self._held.values())


def status_mix() -> StatusMix:
    """This worker's mix (one per application, made at its first use)."""
    mixes = current_app.extensions
    if "status_mix" not in mixes:
        mixes["status_mix"] = StatusMix(current_app.config["ANONYMITY_K"])
    return mixes["status_mix"]


def mark_answered(entry: SampleEntry) -> int:
    """Note that a sampled person answered, through the mix; returns how many were marked.

    Call it after the answer's own transaction was committed. The person is held in this
    worker's memory (see ``StatusMix``); when ``ANONYMITY_K`` people of the same campaign,
    unit and questionnaire are held, all of them are marked answered, in random order and
    with their link digests cleared, in the caller's next transaction. Until then 0.
    """
    batch = status_mix().hold((entry.campaign_id, entry.unit_id, entry.questionnaire_id), entry.id)
    for entry_id in batch:
        db.session.execute(
            update(SampleEntry)
            .where(SampleEntry.id == entry_id, SampleEntry.status == SampleStatus.TO_CONTACT)
            .values(status=SampleStatus.COMPLETED, link_digest=None)
        )
    db.session.flush()
    return len(batch)


def links_table(issued: list[IssuedLink]) -> Table:
    """The officer's one copy of newly issued links: who to send each one to, and the link."""
    columns = [
        Column(_("Mã đơn vị")),
        Column(_("Đơn vị")),
        Column(_("Mã hồ sơ")),
        Column(_("Họ tên")),
        Column(_("Số điện thoại")),
        Column(_("Dự phòng số"), Kind.CODE),
        Column(_("Đường dẫn trả lời"), Kind.CODE),
    ]
    rows = []
    for link in issued:
        entry, contact = link.entry, link.entry.record.contact
        rows.append(
            [
                entry.unit.code,
                entry.unit.name,
                entry.record.record_code,
                contact.name if contact else "",
                contact.phone if contact else "",
                entry.reserve_rank or "",
                absolute_url("respond.personal_link", token=link.token),
            ]
        )
    return table_of_rows("links", _("Đường dẫn trả lời"), columns, rows)
