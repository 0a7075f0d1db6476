"""Published results: frozen snapshots of decided figures, open to everyone without log-in."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import JSON, Date, DateTime, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column

from surveyapp.extensions import db
from surveyapp.models.types import enum_column


class PublicationSubject(enum.Enum):
    """What a publication shows: a campaign's results, or an assessment round's PAR Index."""

    CAMPAIGN = "campaign"
    ROUND = "round"


class PublishedVersionChanged(RuntimeError):
    """Something tried to change or delete a published version: a correction is a new version."""


class Publication(db.Model):
    """One version of the published results of a subject (``subject`` + ``subject_id``).

    ``snapshot`` holds the figures as they were computed when the version was published
    (``surveyapp.services.results.snapshots``); the public page and its open-data files are
    drawn from it alone, so later answers, renamed units or changed settings never alter
    them. Versions of one subject share ``slug`` (their public address) and count 1, 2, …;
    from version 2 on, ``change_note`` says what the correction changed. A version is never
    updated or deleted once written (the listeners below refuse it).
    """

    __tablename__ = "publications"
    __table_args__ = (UniqueConstraint("subject", "subject_id", "version"), UniqueConstraint("slug", "version"))

    id: Mapped[int] = mapped_column(primary_key=True)
    subject: Mapped[PublicationSubject] = mapped_column(enum_column(PublicationSubject))
    # A plain number rather than a foreign key: the publication outlives what it is about.
    subject_id: Mapped[int] = mapped_column(index=True)
    slug: Mapped[str] = mapped_column(String(80), index=True)
    version: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    decision: Mapped[str] = mapped_column(String(500))
    decided_on: Mapped[dt.date] = mapped_column(Date)
    change_note: Mapped[str | None] = mapped_column(Text)
    published_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    # The username as it was: an account may be renamed or removed, the record stays.
    published_by: Mapped[str] = mapped_column(String(80))
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)


@event.listens_for(Publication, "before_update")
@event.listens_for(Publication, "before_delete")
def _refuse_changing_a_published_version(_mapper: Any, _connection: Any, publication: Publication) -> None:
    raise PublishedVersionChanged(
        f"publication {publication.slug} version {publication.version} is published: publish a correction instead"
    )
