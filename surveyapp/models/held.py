"""Public forms held out of the counts until an officer reviews them, and trusted desk devices."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from surveyapp.extensions import db
from surveyapp.models.campaigns import Campaign
from surveyapp.models.questionnaires import Questionnaire
from surveyapp.models.units import Unit


class HeldForm(db.Model):
    """A QR form that came beyond its source's allowance (``surveyapp.services.held``).

    It keeps what storing it later needs (the answers as ``responses`` keeps them, per unit
    code for a matrix questionnaire) and the evidence an officer reviews: a keyed tag of its
    source (no address), the UTC hour it came in and the seconds its page was open, rounded.
    It counts nowhere until accepted; accepted or rejected, it is deleted.
    """

    __tablename__ = "held_forms"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"), index=True)
    questionnaire_id: Mapped[int] = mapped_column(ForeignKey("questionnaires.id"))
    # The assessed unit; none for a matrix questionnaire, whose form rates every unit it applies to.
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    respondent_group: Mapped[str] = mapped_column(String(40))
    procedure_field: Mapped[str | None] = mapped_column(String(120))
    answers: Mapped[dict] = mapped_column(JSON)
    unit_answers: Mapped[dict] = mapped_column(JSON, default=dict)
    source_tag: Mapped[str] = mapped_column(String(8))
    received_hour: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    seconds_taken: Mapped[int]

    campaign: Mapped[Campaign] = relationship()
    questionnaire: Mapped[Questionnaire] = relationship()
    unit: Mapped[Unit | None] = relationship()


class DeskDevice(db.Model):
    """A tablet at a desk whose forms are never held: many people answer on it in a day.

    Only the digest of the long random cookie the device carries is kept.
    """

    __tablename__ = "desk_devices"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    token_digest: Mapped[str] = mapped_column(String(64), unique=True)
    registered_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
