"""Points of a round's index that the officer types in or imports for a unit: the items scored
by another source (``scoring: other``, e.g. Decision 766's service index) and the set's bonus
and penalty items (*điểm thưởng, điểm trừ*)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from surveyapp.extensions import db
from surveyapp.models.criteria import AssessmentRound
from surveyapp.models.units import Unit
from surveyapp.models.users import User


class EnteredPoints(db.Model):
    """The points of one item (``code``: an other-source leaf or an adjustment) for one unit of
    a round, with the officer's note (the document they come from)."""

    __tablename__ = "entered_points"
    __table_args__ = (UniqueConstraint("round_id", "unit_id", "code", name="uq_entered_points_round_id_unit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("assessment_rounds.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    code: Mapped[str] = mapped_column(String(40))
    points: Mapped[float]
    note: Mapped[str] = mapped_column(String(500), default="")
    # SET NULL: deleting an account never takes the points with it (the audit log keeps who).
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    entered_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))

    assessment_round: Mapped[AssessmentRound] = relationship()
    unit: Mapped[Unit] = relationship()
    entered_by: Mapped[User | None] = relationship()
