"""Anonymous responses and the receipts that make a resent form count once."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from surveyapp.extensions import db
from surveyapp.models.campaigns import Campaign
from surveyapp.models.questionnaires import Questionnaire
from surveyapp.models.types import enum_column
from surveyapp.models.units import Unit


class ResponseMode(enum.Enum):
    """How an answer reached the service."""

    DESK_QR = "desk_qr"
    ONLINE_LINK = "online_link"
    INTERVIEW = "interview"
    PAPER = "paper"
    # A dossier's receipt link (the one-stop system's API): everyone whose result is returned
    # is invited and chooses to answer, unlike a personal link, which reaches a drawn sample.
    RECEIPT_LINK = "receipt_link"

    @property
    def is_typed_in(self) -> bool:
        """Whether a surveyor types the answers in (an interview, a paper form), rather than
        the respondent sending them."""
        return self in (ResponseMode.INTERVIEW, ResponseMode.PAPER)


class Response(db.Model):
    """One respondent's answers toward one assessed unit.

    Deliberately holds nothing that identifies the respondent: no name, contact, IP address,
    user agent, token or exact time; the submission date is enough for the methodology.
    """

    __tablename__ = "responses"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    questionnaire_id: Mapped[int] = mapped_column(ForeignKey("questionnaires.id"))
    respondent_group: Mapped[str] = mapped_column(String(40))
    mode: Mapped[ResponseMode] = mapped_column(enum_column(ResponseMode))
    procedure_field: Mapped[str | None] = mapped_column(String(120))
    submitted_on: Mapped[dt.date]
    answers: Mapped[dict] = mapped_column(JSON)
    # The answers to the scored questions, one character each (``encode_answer_codes``), so
    # that results read a million responses as one short column instead of parsing JSON.
    answer_codes: Mapped[str | None] = mapped_column(Text)

    campaign: Mapped[Campaign] = relationship()
    unit: Mapped[Unit] = relationship()
    questionnaire: Mapped[Questionnaire] = relationship()


class SubmissionReceipt(db.Model):
    """The digest of a form's one-time submission key, so a double tap stores one response.

    It is not linked to the responses it produced, and keeps only the date. No row id
    (SQLite): rows are kept in digest order, not in the order forms arrived.
    """

    __tablename__ = "submission_receipts"
    __table_args__ = ({"sqlite_with_rowid": False},)

    key_digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    received_on: Mapped[dt.date]
