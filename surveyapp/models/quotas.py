"""Quotas: how many responses a campaign wants per assessed unit, questionnaire and group."""

from __future__ import annotations

import enum

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from surveyapp.extensions import db
from surveyapp.models.questionnaires import Questionnaire
from surveyapp.models.units import Unit

ANY_GROUP = "*"


class QuotaPolicy(enum.Enum):
    """What a full quota cell does with one more response (a campaign setting)."""

    FLAG_EXCESS = "flag"
    CLOSE_WHEN_FULL = "close"


class QuotaCell(db.Model):
    """The target and the running count of one cell: campaign × unit × questionnaire × group.

    ``respondent_group`` is a group code of the questionnaire, or ``*`` for a target shared by
    all its groups (seed 001, CX4: 30 businesses and citizens together, citizens making up for
    missing businesses). ``filled`` is kept current at each submission, in the same
    transaction, so progress pages never scan the responses; ``refused`` counts the attempts
    turned away by a closed, full cell.
    """

    __tablename__ = "quota_cells"
    __table_args__ = (
        UniqueConstraint("campaign_id", "unit_id", "questionnaire_id", "respondent_group", name="uq_quota_cells_cell"),
        CheckConstraint("target >= 0", name="target_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    questionnaire_id: Mapped[int] = mapped_column(ForeignKey("questionnaires.id"))
    respondent_group: Mapped[str] = mapped_column(String(40), default=ANY_GROUP)
    target: Mapped[int]
    filled: Mapped[int] = mapped_column(default=0)
    refused: Mapped[int] = mapped_column(default=0)

    unit: Mapped[Unit] = relationship()
    questionnaire: Mapped[Questionnaire] = relationship()

    @property
    def remaining(self) -> int:
        return max(self.target - self.filled, 0)

    @property
    def excess(self) -> int:
        return max(self.filled - self.target, 0)
