"""Batches of printed paper forms, and the serials of paper forms already typed in.

A *batch* is N paper forms of a campaign's questionnaire printed for one unit (and maybe one
respondent group), or for the whole campaign when the questionnaire is a matrix (one sheet rates
every unit it applies to); each form carries a serial. A serial is typed in once: the spent serial is
kept only as a keyed digest, in a table apart that refers to nothing. A batch's life after
printing (handed out, returned, or voided when lost or misprinted) is kept on the batch, as
counts: which response came from which batch is never recorded.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from surveyapp.extensions import db
from surveyapp.models.campaigns import Campaign
from surveyapp.models.questionnaires import Questionnaire
from surveyapp.models.units import Unit
from surveyapp.models.users import User


class PaperBatch(db.Model):
    """N paper forms printed for one unit (``None``: a matrix questionnaire's forms, which rate
    every unit of the campaign it applies to), numbered ``number`` within the campaign.

    The random part of each form's serial is printed once and stored nowhere, so that a copy of
    the database with the secret key cannot list the serials and test them against spent ones.
    ``print_key`` is the one-time key of the batch form that printed it: the same form sent
    again (a refreshed print page) finds this batch instead of printing another. ``handed_out``
    and ``returned`` are what the officer last recorded (``None``: not recorded yet); a voided
    batch's serials are refused and its forms are counted apart.
    """

    __tablename__ = "paper_batches"
    __table_args__ = (
        UniqueConstraint("campaign_id", "number"),
        CheckConstraint(
            "0 <= returned AND returned <= handed_out AND handed_out <= forms", name="returned_within_handed_out"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"), index=True)
    questionnaire_id: Mapped[int] = mapped_column(ForeignKey("questionnaires.id"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    respondent_group: Mapped[str | None] = mapped_column(String(40))
    number: Mapped[int]
    forms: Mapped[int]
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    print_key: Mapped[str | None] = mapped_column(String(32), unique=True)
    printed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    handed_out: Mapped[int | None]
    handed_to: Mapped[str | None] = mapped_column(String(200))
    returned: Mapped[int | None]
    voided_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    void_reason: Mapped[str | None] = mapped_column(String(500))

    campaign: Mapped[Campaign] = relationship()
    questionnaire: Mapped[Questionnaire] = relationship()
    unit: Mapped[Unit | None] = relationship()
    printed_by: Mapped[User | None] = relationship()

    @property
    def is_voided(self) -> bool:
        return self.voided_at is not None

    @property
    def units(self) -> list[Unit]:
        """The units its forms are about: its unit, or every unit a matrix questionnaire rates."""
        return [self.unit] if self.unit is not None else self.campaign.units_for(self.questionnaire)

    @property
    def unit_code(self) -> str | None:
        """Its unit's code (``None`` for a matrix questionnaire's batch), as entry addresses name it."""
        return self.unit.code if self.unit is not None else None


class SpentSerial(db.Model):
    """A paper form's serial that was typed in, known only by a keyed digest.

    Written with the response, under a unique key, so a serial is typed in once; it names no
    batch and no response. No row id (SQLite): rows are kept in key order, not in entry order.
    """

    __tablename__ = "spent_serials"
    __table_args__ = ({"sqlite_with_rowid": False},)

    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
