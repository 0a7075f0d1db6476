"""A round's PAR Index (*Chỉ số CCHC*) per unit, from every source of its leaves, computed once
for the page and the workbook; and the officer's settings of it: the campaigns it reads, the
class bounds, the points of other sources and of the bonus and penalty items (typed or imported).

Where each leaf's points come from (the arithmetic is ``scoring.par_index``):

- self-assessed: the appraised points (``unit_appraisals.appraised_points``); an item not
  appraised yet counts the unit's own points (none typed: 0) and makes the unit's index
  *provisional*, as the page says;
- survey: the sum of the points of its questionnaire sub-criteria (``Node.survey_subcriteria``)
  in the round's PAR campaign (``compute_results``); the leaf applies to a unit only when every
  one of them has points for it;
- SIPAS: the unit's SIPAS index in the round's SIPAS campaign, turned into points by the
  leaf's rule; it applies when the unit has a SIPAS index;
- other: the points the officer typed or imported for the unit; it applies once given.

A bonus or penalty is entered by the officer too, unless the set lets the units score it
(``scoring: self_assessed``): then it counts its appraised points, before appraisal the unit's
own (which makes the index provisional); one the unit did not claim counts 0.

A leaf that does not apply leaves the unit's maximum (METHODOLOGY.md section 6). Writes flush,
record their audit entry and raise ``IndexSettingError`` with a Vietnamese message; the caller
commits.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import BinaryIO

from flask_babel import gettext as _
from sqlalchemy import select

from scoring.par import DEFAULT_CLASS_BOUNDS
from scoring.par_index import Leaf, UnitIndex, UnitPoints, compute_index
from surveyapp.criteria.definition import Adjustment, AdjustmentKind, CriteriaSet, Node, ScoringMethod
from surveyapp.extensions import db
from surveyapp.models import (
    AssessmentRound,
    AuditAction,
    Campaign,
    CampaignPurpose,
    EnteredPoints,
    RoundStage,
    SelfAssessment,
    Unit,
    User,
)
from surveyapp.services.audit import record_action
from surveyapp.services.results.indices import compute_results
from surveyapp.services.self_assessments import SelfAssessmentError, get_round_assessments, read_points, scores_by_code
from surveyapp.services.unit_appraisals import appraised_points
from surveyapp.services.units import normalise_unit_code
from surveyapp.tables.reading import ProblemList, RowProblem, RowsRejected, read_table, too_long

# The columns of an import of entered points (unit code, item code, points, note).
UNIT, ITEM, POINTS, NOTE = "Mã đơn vị", "Mã tiêu chí", "Điểm", "Ghi chú"


class IndexSettingError(ValueError):
    """A setting of the round's index cannot be changed as asked; the message says why."""


@dataclass(frozen=True)
class UnitRow:
    """One unit of the index: its index, whether it is provisional (items not appraised yet,
    counted with the unit's own points) and which leaves do not apply to it."""

    unit: Unit
    index: UnitIndex
    unappraised: tuple[str, ...]

    @property
    def is_provisional(self) -> bool:
        """Whether an item still counts the unit's own points instead of appraised ones."""
        return bool(self.unappraised)


@dataclass(frozen=True)
class RoundIndex:
    """The round's index: a row per unit (by kind, then rank), the set's areas, the bounds used."""

    assessment_round: AssessmentRound
    rows: list[UnitRow]
    areas: tuple[Node, ...]
    bounds: tuple[tuple[str, float], ...]

    def by_kind(self) -> dict[str, list[UnitRow]]:
        """The rows grouped by kind of unit (the ranking tables), in kind order."""
        groups: dict[str, list[UnitRow]] = defaultdict(list)
        for row in self.rows:
            groups[row.index.kind].append(row)
        return dict(groups)

    @property
    def is_provisional(self) -> bool:
        """Whether a unit's index is provisional."""
        return any(row.is_provisional for row in self.rows)

    @property
    def is_final(self) -> bool:
        """Whether the appraised points can no longer change: the appraisal is closed (after
        the units' explanation and appraisal 2) and no unit's index is provisional."""
        return self.assessment_round.stage is RoundStage.CLOSED and not self.is_provisional


