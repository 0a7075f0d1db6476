"""Officers' reports of an assessment round: the departments answering for its items and each
one's items across the units, the gap report (page and workbook), and the scoring tables sent
upward (one unit's, or the whole round's workbook)."""

from __future__ import annotations

from flask import abort, render_template, request
from flask_babel import gettext as _
from werkzeug.wrappers import Response as WerkzeugResponse

from surveyapp.admin import bp
from surveyapp.admin.downloads import recorded_download, workbook_blocks
from surveyapp.admin.loading import loads_round, loads_self_assessment
from surveyapp.auth.access import officer_required
from surveyapp.models import AssessmentRound, SelfAssessment
from surveyapp.paging import Page
from surveyapp.services.responses import local_today
from surveyapp.services.round_gaps import (
    MISSING_LABELS,
    ROLE_LABELS,
    GapFilter,
    get_department_standings,
    get_department_summaries,
    get_gap_report,
    get_round_unit_kinds,
)
from surveyapp.services.round_tables import (
    gap_report_table,
    round_file_name,
    round_scoring_tables,
    scoring_table,
    source_label,
    unit_file_name,
)


@bp.route("/rounds/<int:round_id>/departments")
@officer_required
@loads_round
def round_departments(assessment_round: AssessmentRound) -> str:
    """The departments the round's set names, each with its items' points lost and missing evidence."""
    return render_template(
        "admin/round_departments.html",
        assessment_round=assessment_round,
        summaries=get_department_summaries(assessment_round),
    )


@bp.route("/rounds/<int:round_id>/departments/<int:number>")
@officer_required
@loads_round
def round_department(assessment_round: AssessmentRound, number: int) -> str:
    """One department's items across the round's units (``number``: its place in the set's list, from 1)."""
    departments = assessment_round.criteria_set.definition.departments
    if not 1 <= number <= len(departments):
        abort(404)
    department = departments[number - 1]
    return render_template(
        "admin/round_department.html",
        assessment_round=assessment_round,
        department=department,
        rows=get_department_standings(assessment_round, department),
        role_labels=ROLE_LABELS,
        missing_labels=MISSING_LABELS,
        source_label=source_label,
    )


@bp.route("/rounds/<int:round_id>/gaps")
@officer_required
@loads_round
def round_gaps(assessment_round: AssessmentRound) -> str:
    """The gap report: the items on which units lose points, most first, with the leading
    department, a page at a time, for the units of one kind or the items of one area if asked."""
    kinds = get_round_unit_kinds(assessment_round)
    areas = assessment_round.criteria_set.definition.areas
    kind, area = request.args.get("kind") or None, request.args.get("area") or None
    errors = []
    if kind is not None and kind not in kinds:
        errors.append(_("Kỳ đánh giá không có đơn vị loại “%(kind)s”; đang hiện mọi loại đơn vị.", kind=kind))
        kind = None
    if area is not None and area not in {node.code for node in areas}:
        errors.append(_("Bộ tiêu chí không có lĩnh vực mã “%(area)s”; đang hiện mọi lĩnh vực.", area=area))
        area = None
    gaps = GapFilter(kind, area).select(assessment_round, get_gap_report(assessment_round))
    return render_template(
        "admin/round_gaps.html",
        assessment_round=assessment_round,
        gaps=Page.of(gaps, "page"),
        total=len(gaps),
        kinds=kinds,
        areas=areas,
        chosen=GapFilter(kind, area),
        errors=errors,
        missing_labels=MISSING_LABELS,
        source_label=source_label,
    )


@bp.route("/rounds/<int:round_id>/gaps.xlsx")
@officer_required
@loads_round
def export_round_gaps(assessment_round: AssessmentRound) -> WerkzeugResponse:
    name = round_file_name(assessment_round, "diem-bi-mat", local_today())
    return recorded_download(None, name, workbook_blocks([gap_report_table(get_gap_report(assessment_round))]))


@bp.route("/rounds/<int:round_id>/scoring.xlsx")
@officer_required
@loads_round
def export_round_scoring(assessment_round: AssessmentRound) -> WerkzeugResponse:
    """The round's workbook sent upward: the summary by unit, then each unit's scoring table."""
    name = round_file_name(assessment_round, "bieu-diem", local_today())
    return recorded_download(None, name, workbook_blocks(round_scoring_tables(assessment_round)))


@bp.route("/rounds/<int:round_id>/units/<int:unit_id>/scoring.xlsx")
@officer_required
@loads_self_assessment
def export_unit_scoring(assessment: SelfAssessment) -> WerkzeugResponse:
    """One unit's scoring table: every item with its points self-assessed and appraised, and the evidence cited."""
    return recorded_download(
        None, unit_file_name(assessment, local_today()), workbook_blocks([scoring_table(assessment)])
    )
