"""Public forms held out of the counts until an officer reviews them, and trusted desk devices."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Date, DateTime, ForeignKey, SmallInteger, String
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

    Only the digest of the long random cookie the device carries is kept. A *kiosk* is a desk
    device registered for one campaign's questionnaire at one unit (``campaign_id`` set): it
    shows that questionnaire to one person after another (``services.kiosks``), optionally
    the quick rating first, and optionally asks which of its ``counters`` served the person.
    """

    __tablename__ = "desk_devices"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    token_digest: Mapped[str] = mapped_column(String(64), unique=True)
    registered_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"), index=True)
    questionnaire_id: Mapped[int | None] = mapped_column(ForeignKey("questionnaires.id"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    has_quick_rating: Mapped[bool] = mapped_column(default=False)
    # How many numbered counters ("quầy") the desk has; 0: the quick rating does not ask.
    counters: Mapped[int] = mapped_column(SmallInteger, default=0)

    campaign: Mapped[Campaign | None] = relationship()
    questionnaire: Mapped[Questionnaire | None] = relationship()
    unit: Mapped[Unit | None] = relationship()

    @property
    def is_kiosk(self) -> bool:
        """Whether the device shows a questionnaire (else it only keeps its forms from being held)."""
        return self.campaign_id is not None


class QuickRating(db.Model):
    """One answer to a kiosk's quick rating: five faces (1–5) and an optional comment.

    Kept apart from the SIPAS responses and never mixed into their results. Like a response it
    has no time and no device, only the day (``answered_on``, local date); ``counter`` is the
    desk that served the person when the kiosk asks it, reported only in groups of at least
    ``COUNTER_MIN_ANSWERS``.
    """

    __tablename__ = "quick_ratings"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    rating: Mapped[int] = mapped_column(SmallInteger)
    comment: Mapped[str | None] = mapped_column(String(500))
    counter: Mapped[int | None] = mapped_column(SmallInteger)
    answered_on: Mapped[dt.date] = mapped_column(Date)
