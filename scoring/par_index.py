"""A round's PAR Index per unit: points of the leaves that apply, percent, class, rank, change.

METHODOLOGY.md section 6: unit index = 100 × points / maximum of the criteria that apply. Each
leaf of a criteria set earns its points from one source (appraised self-assessment, survey,
SIPAS, another source); a leaf whose source gives the unit nothing (no survey linked, no answer
for the unit) does not apply: it is left out of the points and of the maximum alike. Bonus
points add to the unit's points and penalty points take away, outside the maximum (the percent
is not capped: bonus points may lift it above 100). Units are ranked within their kind (ties
share a rank) and compared with a previous year's percent.

Two units of one area of 10 points (two leaves of 6 and 4): X earns 5 + 3.5 and a bonus of 1,
Y earns 4.5 on the first leaf only (the second does not apply to it):

>>> leaves = (Leaf("1.1", "1", 6.0, "self_assessed"), Leaf("1.2", "1", 4.0, "survey"))
>>> x = UnitPoints("X", "xã", {"1.1": 5.0, "1.2": 3.5}, bonus=1.0, previous_percent=80.0)
>>> y = UnitPoints("Y", "xã", {"1.1": 4.5})
>>> [(i.unit, i.points, i.max_points, i.percent, i.grade, i.rank, i.change) for i in compute_index(leaves, [x, y])]
[('X', 9.5, 10.0, 95.0, 'A', 1, 15.0), ('Y', 4.5, 6.0, 75.0, 'C', 2, None)]
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd

from scoring.par import DEFAULT_CLASS_BOUNDS, classify
from scoring.ranking import competition_ranks


@dataclass(frozen=True)
class Leaf:
    """A scored item of the set: its code, the code of its area, its maximum and its scoring method."""

    code: str
    area: str
    max_points: float
    method: str


@dataclass(frozen=True)
class UnitPoints:
    """What one unit earns: points per leaf code (a leaf absent does not apply to the unit),
    bonus and penalty points (both given as positive amounts), and the unit's percent of a
    previous year when there is one."""

    unit: str
    kind: str
    points: Mapping[str, float]
    bonus: float = 0.0
    penalty: float = 0.0
    previous_percent: float | None = None


@dataclass(frozen=True)
class AreaScore:
    """A unit's points in one area, out of the maximum of the area's leaves that apply to it."""

    area: str
    points: float
    max_points: float


@dataclass(frozen=True)
class UnitIndex:
    """A unit's index: ``points`` (leaves + bonus − penalty), ``max_points`` (of the leaves
    that apply), ``percent``, ``grade`` (the class, A-D), ``rank`` within its kind, ``change``
    from the previous percent (``None`` without one), the breakdown by area and by method,
    and the leaves that do not apply (``not_applying``)."""

    unit: str
    kind: str
    points: float
    max_points: float
    percent: float
    grade: str
    rank: int
    change: float | None
    bonus: float
    penalty: float
    areas: tuple[AreaScore, ...]
    by_method: dict[str, float] = field(default_factory=dict)
    not_applying: tuple[str, ...] = ()


def _check(leaves: Sequence[Leaf], units: Sequence[UnitPoints]) -> None:
    codes = [leaf.code for leaf in leaves]
    if len(set(codes)) != len(codes):
        raise ValueError("leaves: a leaf code is given twice")
    for leaf in leaves:
        if not leaf.max_points > 0:
            raise ValueError(f"leaves: leaf {leaf.code} has maximum {leaf.max_points!r}, not a positive number")
    known = set(codes)
    seen: set[str] = set()
    for unit in units:
        if unit.unit in seen:
            raise ValueError(f"units: unit {unit.unit} is given twice")
        seen.add(unit.unit)
        unknown = sorted(set(unit.points) - known)
        if unknown:
            raise ValueError(f"units: unit {unit.unit} has points for unknown leaves {', '.join(unknown)}")
        for leaf in leaves:
            points = unit.points.get(leaf.code)
            if points is not None and not (0 <= points <= leaf.max_points + 1e-9):
                raise ValueError(
                    f"units: unit {unit.unit} has {points!r} points for {leaf.code} (0 to {leaf.max_points:g})"
                )
        if unit.bonus < 0 or unit.penalty < 0:
            raise ValueError(f"units: unit {unit.unit}'s bonus and penalty are given as positive amounts")


def compute_index(
    leaves: Sequence[Leaf],
    units: Iterable[UnitPoints],
    bounds: Sequence[tuple[str, float]] = DEFAULT_CLASS_BOUNDS,
) -> list[UnitIndex]:
    """Each unit's index (see the module), sorted by kind, then rank, then unit code.

    A unit to which no leaf applies has a maximum of 0: its percent is NaN, its class the
    lowest and it is ranked after the others of its kind. Raises ``ValueError`` naming the
    argument when a leaf code repeats, a maximum is not positive, a unit repeats or has
    points for an unknown leaf, outside 0 to the leaf's maximum, or a negative adjustment.
    """
    units = list(units)
    _check(leaves, units)
    areas = list(dict.fromkeys(leaf.area for leaf in leaves))
    rows = []
    for unit in units:
        applying = [leaf for leaf in leaves if leaf.code in unit.points]
        earned = math.fsum(unit.points[leaf.code] for leaf in applying)
        maximum = math.fsum(leaf.max_points for leaf in applying)
        points = round(earned + unit.bonus - unit.penalty, 10)
        percent = round(100 * points / maximum, 10) if maximum > 0 else math.nan
        by_area = tuple(
            AreaScore(
                area,
                round(math.fsum(unit.points[leaf.code] for leaf in applying if leaf.area == area), 10),
                round(math.fsum(leaf.max_points for leaf in applying if leaf.area == area), 10),
            )
            for area in areas
        )
        by_method: dict[str, float] = {}
        for leaf in applying:
            by_method[leaf.method] = round(by_method.get(leaf.method, 0.0) + unit.points[leaf.code], 10)
        rows.append(
            {
                "unit": unit,
                "points": points,
                "max_points": round(maximum, 10),
                "percent": percent,
                "areas": by_area,
                "by_method": by_method,
                "not_applying": tuple(leaf.code for leaf in leaves if leaf.code not in unit.points),
            }
        )
    table = pd.DataFrame(
        {"kind": [row["unit"].kind for row in rows], "percent": [row["percent"] for row in rows]}, dtype=object
    )
    table["percent"] = table["percent"].astype(float)
    ranks = table.groupby("kind", sort=False)["percent"].transform(
        lambda values: competition_ranks(values.fillna(-math.inf))
    )
    result = [
        UnitIndex(
            unit=row["unit"].unit,
            kind=row["unit"].kind,
            points=row["points"],
            max_points=row["max_points"],
            percent=row["percent"],
            grade=classify(row["percent"], bounds),
            rank=int(rank),
            change=None
            if row["unit"].previous_percent is None or math.isnan(row["percent"])
            else round(row["percent"] - row["unit"].previous_percent, 10),
            bonus=row["unit"].bonus,
            penalty=row["unit"].penalty,
            areas=row["areas"],
            by_method=row["by_method"],
            not_applying=row["not_applying"],
        )
        for row, rank in zip(rows, ranks.tolist(), strict=True)
    ]
    return sorted(result, key=lambda index: (index.kind, index.rank, index.unit))