def leaves_of(definition: CriteriaSet) -> list[Leaf]:
    """The set's leaves as the index computes them: code, area code, maximum, method."""
    return [
        Leaf(node.code, area.code, node.max_points, node.scoring.value)
        for area in definition.areas
        for node in area.walk()
        if node.is_leaf
    ]


def get_class_bounds(assessment_round: AssessmentRound) -> tuple[tuple[str, float], ...]:
    """The round's class bounds (its setting, else the defaults), highest class first."""
    if not assessment_round.class_bounds:
        return DEFAULT_CLASS_BOUNDS
    return tuple((str(label), float(lower)) for label, lower in assessment_round.class_bounds)


def _survey_points(campaign: Campaign | None) -> dict[tuple[str, str], float]:
    """The PAR campaign's points per (unit code, questionnaire sub-criterion), those it has."""
    if campaign is None:
        return {}
    points = {}
    for report in compute_results(campaign).par:
        table = report.result.subcriteria
        for unit, subcriterion, value in zip(table["unit"], table["subcriterion"], table["points"], strict=True):
            if not math.isnan(value):
                points[(unit, subcriterion)] = float(value)
    return points


def _sipas_indices(campaign: Campaign | None) -> dict[str, float]:
    """The SIPAS campaign's index per unit code (units without answers are absent); a unit
    surveyed with several questionnaires takes the first questionnaire's index."""
    if campaign is None:
        return {}
    indices: dict[str, float] = {}
    for report in compute_results(campaign, sipas_slices=()).sipas:
        for unit, index in zip(report.standings["unit"], report.standings["index"], strict=True):
            if not math.isnan(index):
                indices.setdefault(unit, float(index))
    return indices


def get_entered_points(assessment_round: AssessmentRound) -> dict[tuple[int, str], EnteredPoints]:
    """The points typed or imported in the round, by (unit id, item code)."""
    rows = db.session.scalars(select(EnteredPoints).filter_by(round_id=assessment_round.id))
    return {(row.unit_id, row.code): row for row in rows}


def _unit_points(
    assessment: SelfAssessment,
    definition: CriteriaSet,
    survey: dict[tuple[str, str], float],
    sipas: dict[str, float],
    entered: dict[tuple[int, str], EnteredPoints],
    previous_percent: float | None,
) -> tuple[UnitPoints, tuple[str, ...]]:
    """What the unit earns per leaf that applies to it, and the items not appraised yet."""
    unit = assessment.unit
    appraised = appraised_points(assessment)
    own = scores_by_code(assessment)
    points: dict[str, float] = {}
    unappraised = []
    for node in definition.leaves:
        if node.scoring is ScoringMethod.SELF_ASSESSED:
            if node.code in appraised:
                points[node.code] = appraised[node.code]
            else:
                unappraised.append(node.code)
                score = own.get(node.code)
                points[node.code] = score.points if score is not None and score.points is not None else 0.0
        elif node.scoring is ScoringMethod.SURVEY:
            values = [survey.get((unit.code, code)) for code in node.survey_subcriteria]
            if all(value is not None for value in values):
                points[node.code] = math.fsum(values)
        elif node.scoring is ScoringMethod.SIPAS:
            if unit.code in sipas:
                points[node.code] = node.sipas.points(sipas[unit.code], node.max_points)
        elif (unit.id, node.code) in entered:
            points[node.code] = entered[(unit.id, node.code)].points
    adjustments = {kind: 0.0 for kind in AdjustmentKind}
    for item in definition.adjustments:
        if item.scoring is ScoringMethod.SELF_ASSESSED:
            score = own.get(item.code)
            if item.code in appraised:
                adjustments[item.kind] += appraised[item.code]
            elif score is not None and score.points is not None:
                unappraised.append(item.code)
                adjustments[item.kind] += score.points
        elif (unit.id, item.code) in entered:
            adjustments[item.kind] += entered[(unit.id, item.code)].points
    return (
        UnitPoints(
            unit=unit.code,
            kind=unit.kind,
            points=points,
            bonus=adjustments[AdjustmentKind.BONUS],
            penalty=adjustments[AdjustmentKind.PENALTY],
            previous_percent=previous_percent,
        ),
        tuple(unappraised),
    )


