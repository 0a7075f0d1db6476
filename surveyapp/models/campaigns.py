"""Survey campaigns (*đợt điều tra*): what is asked of whom, where and when."""

from __future__ import annotations

import datetime as dt
import enum
from typing import TYPE_CHECKING

from sqlalchemy import JSON, Column, ForeignKey, String, Table, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from surveyapp.extensions import db
from surveyapp.models.questionnaires import Questionnaire
from surveyapp.models.quotas import QuotaPolicy
from surveyapp.models.types import enum_column
from surveyapp.models.units import Unit

if TYPE_CHECKING:
    from surveyapp.models.responses import ResponseMode


class CampaignPurpose(enum.Enum):
    """Which index the campaign's answers feed."""

    SIPAS = "sipas"
    PAR = "par"


class CampaignStatus(enum.Enum):
    """Life cycle of a campaign: prepared, collecting answers, finished."""

    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"


# Seed 004: satisfaction with land and construction procedures must reach its own target.
DEFAULT_TARGET_FIELDS = ("Đất đai", "Xây dựng")

campaign_questionnaires = Table(
    "campaign_questionnaires",
    db.metadata,
    Column("campaign_id", ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True),
    Column("questionnaire_id", ForeignKey("questionnaires.id"), primary_key=True),
)

campaign_units = Table(
    "campaign_units",
    db.metadata,
    Column("campaign_id", ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True),
    Column("unit_id", ForeignKey("units.id"), primary_key=True),
)


class Campaign(db.Model):
    """A survey round: its questionnaires (exact versions), assessed units and open period."""

    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    year: Mapped[int]
    purpose: Mapped[CampaignPurpose] = mapped_column(enum_column(CampaignPurpose))
    status: Mapped[CampaignStatus] = mapped_column(enum_column(CampaignStatus), default=CampaignStatus.DRAFT)
    opens_on: Mapped[dt.date]
    closes_on: Mapped[dt.date]
    # Remuneration (seed 001): đồng per answered form to the respondent, and per assessed
    # unit (commune or department) to its surveyor.
    rate_per_form: Mapped[int] = mapped_column(default=10_000, server_default="10000")
    rate_per_unit: Mapped[int] = mapped_column(default=200_000, server_default="200000")
    quota_policy: Mapped[QuotaPolicy] = mapped_column(enum_column(QuotaPolicy), default=QuotaPolicy.FLAG_EXCESS)
    # Targets the results are marked against (seeds 002 and 004), in percent: SIPAS overall,
    # every element or criterion index, and the satisfaction with procedures of target_fields.
    sipas_target: Mapped[float] = mapped_column(default=90.0, server_default="90")
    criterion_target: Mapped[float] = mapped_column(default=90.0, server_default="90")
    field_target: Mapped[float] = mapped_column(default=80.0, server_default="80")
    target_fields: Mapped[list[str]] = mapped_column(JSON, default=lambda: list(DEFAULT_TARGET_FIELDS))
    # The maximum of the PAR Index criteria that apply to the campaign's units (METHODOLOGY.md 6).
    par_max_points: Mapped[float] = mapped_column(default=100.0, server_default="100")
    # SIPAS ranks a unit among the units of its kind only when it has this many forms (Khánh
    # Hòa's 2025 survey); the others are listed without a rank.
    rank_min_forms: Mapped[int] = mapped_column(default=30, server_default="30")
    # Channels: a campaign, or some respondent groups of it, answered through personal links
    # or surveyors only, never through the open QR form (the groups whose counts matter most).
    is_qr_closed: Mapped[bool] = mapped_column(default=False, server_default=false())
    qr_closed_groups: Mapped[list[str]] = mapped_column(JSON, default=list)
    # The message sent to sampled people with their single-use link (None: the default one,
    # see services/invitations.py).
    invitation_text: Mapped[str | None] = mapped_column(Text)

    questionnaires: Mapped[list[Questionnaire]] = relationship(
        secondary=campaign_questionnaires, order_by=Questionnaire.code
    )
    units: Mapped[list[Unit]] = relationship(secondary=campaign_units, order_by=Unit.code)

    @property
    def is_open(self) -> bool:
        """Whether the campaign is in its collecting status (whatever today's date)."""
        return self.status is CampaignStatus.OPEN

    def is_collecting_on(self, day: dt.date) -> bool:
        """Whether respondents may send their own answers on ``day``: open, within the period."""
        return self.is_open and self.opens_on <= day <= self.closes_on

    def accepts(self, mode: ResponseMode, day: dt.date) -> bool:
        """Whether the campaign takes an answer that comes in ``mode`` on ``day``.

        The one rule of every way in: an answer the respondent sends (QR form, personal link)
        within the period; one a surveyor types in (interview, paper form) until the campaign
        is closed, after the period too (forms collected on its last day come in later).
        """
        return self.is_open if mode.is_typed_in else self.is_collecting_on(day)

    def is_qr_open_to(self, respondent_group: str) -> bool:
        """Whether the open QR form takes answers of ``respondent_group`` (see the channels)."""
        return not self.is_qr_closed and respondent_group not in self.qr_closed_groups

    def units_for(self, questionnaire: Questionnaire) -> list[Unit]:
        """The campaign's assessed units that ``questionnaire`` applies to."""
        kinds = questionnaire.definition.assessed_unit_kinds
        return [unit for unit in self.units if not kinds or unit.kind in kinds]

    def questionnaire_by_code(self, code: str) -> Questionnaire | None:
        """The version of questionnaire ``code`` this campaign runs, if it runs it."""
        return next((q for q in self.questionnaires if q.code == code), None)

    def __repr__(self) -> str:
        return f"<Campaign {self.id} {self.name}>"
