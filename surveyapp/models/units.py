"""Administrative units: a tree of any depth (province, district, commune, neighbourhood...)."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from surveyapp.extensions import db


class Unit(db.Model):
    """An administrative unit with its official code.

    ``kind`` keeps the Vietnamese name of the level (``tỉnh``, ``huyện``, ``xã``, ``phường``,
    ``tổ dân phố``, ``phòng chuyên môn``...), because the levels differ between places and
    have changed with the 2025 reform; the tree itself carries the hierarchy.
    """

    __tablename__ = "units"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(60))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)

    parent: Mapped[Unit | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Unit]] = relationship(back_populates="parent", order_by="Unit.code")

    def __repr__(self) -> str:
        return f"<Unit {self.code} {self.name}>"

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
