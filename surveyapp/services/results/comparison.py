"""Year on year: each unit of a campaign beside the units of an earlier campaign it came from.

Since 1 July 2025 a commune is often several communes of before, merged, and a code may name
another unit than it did (10675 was Phường An Lưu, it is Phường Kinh Môn). A unit is set
beside the earlier campaign's units that became part of it, by the official conversion table
(``official_units.successors``); a unit the table does not know (a department, a centre, a
residential group, or a commune that did not change) beside the earlier unit of its code.
The figure compared is the SIPAS index of the campaign's first questionnaire, or the survey
points of its first PAR family.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import Campaign, CampaignPurpose
from surveyapp.services.official_units import successors
from surveyapp.services.results.indices import CampaignResults


@dataclass(frozen=True)
class Figure:
    """A unit's figure in one campaign (``None``: no answer about it)."""

    code: str
    name: str
    value: float | None


@dataclass(frozen=True)
class ComparedUnit:
    """A unit of the campaign, and the units of the earlier campaign it came from."""

    now: Figure
    before: tuple[Figure, ...]


def comparable_campaigns(campaign: Campaign) -> list[Campaign]:
    """The other campaigns of the same purpose, the latest first: what ``campaign`` compares with."""
    return list(
        db.session.scalars(
            select(Campaign)
            .where(Campaign.purpose == campaign.purpose, Campaign.id != campaign.id)
            .order_by(Campaign.year.desc(), Campaign.id.desc())
        )
    )


def unit_figures(results: CampaignResults) -> dict[str, float | None]:
    """Unit code → its SIPAS index (first questionnaire) or PAR survey points (first family)."""
    if results.campaign.purpose is CampaignPurpose.SIPAS:
        if not results.sipas:
            return {}
        table = results.sipas[0].slices["unit"].overall
        return {str(row["unit"]): _number(row["index"]) for row in table.to_dict("records")}
    if not results.par:
        return {}
    table = results.par[0].result.totals
    return {str(row["unit"]): _number(row["survey_points"]) for row in table.to_dict("records")}


def compare(results: CampaignResults, earlier: CampaignResults) -> list[ComparedUnit]:
    """Every unit with a figure in ``results``, beside the units of ``earlier`` it came from."""
    now, before = unit_figures(results), unit_figures(earlier)
    came_from: dict[str, set[str]] = defaultdict(set)
    for old, new_codes in successors().items():
        if old in earlier.unit_names:
            for new in new_codes:
                came_from[new].add(old)
    rows = []
    for code in sorted(now):
        origins = came_from.get(code) or ({code} if code in earlier.unit_names else set())
        rows.append(
            ComparedUnit(
                Figure(code, results.unit_names.get(code, code), now[code]),
                tuple(Figure(old, earlier.unit_names[old], before.get(old)) for old in sorted(origins)),
            )
        )
    return rows


def _number(value: object) -> float | None:
    return None if value is None or value != value else float(value)  # NaN: no valid answer
