"""Evidence files (*tài liệu kiểm chứng*) that an assessed unit uploads for its self-assessment."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from surveyapp.extensions import db
from surveyapp.models.units import Unit
from surveyapp.models.users import User


class EvidenceFile(db.Model):
    """A document a unit uploaded once, to be cited by every sub-criterion it supports.

    Evidence belongs to the unit, not to an assessment round: a document that still counts
    next year is cited again, not uploaded again. The content lives outside the database, in
    the evidence folder under its SHA-256 (``surveyapp/evidence_files.py``); two records with
    the same content share one stored file. ``file_name`` is the uploaded name made safe (no
    folders, no control characters); ``extension`` is the declared type, which the content's
    first bytes were checked against, and ``mimetype`` the type it is downloaded as.
    """

    __tablename__ = "evidence_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    file_name: Mapped[str] = mapped_column(String(200))
    extension: Mapped[str] = mapped_column(String(10))
    mimetype: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    # SET NULL: deleting an account never takes its uploads with it.
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    uploaded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))

    unit: Mapped[Unit] = relationship()
    uploaded_by: Mapped[User | None] = relationship()