def get_previous_round(assessment_round: AssessmentRound, unit: Unit) -> AssessmentRound | None:
    """The previous year's round assessing ``unit`` (the same unit id), the latest made if several."""
    statement = (
        select(AssessmentRound)
        .join(SelfAssessment, SelfAssessment.round_id == AssessmentRound.id)
        .filter(AssessmentRound.year == assessment_round.year - 1, SelfAssessment.unit_id == unit.id)
        .order_by(AssessmentRound.id.desc())
    )
    return db.session.scalars(statement.limit(1)).first()


def get_leaf_points(assessment_round: AssessmentRound) -> dict[int, dict[str, float]]:
    """What each leaf earns each unit of the round where it applies, by unit id then leaf
    code: the figures the index adds up (the gap report reads them too)."""
    definition = assessment_round.criteria_set.definition
    sources = _sources(assessment_round)
    return {
        assessment.unit_id: _unit_points(assessment, definition, *sources, None)[0].points
        for assessment in get_round_assessments(assessment_round)
    }


def _sources(
    assessment_round: AssessmentRound,
) -> tuple[dict[tuple[str, str], float], dict[str, float], dict[tuple[int, str], EnteredPoints]]:
    """The round's survey points, SIPAS indices and entered points, read once per computation."""
    return (
        _survey_points(assessment_round.par_campaign),
        _sipas_indices(assessment_round.sipas_campaign),
        get_entered_points(assessment_round),
    )


def compute_round_index(assessment_round: AssessmentRound, *, with_change: bool = True) -> RoundIndex:
    """Every unit's index in the round; ``with_change`` compares it with the previous year's round
    (for the units that have scored themselves)."""
    definition = assessment_round.criteria_set.definition
    survey, sipas, entered = _sources(assessment_round)
    assessments = get_round_assessments(assessment_round)
    previous: dict[int, dict[str, float]] = {}  # the percents of a previous round, by round id
    units, unappraised = [], {}
    for assessment in assessments:
        previous_percent = None
        # A unit that has scored nothing yet has a figure of nothing: no change to show.
        earlier = get_previous_round(assessment_round, assessment.unit) if with_change and assessment.scores else None
        if earlier is not None:
            if earlier.id not in previous:
                rows = compute_round_index(earlier, with_change=False).rows
                previous[earlier.id] = {row.unit.id: row.index.percent for row in rows}
            percent = previous[earlier.id].get(assessment.unit_id)
            previous_percent = None if percent is None or math.isnan(percent) else percent
        points, missing = _unit_points(assessment, definition, survey, sipas, entered, previous_percent)
        units.append(points)
        unappraised[assessment.unit.code] = missing
    bounds = get_class_bounds(assessment_round)
    by_code = {assessment.unit.code: assessment.unit for assessment in assessments}
    indices = compute_index(leaves_of(definition), units, bounds)
    return RoundIndex(
        assessment_round=assessment_round,
        rows=[UnitRow(by_code[index.unit], index, unappraised[index.unit]) for index in indices],
        areas=definition.areas,
        bounds=bounds,
    )


