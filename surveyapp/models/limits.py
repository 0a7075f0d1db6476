"""Counters of rate limits, shared by every worker and instance through the database."""

from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from surveyapp.extensions import db


class LimitCount(db.Model):
    """How many events of one scope and identity fell in one minute (``bucket``).

    ``identity_digest`` is a keyed hash of the identity (an address, a username) under the
    key of the bucket's day, never the identity itself; see ``surveyapp.services.limits``.
    """

    __tablename__ = "limit_counts"

    scope: Mapped[str] = mapped_column(String(40), primary_key=True)
    identity_digest: Mapped[str] = mapped_column(String(32), primary_key=True)
    # Minutes since the Unix epoch. No index of its own: the rows are always looked up by the
    # primary key (bench/README.md); pruning old rows now and then reads the table.
    bucket: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    count: Mapped[int]
