"""Officers' PAR assessment rounds: the list, creating one, its page, moving it to another
version of its set, opening self-assessment, assigning appraisers (and taking an assignment
away), opening appraisal, opening the explanation, opening appraisal 2, closing the appraisal."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response as WerkzeugResponse

from surveyapp.admin import bp
from surveyapp.admin.forms import AssignAppraiserForm, ExplanationDueForm, MoveRoundForm, RoundForm
from surveyapp.admin.loading import loads_round
from surveyapp.auth.access import officer_required
from surveyapp.extensions import db
from surveyapp.i18n import localized
from surveyapp.models import AppraiserAssignment, AssessmentRound, RoundStage, Unit, User
from surveyapp.services.assessment_rounds import (
    STAGE_LABELS,
    RoundDraft,
    RoundError,
    close_appraisal,
    create_round,
    get_assessed_units,
    get_rounds,
    move_round,
    open_appraisal,
    open_appraisal_2,
    open_explanation,
    open_self_assessment,
)
from surveyapp.services.audit import local_time
from surveyapp.services.criteria_sets import get_criteria_sets, get_other_versions
from surveyapp.services.explanations import get_explanation_progress
from surveyapp.services.reminders import deadline_phrase, get_missing_units, reminder_text
from surveyapp.services.responses import local_today
from surveyapp.services.self_assessments import STANDING_LABELS, get_progress, get_round_assessments, get_standing
from surveyapp.services.unit_appraisals import (
    APPRAISAL_STANDING_LABELS,
    AppraisalError,
    assign_appraiser,
    get_appraisal_progress,
    get_assignments,
    unassign_appraiser,
)
from surveyapp.services.units import get_unit_tree
from surveyapp.services.users import get_appraisers


def assign_form(assessment_round: AssessmentRound) -> AssignAppraiserForm:
    """The form assigning an appraiser to one of the round's frozen units (and an area or all)."""
    definition = assessment_round.criteria_set.definition
    return AssignAppraiserForm(
        appraisers=get_appraisers(),
        units=[assessment.unit for assessment in get_round_assessments(assessment_round)],
        areas=[(area.code, f"{area.code}. {localized(area.title)}") for area in definition.areas],
    )


@bp.route("/rounds")
@officer_required
def rounds() -> str:
    return render_template("admin/rounds.html", rounds=get_rounds(), stage_labels=STAGE_LABELS)


@bp.route("/rounds/new", methods=["GET", "POST"])
@officer_required
def new_round() -> str | WerkzeugResponse:
    form = RoundForm(criteria_sets=get_criteria_sets(), unit_tree=get_unit_tree())
    if not form.is_submitted():
        form.year.data = local_today().year
    if form.validate_on_submit():
        draft = RoundDraft(
            name=form.name.data,
            year=form.year.data,
            criteria_set_id=form.criteria_set_id.data,
            parent_unit_id=form.parent_unit_id.data,
            self_assessment_opens_on=form.self_assessment_opens_on.data,
            self_assessment_due_on=form.self_assessment_due_on.data,
        )
        try:
            assessment_round = create_round(draft)
        except RoundError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
            flash(_("Đã tạo kỳ đánh giá. Kiểm tra lại rồi bấm «Mở tự đánh giá» để các đơn vị bắt đầu."), "success")
            return redirect(url_for(".assessment_round", round_id=assessment_round.id))
    return render_template("admin/round_form.html", form=form)


@bp.route("/rounds/<int:round_id>")
@officer_required
@loads_round
def assessment_round(assessment_round: AssessmentRound) -> str:
    """The round; its units as they would be frozen while it is prepared, then each unit's self-assessment."""
    assessments = get_round_assessments(assessment_round)
    return render_template(
        "admin/round.html",
        assessment_round=assessment_round,
        assessed_units=[]
        if assessments
        else get_assessed_units(assessment_round.criteria_set, assessment_round.parent_unit),
        assessments=[
            (assessment, get_standing(assessment), get_progress(assessment), get_appraisal_progress(assessment))
            for assessment in assessments
        ],
        standing_labels=STANDING_LABELS,
        appraisal_labels=APPRAISAL_STANDING_LABELS,
        missing_units=get_missing_units(assessment_round)
        if assessment_round.stage is RoundStage.SELF_ASSESSMENT
        else [],
        reminder_text=reminder_text,
        deadline_phrase=deadline_phrase,
        local_time=local_time,
        assignments=get_assignments(assessment_round),
        assign_form=assign_form(assessment_round),
        move_form=MoveRoundForm(versions=get_other_versions(assessment_round.criteria_set)),
        explanation_form=ExplanationDueForm(formdata=None),
        explanations={assessment.id: get_explanation_progress(assessment) for assessment in assessments}
        if assessment_round.explanation_due_on
        else {},
        stage_labels=STAGE_LABELS,
    )