def set_index_sources(assessment_round: AssessmentRound, par: Campaign | None, sipas: Campaign | None) -> None:
    """Link the PAR and SIPAS campaigns (or none) the index takes survey and SIPAS points from. Audited."""
    if par is not None and par.purpose is not CampaignPurpose.PAR:
        raise IndexSettingError(_("Đợt %(name)s không phải đợt điều tra Chỉ số CCHC (PAR).", name=par.name))
    if sipas is not None and sipas.purpose is not CampaignPurpose.SIPAS:
        raise IndexSettingError(_("Đợt %(name)s không phải đợt khảo sát SIPAS.", name=sipas.name))
    before = {"par": assessment_round.par_campaign_id, "sipas": assessment_round.sipas_campaign_id}
    assessment_round.par_campaign = par
    assessment_round.sipas_campaign = sipas
    db.session.flush()
    record_action(
        AuditAction.INDEX_SOURCES_SET,
        round_id=assessment_round.id,
        before=before,
        after={"par": assessment_round.par_campaign_id, "sipas": assessment_round.sipas_campaign_id},
    )


def set_class_bounds(assessment_round: AssessmentRound, lower_bounds: Sequence[float]) -> None:
    """Set the lower bounds (percent) of classes A, B and C; below C's is D. Audited.

    Refused unless each is between 0 and 100 and each is below the one before.
    """
    labels = [label for label, _lower in DEFAULT_CLASS_BOUNDS]
    if len(lower_bounds) != len(labels):
        raise IndexSettingError(_("Hãy nhập ngưỡng dưới của các loại %(labels)s.", labels=", ".join(labels)))
    for label, lower in zip(labels, lower_bounds, strict=True):
        if not 0 < lower <= 100:
            raise IndexSettingError(
                _("Ngưỡng của loại %(label)s (%(value)s) phải lớn hơn 0 và không quá 100.", label=label, value=lower)
            )
    if any(later >= earlier for earlier, later in itertools.pairwise(lower_bounds)):
        raise IndexSettingError(_("Ngưỡng của loại sau phải thấp hơn ngưỡng của loại trước (A > B > C)."))
    before = [list(bound) for bound in get_class_bounds(assessment_round)]
    assessment_round.class_bounds = [[label, float(lower)] for label, lower in zip(labels, lower_bounds, strict=True)]
    db.session.flush()
    record_action(
        AuditAction.CLASS_BOUNDS_SET, round_id=assessment_round.id, before=before, after=assessment_round.class_bounds
    )


def entered_items(definition: CriteriaSet) -> dict[str, Node | Adjustment]:
    """The items whose points the officer gives, by code: other-source leaves, then the bonus and
    penalty items the units do not score themselves."""
    items: dict[str, Node | Adjustment] = {
        node.code: node for node in definition.leaves if node.scoring is ScoringMethod.OTHER
    }
    items.update({item.code: item for item in definition.adjustments if item.scoring is ScoringMethod.OTHER})
    return items


def _store(
    assessment_round: AssessmentRound, unit: Unit, code: str, points: float | None, note: str, user: User | None
) -> dict:
    """Keep (or, with no points, remove) the unit's points of item ``code``; what it was before."""
    row = db.session.scalar(select(EnteredPoints).filter_by(round_id=assessment_round.id, unit_id=unit.id, code=code))
    before = None if row is None else {"points": row.points, "note": row.note}
    if points is None:
        if row is not None:
            db.session.delete(row)
        return before
    if row is None:
        row = EnteredPoints(round_id=assessment_round.id, unit_id=unit.id, code=code)
        db.session.add(row)
    row.points = points
    row.note = note
    row.entered_by = user
    row.entered_at = dt.datetime.now(dt.UTC)
    return before


def _round_units(assessment_round: AssessmentRound) -> dict[str, Unit]:
    return {assessment.unit.code: assessment.unit for assessment in get_round_assessments(assessment_round)}


