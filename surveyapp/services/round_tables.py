"""The tables of an assessment round that officers download or send upward, as ``Table``s for
the workbook writer (``tables/writing``), which neutralises typed text against formula
injection: the gap report, a unit's scoring table (*biểu tổng hợp điểm*: every item with its
maximum, the unit's points, the appraised points and the evidence cited), and the round's
workbook (the summary by unit, then a sheet per unit).
"""

from __future__ import annotations

import datetime as dt

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from surveyapp.criteria.definition import Adjustment, AdjustmentKind, Node, ScoringMethod
from surveyapp.i18n import localized
from surveyapp.models import AssessmentRound, SelfAssessment, SelfScore
from surveyapp.services.criteria_sets import SCORING_LABELS
from surveyapp.services.results.exports import slug
from surveyapp.services.round_gaps import MISSING_LABELS, ItemStanding
from surveyapp.services.self_assessments import get_progress, get_round_assessments, scores_by_code
from surveyapp.services.unit_appraisals import appraised_points, get_appraisal_progress
from surveyapp.tables.writing import Column, Kind, Table, table_of_rows

ADJUSTMENT_LABELS = {AdjustmentKind.BONUS: _l("Điểm thưởng"), AdjustmentKind.PENALTY: _l("Điểm trừ")}


def source_label(item: Node) -> str:
    """Where an item's points come from, for people (the other source named)."""
    label = str(SCORING_LABELS[item.scoring])
    return f"{label}: {localized(item.source)}" if item.scoring is ScoringMethod.OTHER and item.source else label


def gap_report_table(gaps: list[ItemStanding]) -> Table:
    """The gap report's rows (``round_gaps.get_gap_report``) as one sheet."""
    columns = [
        Column(_("Mã tiêu chí")),
        Column(_("Tiêu chí")),
        Column(_("Mã đơn vị")),
        Column(_("Đơn vị")),
        Column(_("Điểm tối đa"), Kind.POINTS),
        Column(_("Điểm đạt"), Kind.POINTS),
        Column(_("Điểm bị mất"), Kind.POINTS),
        Column(_("Cơ quan chủ trì")),
        Column(_("Nguồn điểm")),
        Column(_("Còn thiếu")),
    ]
    rows = [
        [
            gap.item.code,
            localized(gap.item.title),
            gap.assessment.unit.code,
            gap.assessment.unit.name,
            gap.item.max_points,
            gap.points,
            gap.points_lost,
            gap.responsibility.leading,
            source_label(gap.item),
            str(MISSING_LABELS[gap.missing]) if gap.missing else None,
        ]
        for gap in gaps
    ]
    return table_of_rows("diem-bi-mat", _("Điểm bị mất"), columns, rows)


def _sum_known(values: list[float | None]) -> float | None:
    known = [value for value in values if value is not None]
    return sum(known) if known else None


def scoring_table(assessment: SelfAssessment) -> Table:
    """A unit's scoring table: every area, criterion and sub-criterion of the round's set with
    its maximum, how it is scored, the unit's points, the appraised points, the evidence cited
    (titles) and the reason given where there is none; an area's or criterion's points are the
    sums over its self-assessed items; then the total, then the set's bonus and penalty items
    (outside the total; points for those the unit scores itself). The sheet is named after the unit."""
    definition = assessment.assessment_round.criteria_set.definition
    scores, appraised_by_code = scores_by_code(assessment), appraised_points(assessment)
    columns = [
        Column(_("Mã")),
        Column(_("Lĩnh vực, tiêu chí, tiêu chí thành phần")),
        Column(_("Điểm tối đa"), Kind.POINTS),
        Column(_("Cách chấm điểm")),
        Column(_("Điểm tự chấm"), Kind.POINTS),
        Column(_("Điểm thẩm định"), Kind.POINTS),
        Column(_("Tài liệu kiểm chứng")),
        Column(_("Lý do không có tài liệu kiểm chứng")),
    ]

    def own(item: Node | Adjustment) -> float | None:
        score = scores.get(item.code)
        return None if score is None else score.points

    def summed(node: Node) -> tuple[float | None, float | None]:
        items = [leaf for leaf in node.walk() if leaf.scoring is ScoringMethod.SELF_ASSESSED]
        return _sum_known([own(item) for item in items]), _sum_known([appraised_by_code.get(i.code) for i in items])

    rows = []
    for node in definition.nodes:
        score = scores.get(node.code)
        self_points, appraised = summed(node)
        rows.append(
            [
                node.code,
                localized(node.title),
                node.max_points,
                source_label(node) if node.is_leaf else None,
                self_points,
                appraised,
                *_evidence_cells(score),
            ]
        )
    totals = [summed(area) for area in definition.areas]
    rows.append(
        [
            None,
            _("Tổng cộng"),
            definition.total,
            None,
            _sum_known([points for points, _appraised in totals]),
            _sum_known([appraised for _points, appraised in totals]),
            None,
            None,
        ]
    )
    for item in definition.adjustments:
        score = scores.get(item.code)
        is_scored_by_unit = item.scoring is ScoringMethod.SELF_ASSESSED
        rows.append(
            [
                item.code,
                f"{ADJUSTMENT_LABELS[item.kind]}: {localized(item.title)}",
                item.max_points,
                str(SCORING_LABELS[item.scoring]),
                own(item) if is_scored_by_unit else None,
                appraised_by_code.get(item.code) if is_scored_by_unit else None,
                *_evidence_cells(score),
            ]
        )
    return table_of_rows(assessment.unit.code, f"{assessment.unit.code} {assessment.unit.name}", columns, rows)


def _evidence_cells(score: SelfScore | None) -> list[str | None]:
    """The titles of the evidence a unit cited for an item, and its reason where it cited none."""
    if score is None:
        return [None, None]
    return ["; ".join(file.title for file in score.evidence) or None, score.no_evidence_reason or None]


def round_scoring_tables(assessment_round: AssessmentRound) -> list[Table]:
    """The round's workbook: the summary by unit (points self-assessed and appraised out of the
    self-assessed items' maximum), then each unit's scoring table on its own sheet."""
    assessments = get_round_assessments(assessment_round)
    columns = [
        Column(_("Mã đơn vị")),
        Column(_("Đơn vị")),
        Column(_("Điểm tối đa các tiêu chí tự chấm"), Kind.POINTS),
        Column(_("Điểm tự chấm"), Kind.POINTS),
        Column(_("Điểm thẩm định"), Kind.POINTS),
    ]
    summary = []
    for assessment in assessments:
        progress = get_progress(assessment)
        appraisal = get_appraisal_progress(assessment)
        summary.append(
            [
                assessment.unit.code,
                assessment.unit.name,
                progress.max_points,
                progress.points,
                appraisal.points if appraisal.done else None,
            ]
        )
    return [
        table_of_rows("tong-hop", _("Tổng hợp"), columns, summary),
        *(scoring_table(assessment) for assessment in assessments),
    ]


def round_file_name(assessment_round: AssessmentRound, what: str, today: dt.date) -> str:
    """``<round>_<what>_<yyyy-mm-dd>.xlsx``."""
    return f"{slug(assessment_round.name)}_{what}_{today:%Y-%m-%d}.xlsx"


def unit_file_name(assessment: SelfAssessment, today: dt.date) -> str:
    """``<round>_<unit code>-<unit>_bieu-diem_<yyyy-mm-dd>.xlsx``."""
    unit = assessment.unit
    return round_file_name(assessment.assessment_round, f"{unit.code}-{slug(unit.name)}_bieu-diem", today)
