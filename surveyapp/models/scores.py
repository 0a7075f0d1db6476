"""Points that come from outside the survey: the appraised self-assessment of each unit."""

from __future__ import annotations

from sqlalchemy import ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from surveyapp.extensions import db
from surveyapp.models.units import Unit


class AppraisedScore(db.Model):
    """A unit's self-assessment points as checked by the appraisal council (*điểm thẩm định*).

    ``other_points`` holds points of criteria scored elsewhere, such as the SIPAS criterion's,
    that the unit index adds (METHODOLOGY.md section 6).
    """

    __tablename__ = "appraised_scores"
    __table_args__ = (UniqueConstraint("campaign_id", "unit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    points: Mapped[float]
    other_points: Mapped[float] = mapped_column(default=0.0, server_default="0")

    unit: Mapped[Unit] = relationship()
