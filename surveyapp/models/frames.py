"""The sampling frame (*khung chọn mẫu*) and the sample drawn from it.

Contacts (name, phone) are kept in their own table, apart from everything else, so they can be
purged when the campaign closes; responses never refer to the frame at all.
"""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from surveyapp.extensions import db
from surveyapp.models.types import enum_column
from surveyapp.models.units import Unit


class FrameRecord(db.Model):
    """A completed procedure whose result was returned: one person the sample may reach."""

    __tablename__ = "frame_records"
    __table_args__ = (UniqueConstraint("campaign_id", "record_code", name="uq_frame_records_campaign_record"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    record_code: Mapped[str] = mapped_column(String(60))
    procedure_field: Mapped[str] = mapped_column(String(120))
    returned_on: Mapped[dt.date]

    unit: Mapped[Unit] = relationship()
    contact: Mapped[FrameContact | None] = relationship(
        back_populates="record", cascade="all, delete-orphan", uselist=False
    )


class FrameContact(db.Model):
    """How to reach the person of a frame record; purged when no longer needed."""

    __tablename__ = "frame_contacts"

    record_id: Mapped[int] = mapped_column(ForeignKey("frame_records.id", ondelete="CASCADE"), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str] = mapped_column(String(30))

    record: Mapped[FrameRecord] = relationship(back_populates="contact")


class SampleStatus(enum.Enum):
    """Where a sampled person stands."""

    TO_CONTACT = "to_contact"
    COMPLETED = "completed"
    REFUSED = "refused"
    UNREACHABLE = "unreachable"
    REPLACED = "replaced"
    RESERVE = "reserve"


class SampleEntry(db.Model):
    """A frame record drawn into the sample (or the reserve list, in order)."""

    __tablename__ = "sample_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    record_id: Mapped[int] = mapped_column(ForeignKey("frame_records.id", ondelete="CASCADE"), unique=True)
    status: Mapped[SampleStatus] = mapped_column(enum_column(SampleStatus))
    reserve_rank: Mapped[int | None]
    seed: Mapped[str] = mapped_column(String(64))
    # The questionnaire the sample was drawn for, and a keyed digest of the person's
    # single-use link (the link itself is shown once to the officer and never stored).
    questionnaire_id: Mapped[int | None] = mapped_column(ForeignKey("questionnaires.id"))
    link_digest: Mapped[str | None] = mapped_column(String(64), unique=True)

    unit: Mapped[Unit] = relationship()
    record: Mapped[FrameRecord] = relationship()


class Replacement(db.Model):
    """A logged replacement: who left the sample, who came from the reserve, and why."""

    __tablename__ = "replacements"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"), index=True)
    replaced_id: Mapped[int] = mapped_column(ForeignKey("sample_entries.id", ondelete="CASCADE"))
    replacement_id: Mapped[int] = mapped_column(ForeignKey("sample_entries.id", ondelete="CASCADE"))
    reason: Mapped[SampleStatus] = mapped_column(enum_column(SampleStatus))
    recorded_on: Mapped[dt.date]


class SpentLink(db.Model):
    """A single-use link that was used, known only by a second keyed digest of its token.

    It is written with the answer, under a unique key, so a link answers once; without the
    token nothing ties it to the sample entry (whose digest is keyed for another purpose).
    No row id (SQLite): rows are kept in key order, not in the order links were spent.
    """

    __tablename__ = "spent_links"
    __table_args__ = ({"sqlite_with_rowid": False},)

    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