def enter_points(
    assessment_round: AssessmentRound, unit: Unit, code: str, typed: str, note: str, user: User | None
) -> None:
    """Give ``unit`` the points ``typed`` (empty: none) for the other-source or bonus/penalty
    item ``code``, with a note. Audited (before and after).

    Refused, nothing changed, when the round does not assess the unit, the item is not one
    whose points the officer gives, or the points break the rule of an item's points
    (``read_points``: a number from 0 to the item's maximum, in the set's steps).
    """
    definition = assessment_round.criteria_set.definition
    if unit.code not in _round_units(assessment_round):
        raise IndexSettingError(_("Kỳ đánh giá này không đánh giá đơn vị %(unit)s.", unit=unit.name))
    item = entered_items(definition).get(code)
    if item is None:
        raise IndexSettingError(_("Tiêu chí %(code)s không phải tiêu chí nhập điểm hay điểm thưởng, trừ.", code=code))
    try:
        points = read_points(definition, item, typed)
    except SelfAssessmentError as error:
        raise IndexSettingError(str(error)) from error
    note = note.strip()
    if problem := too_long(1, NOTE, note, EnteredPoints.note):
        raise IndexSettingError(_("Ghi chú %(reason)s.", reason=problem.reason))
    before = _store(assessment_round, unit, code, points, note, user)
    db.session.flush()
    record_action(
        AuditAction.POINTS_ENTERED,
        round_id=assessment_round.id,
        unit=unit.code,
        item=code,
        before=before,
        after=None if points is None else {"points": points, "note": note},
    )


def import_points(
    assessment_round: AssessmentRound, file_name: str, source: bytes | BinaryIO, user: User | None
) -> int:
    """Store the points of an uploaded table (``Mã đơn vị``, ``Mã tiêu chí``, ``Điểm``, ``Ghi chú``);
    returns how many rows. Audited.

    The upload limits of every import apply (``read_table``). A file with any bad row (an
    unknown unit or item, points off the item's rule, a unit and item given twice, a note too
    long) or with no row stores nothing: ``RowsRejected`` names each row, column and value.
    """
    definition = assessment_round.criteria_set.definition
    table = read_table(file_name, source)
    missing = [column for column in (UNIT, ITEM, POINTS) if column not in table.header]
    if missing:
        raise RowsRejected([RowProblem(1, column, "", _("thiếu cột này ở dòng tiêu đề")) for column in missing])
    units = _round_units(assessment_round)
    items = entered_items(definition)
    problems = ProblemList()
    seen: dict[tuple[str, str], int] = {}
    rows = []
    for line, row in table:
        unit_code = normalise_unit_code(row.get(UNIT, ""))
        code = row.get(ITEM, "").strip()
        typed = row.get(POINTS, "")
        note = row.get(NOTE, "").strip()
        if unit_code not in units:
            problems.add(RowProblem(line, UNIT, unit_code, _("không phải đơn vị của kỳ đánh giá")))
        if code not in items:
            problems.add(
                RowProblem(line, ITEM, code, _("không phải tiêu chí nhập điểm hay điểm thưởng, trừ của bộ chỉ số"))
            )
            continue
        try:
            points = read_points(definition, items[code], typed)
        except SelfAssessmentError as error:
            problems.add(RowProblem(line, POINTS, typed, str(error)))
            continue
        if points is None:
            problems.add(RowProblem(line, POINTS, typed, _("chưa có điểm")))
        if problem := too_long(line, NOTE, note, EnteredPoints.note):
            problems.add(problem)
        if (unit_code, code) in seen:
            problems.add(RowProblem(line, ITEM, code, _("trùng với dòng %(line)d", line=seen[(unit_code, code)])))
        seen.setdefault((unit_code, code), line)
        rows.append((unit_code, code, points, note))
    if not rows and not problems:
        problems.add(RowProblem(2, UNIT, "", _("tệp không có dòng điểm nào")))
    if problems:
        raise RowsRejected(problems)
    for unit_code, code, points, note in rows:
        _store(assessment_round, units[unit_code], code, points, note, user)
    db.session.flush()
    record_action(AuditAction.POINTS_IMPORTED, round_id=assessment_round.id, file=file_name, rows=len(rows))
    return len(rows)