@bp.route("/rounds/<int:round_id>/move", methods=["POST"])
@officer_required
@loads_round
def move_assessment_round(assessment_round: AssessmentRound) -> WerkzeugResponse:
    versions = get_other_versions(assessment_round.criteria_set)
    form = MoveRoundForm(versions=versions)
    if not form.validate_on_submit():
        for error in form.criteria_set_id.errors:
            flash(str(error), "error")
        return redirect(url_for(".assessment_round", round_id=assessment_round.id))
    target = next(version for version in versions if version.id == form.criteria_set_id.data)
    try:
        move_round(assessment_round, target)
    except RoundError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(
            _("Kỳ đánh giá đã chuyển sang %(code)s phiên bản %(version)d.", code=target.code, version=target.version),
            "success",
        )
    return redirect(url_for(".assessment_round", round_id=assessment_round.id))


@bp.route("/rounds/<int:round_id>/open", methods=["POST"])
@officer_required
@loads_round
def open_assessment_round(assessment_round: AssessmentRound) -> WerkzeugResponse:
    try:
        open_self_assessment(assessment_round)
    except RoundError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(_("Đã mở tự đánh giá. Bộ chỉ số của kỳ đánh giá không còn thay đổi được."), "success")
    return redirect(url_for(".assessment_round", round_id=assessment_round.id))


@bp.post("/rounds/<int:round_id>/appraisers")
@officer_required
@loads_round
def assign_round_appraiser(assessment_round: AssessmentRound) -> WerkzeugResponse:
    """Assign an appraiser to a unit of the round, for one area or all."""
    form = assign_form(assessment_round)
    if not form.validate_on_submit():
        for field in (form.appraiser_id, form.unit_id, form.area_code):
            for error in field.errors:
                flash(str(error), "error")
        return redirect(url_for(".assessment_round", round_id=assessment_round.id, _anchor="appraisers"))
    appraiser = db.session.get(User, form.appraiser_id.data)
    unit = db.session.get(Unit, form.unit_id.data)
    try:
        assign_appraiser(assessment_round, appraiser, unit, form.area_code.data or None)
    except AppraisalError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(_("Đã phân công %(name)s thẩm định %(unit)s.", name=appraiser.full_name, unit=unit.name), "success")
    return redirect(url_for(".assessment_round", round_id=assessment_round.id, _anchor="appraisers"))


@bp.post("/rounds/<int:round_id>/appraisers/<int:assignment_id>/delete")
@officer_required
@loads_round
def unassign_round_appraiser(assessment_round: AssessmentRound, assignment_id: int) -> WerkzeugResponse:
    """Take an appraiser's assignment in the round away; refused once they appraised under it."""
    assignment = db.session.get(AppraiserAssignment, assignment_id)
    if assignment is None or assignment.round_id != assessment_round.id:
        abort(404)
    name, unit = assignment.appraiser.full_name, assignment.unit.name
    try:
        unassign_appraiser(assignment)
    except AppraisalError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(_("Đã bỏ phân công %(name)s thẩm định %(unit)s.", name=name, unit=unit), "success")
    return redirect(url_for(".assessment_round", round_id=assessment_round.id, _anchor="appraisers"))


@bp.post("/rounds/<int:round_id>/open-appraisal")
@officer_required
@loads_round
def open_round_appraisal(assessment_round: AssessmentRound) -> WerkzeugResponse:
    try:
        open_appraisal(assessment_round)
    except RoundError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(_("Đã mở thẩm định. Bản tự đánh giá của các đơn vị không còn sửa được."), "success")
    return redirect(url_for(".assessment_round", round_id=assessment_round.id))


@bp.post("/rounds/<int:round_id>/open-explanation")
@officer_required
@loads_round
def open_round_explanation(assessment_round: AssessmentRound) -> WerkzeugResponse:
    """Open the units' explanation until the due date chosen."""
    form = ExplanationDueForm()
    if not form.validate_on_submit():
        for error in form.explanation_due_on.errors:
            flash(str(error), "error")
        return redirect(url_for(".assessment_round", round_id=assessment_round.id))
    try:
        open_explanation(assessment_round, form.explanation_due_on.data)
    except RoundError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(_("Đã mở giải trình. Các đơn vị xem được kết quả thẩm định lần 1 và giải trình đến hạn."), "success")
    return redirect(url_for(".assessment_round", round_id=assessment_round.id))


@bp.post("/rounds/<int:round_id>/open-appraisal-2")
@officer_required
@loads_round
def open_round_appraisal_2(assessment_round: AssessmentRound) -> WerkzeugResponse:
    try:
        open_appraisal_2(assessment_round)
    except RoundError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(_("Đã mở thẩm định lần 2. Giải trình của các đơn vị không còn sửa được."), "success")
    return redirect(url_for(".assessment_round", round_id=assessment_round.id))


@bp.post("/rounds/<int:round_id>/close-appraisal")
@officer_required
@loads_round
def close_round_appraisal(assessment_round: AssessmentRound) -> WerkzeugResponse:
    try:
        close_appraisal(assessment_round)
    except RoundError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(_("Đã kết thúc thẩm định. Điểm thẩm định của các đơn vị là điểm cuối cùng."), "success")
    return redirect(url_for(".assessment_round", round_id=assessment_round.id))
