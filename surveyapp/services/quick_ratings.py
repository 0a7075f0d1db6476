"""The kiosks' quick rating: five faces (1–5) and a comment, with their own index.

A quick rating is not a SIPAS form: it is stored in ``quick_ratings`` and summed up here, per
unit (how many, the share satisfied, the mean), never mixed into a campaign's results. Like a
response it keeps no time and no device, only the local day. The counter that served the
person, when the kiosk asks it, is reported only for counters with at least
``COUNTER_MIN_ANSWERS`` ratings: never a person's rating.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import case, func, select

from surveyapp.extensions import db
from surveyapp.models import Campaign, DeskDevice, QuickRating, Unit
from surveyapp.services.responses import local_today
from surveyapp.tables.writing import Column, Kind, Table, table_of_rows

RATINGS = (1, 2, 3, 4, 5)
# A rating of this or above counts as satisfied (the two smiling faces).
SATISFIED_FROM = 4
COMMENT_MAX_LENGTH = 500


@dataclass(frozen=True)
class QuickRatingDraft:
    """A validated quick rating, as the kiosk's form gave it."""

    rating: int
    comment: str | None
    counter: int | None


@dataclass(frozen=True)
class RatingIndex:
    """The quick rating's index of a group of ratings; ``is_shown`` false when too few to show."""

    label: str
    count: int
    satisfied: int
    total: int
    is_shown: bool = True

    @property
    def satisfied_share(self) -> float:
        return self.satisfied / self.count

    @property
    def mean(self) -> float:
        return self.total / self.count


@dataclass(frozen=True)
class UnitRatings:
    """A unit's quick rating index and, where the kiosk asked, the index per counter."""

    unit: Unit
    index: RatingIndex
    counters: tuple[RatingIndex, ...]


def submit_quick_rating(kiosk: DeskDevice, draft: QuickRatingDraft) -> None:
    """Store a quick rating for the kiosk's campaign and unit (not the kiosk itself). Not committed."""
    if kiosk.campaign_id is None or kiosk.unit_id is None:
        raise ValueError("a quick rating needs a kiosk")
    db.session.add(
        QuickRating(
            campaign_id=kiosk.campaign_id,
            unit_id=kiosk.unit_id,
            rating=draft.rating,
            comment=draft.comment,
            counter=draft.counter if kiosk.counters else None,
            answered_on=local_today(),
        )
    )
    db.session.flush()


def _grouped(campaign: Campaign, *keys: object) -> list:
    satisfied = func.sum(case((QuickRating.rating >= SATISFIED_FROM, 1), else_=0))
    return list(
        db.session.execute(
            select(*keys, func.count(), satisfied, func.sum(QuickRating.rating))
            .where(QuickRating.campaign_id == campaign.id)
            .group_by(*keys)
            .order_by(*keys)
        )
    )


def query_rating_index(campaign: Campaign) -> list[UnitRatings]:
    """Each rated unit's index, and its counters' (those below ``COUNTER_MIN_ANSWERS`` not shown)."""
    minimum = int(current_app.config["COUNTER_MIN_ANSWERS"])
    per_counter: dict[int, list[RatingIndex]] = {}
    for unit_id, counter, count, satisfied, total in _grouped(campaign, QuickRating.unit_id, QuickRating.counter):
        if counter is not None:
            per_counter.setdefault(unit_id, []).append(
                RatingIndex(str(counter), count, int(satisfied), int(total), is_shown=count >= minimum)
            )
    rows = []
    for unit_id, count, satisfied, total in _grouped(campaign, QuickRating.unit_id):
        unit = db.session.get_one(Unit, unit_id)
        index = RatingIndex(unit.name, count, int(satisfied), int(total))
        rows.append(UnitRatings(unit, index, tuple(per_counter.get(unit_id, ()))))
    return rows


def query_comments(campaign: Campaign) -> list[tuple[Unit, str]]:
    """The comments left with quick ratings, by unit, without their ratings' order of arrival."""
    rows = db.session.execute(
        select(Unit, QuickRating.comment)
        .join(Unit, Unit.id == QuickRating.unit_id)
        .where(QuickRating.campaign_id == campaign.id, QuickRating.comment.is_not(None))
        .order_by(Unit.name, QuickRating.comment)
    )
    return [(unit, comment) for unit, comment in rows]


def rating_index_table(rows: list[UnitRatings]) -> Table:
    """The quick rating index as the officer downloads it: a row per unit, then its counters'
    (figures left empty, and said, where a counter has too few ratings)."""
    columns = [
        Column(_("Mã đơn vị"), Kind.CODE),
        Column(_("Đơn vị")),
        Column(_("Quầy số"), Kind.CODE),
        Column(_("Số phiếu"), Kind.COUNT),
        Column(_("Tỷ lệ hài lòng (%)"), Kind.PERCENT),
        Column(_("Điểm trung bình (1–5)"), Kind.POINTS),
        Column(_("Ghi chú")),
    ]
    lines = []
    for row in rows:
        for counter, index in ((None, row.index), *((index.label, index) for index in row.counters)):
            figures = (
                [index.count, 100 * index.satisfied_share, index.mean, None]
                if index.is_shown
                else [None, None, None, _("chưa đủ số phiếu")]
            )
            lines.append([row.unit.code, row.unit.name, counter, *figures])
    return table_of_rows("danh-gia-nhanh", _("Chỉ số đánh giá nhanh"), columns, lines)
