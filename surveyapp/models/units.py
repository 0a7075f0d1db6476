"""Administrative units: a tree of any depth (province, district, commune, neighbourhood...)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from sqlalchemy import ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from surveyapp.extensions import db


class Unit(db.Model):
    """An administrative unit with its official code.

    ``kind`` keeps the Vietnamese name of the level (``tỉnh``, ``huyện``, ``xã``, ``phường``,
    ``tổ dân phố``, ``phòng chuyên môn``...), because the levels differ between places and
    have changed with the 2025 reform; the tree itself carries the hierarchy.

    Units are effective-dated. A unit is valid from ``valid_from`` (``None``: since before the
    service knew it) until the day before ``valid_until`` (``None``: still valid, a *current*
    unit). A code names at most one current unit; a code that a reform gave to another unit,
    or a unit a campaign used that has since changed, is another row, so that a campaign keeps
    the units, names and parents it was run with (``services/units.import_units``).
    """

    __tablename__ = "units"
    __table_args__ = (
        Index(
            "uq_units_current_code",
            "code",
            unique=True,
            sqlite_where=text("valid_until IS NULL"),
            postgresql_where=text("valid_until IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(60))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    valid_from: Mapped[dt.date | None]
    valid_until: Mapped[dt.date | None]

    parent: Mapped[Unit | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Unit]] = relationship(back_populates="parent", order_by="Unit.code")

    def __repr__(self) -> str:
        return f"<Unit {self.code} {self.name}>"

    @property
    def is_current(self) -> bool:
        """Whether the unit still exists (no reform or later list has retired it)."""
        return self.valid_until is None

    def lineage(self) -> Iterator[Unit]:
        """This unit, then its parent, up to the root."""
        unit: Unit | None = self
        while unit is not None:
            yield unit
            unit = unit.parent

    def subtree(self) -> Iterator[Unit]:
        """This unit and every unit below it, each parent before its children."""
        yield self
        for child in self.children:
            yield from child.subtree()
