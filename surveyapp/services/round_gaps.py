"""Where a round's units stand against each item's target (seeds 002, 004): the points each
unit has on each scored item (leaf) of the set, the points it loses there, the evidence still
missing, and the departments answering for the item.

What a leaf is worth for a unit is decided once, by ``leaf_points``; the departments' pages,
the gap report and its workbook all read the ``ItemStanding`` rows built here.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from surveyapp.criteria.definition import TOLERANCE, DepartmentRole, Node, Responsibility, ScoringMethod
from surveyapp.models import AssessmentRound, SelfAssessment, SelfScore
from surveyapp.services.par_index import get_leaf_points
from surveyapp.services.self_assessments import get_round_assessments, is_complete, scores_by_code
from surveyapp.services.unit_appraisals import appraised_points


class MissingEvidence(enum.Enum):
    """What a self-assessed item still lacks: its points, or evidence and a reason for having none."""

    NOT_SCORED = "not_scored"
    NO_EVIDENCE = "no_evidence"


MISSING_LABELS = {
    MissingEvidence.NOT_SCORED: _l("Chưa chấm điểm"),
    MissingEvidence.NO_EVIDENCE: _l("Chưa có tài liệu kiểm chứng hay lý do không có"),
}
ROLE_LABELS = {
    DepartmentRole.MONITORING: _l("Theo dõi"),
    DepartmentRole.LEADING: _l("Chủ trì"),
    DepartmentRole.COOPERATING: _l("Phối hợp"),
}


@dataclass(frozen=True)
class UnitScores:
    """What a unit has so far in a round: its own points per item, and what each leaf earns it
    in the round's index (``par_index.get_leaf_points``: appraised points, else its own; survey,
    SIPAS and other sources where they apply)."""

    assessment: SelfAssessment
    scores: dict[str, SelfScore]
    appraised: dict[str, float]
    earned: dict[str, float]


def leaf_points(leaf: Node, unit: UnitScores) -> float | None:
    """The points ``leaf`` earns the unit so far, from which its points lost are counted: the
    index's figure, none when the leaf does not apply to the unit (no survey or SIPAS answers,
    no points entered) or the unit has not scored a self-assessed item yet (nor been appraised)."""
    if leaf.scoring is ScoringMethod.SELF_ASSESSED and leaf.code not in unit.appraised:
        score = unit.scores.get(leaf.code)
        if score is None or score.points is None:
            return None
    return unit.earned.get(leaf.code)


@dataclass(frozen=True)
class ItemStanding:
    """One scored item of the set for one unit of the round."""

    assessment: SelfAssessment
    item: Node
    responsibility: Responsibility
    points: float | None
    missing: MissingEvidence | None

    @property
    def points_lost(self) -> float | None:
        """The item's maximum less the points it earns; None while those are unknown."""
        return None if self.points is None else max(0.0, self.item.max_points - self.points)

    @property
    def is_gap(self) -> bool:
        """Whether the unit loses points on the item, or may (its points are not known yet)."""
        lost = self.points_lost
        return lost is None or lost > TOLERANCE


def _missing(leaf: Node, score: SelfScore | None) -> MissingEvidence | None:
    if leaf.scoring is not ScoringMethod.SELF_ASSESSED or is_complete(score):
        return None
    return MissingEvidence.NOT_SCORED if score is None or score.points is None else MissingEvidence.NO_EVIDENCE


def get_item_standings(assessment_round: AssessmentRound) -> list[ItemStanding]:
    """Every scored item of the round's set for every unit of the round: by item in the set's
    order, then by unit code."""
    definition = assessment_round.criteria_set.definition
    earned = get_leaf_points(assessment_round)
    units = [
        UnitScores(assessment, scores_by_code(assessment), appraised_points(assessment), earned[assessment.unit_id])
        for assessment in get_round_assessments(assessment_round)
    ]
    return [
        ItemStanding(
            assessment=unit.assessment,
            item=leaf,
            responsibility=definition.responsibilities[leaf.code],
            points=leaf_points(leaf, unit),
            missing=_missing(leaf, unit.scores.get(leaf.code)),
        )
        for leaf in definition.leaves
        for unit in units
    ]


def get_department_standings(
    assessment_round: AssessmentRound, department: str
) -> list[tuple[ItemStanding, tuple[DepartmentRole, ...]]]:
    """The items ``department`` monitors, leads or cooperates on, for every unit, with its roles."""
    rows = []
    for standing in get_item_standings(assessment_round):
        roles = standing.responsibility.roles_of(department)
        if roles:
            rows.append((standing, roles))
    return rows


def get_gap_report(assessment_round: AssessmentRound) -> list[ItemStanding]:
    """The items on which a unit loses points, most points lost first (then in the set's order
    and by unit code); those whose points are not known yet come last."""
    gaps = [standing for standing in get_item_standings(assessment_round) if standing.is_gap]
    # A stable sort: equal losses keep the set's order and the units' codes.
    return sorted(gaps, key=lambda standing: (standing.points_lost is None, -(standing.points_lost or 0.0)))


@dataclass(frozen=True)
class GapFilter:
    """Which rows of the gap report an officer looks at: the units of one kind, the items of
    one area of the set (by its code); None keeps them all."""

    kind: str | None = None
    area: str | None = None

    def select(self, assessment_round: AssessmentRound, gaps: list[ItemStanding]) -> list[ItemStanding]:
        """The rows of ``gaps`` this filter keeps, in their order."""
        areas = {
            node.code: area.code
            for area in assessment_round.criteria_set.definition.areas
            for node in area.walk()
            if node.is_leaf
        }
        return [
            gap
            for gap in gaps
            if self.kind in (None, gap.assessment.unit.kind) and self.area in (None, areas[gap.item.code])
        ]


def get_round_unit_kinds(assessment_round: AssessmentRound) -> list[str]:
    """The kinds of the round's units (commune, ward, ...), alphabetical: the gap report's filter."""
    return sorted({assessment.unit.kind for assessment in get_round_assessments(assessment_round)})


@dataclass(frozen=True)
class DepartmentSummary:
    """A department the round's set names: how many items it answers for (in any role), the
    points the units lose on them so far, and how many items of a unit still lack evidence."""

    name: str
    items: int
    points_lost: float
    missing: int


def get_department_summaries(assessment_round: AssessmentRound) -> list[DepartmentSummary]:
    """Every department the round's set names, in the set's order of departments."""
    definition = assessment_round.criteria_set.definition
    standings = get_item_standings(assessment_round)
    summaries = []
    for department in definition.departments:
        items = [leaf for leaf in definition.leaves if definition.responsibilities[leaf.code].roles_of(department)]
        codes = {leaf.code for leaf in items}
        own = [standing for standing in standings if standing.item.code in codes]
        summaries.append(
            DepartmentSummary(
                name=department,
                items=len(items),
                points_lost=sum(standing.points_lost or 0.0 for standing in own),
                missing=sum(1 for standing in own if standing.missing is not None),
            )
        )
    return summaries
