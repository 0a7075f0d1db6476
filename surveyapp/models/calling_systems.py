"""The one-stop system's API: the calling systems it trusts and the receipt links they asked for.

A *calling system* is the province's one-stop information system (*hệ thống thông tin một
cửa*), or a centre's own software, that asks for a survey link when it returns a dossier's
result. A *receipt link* is the single-use link printed on that receipt.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Column, DateTime, ForeignKey, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from surveyapp.extensions import db
from surveyapp.models.campaigns import Campaign
from surveyapp.models.questionnaires import Questionnaire
from surveyapp.models.units import Unit

calling_system_units = Table(
    "calling_system_units",
    db.metadata,
    Column("calling_system_id", ForeignKey("calling_systems.id", ondelete="CASCADE"), primary_key=True),
    Column("unit_id", ForeignKey("units.id", ondelete="CASCADE"), primary_key=True),
)


class CallingSystem(db.Model):
    """A system allowed to ask for receipt links, for one campaign's questionnaire and some units.

    Only the SHA-256 digest of its bearer token is kept (the token is shown once). A revoked
    system keeps its row, so the list still shows it and its calls are refused by name.
    """

    __tablename__ = "calling_systems"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"), index=True)
    questionnaire_id: Mapped[int] = mapped_column(ForeignKey("questionnaires.id"))
    token_digest: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    last_used_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    campaign: Mapped[Campaign] = relationship()
    questionnaire: Mapped[Questionnaire] = relationship()
    units: Mapped[list[Unit]] = relationship(secondary=calling_system_units, order_by=Unit.code)

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class ReceiptLink(db.Model):
    """A dossier's single-use link, known only by a keyed digest of its code.

    The code is derived from the calling system and the dossier code (``services.receipt_links``),
    so asking again gives the same link without the code or the dossier code being stored.
    What the link opens is kept: the campaign's questionnaire, the unit that handled the
    dossier, the field of its procedure (stored with the answer, as the QR form's) and the
    procedure's name (shown on the page, never stored with the answer). Nothing here changes
    when the link is answered: spending it writes a digest of another purpose into
    ``spent_links``. No row id (SQLite): rows are kept in digest order, not in the order the
    dossiers were returned.
    """

    __tablename__ = "receipt_links"
    __table_args__ = ({"sqlite_with_rowid": False},)

    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    questionnaire_id: Mapped[int] = mapped_column(ForeignKey("questionnaires.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    procedure_field: Mapped[str | None] = mapped_column(String(120))
    procedure: Mapped[str] = mapped_column(String(300))

    questionnaire: Mapped[Questionnaire] = relationship()
    unit: Mapped[Unit] = relationship()
