"""Officers and units' self-assessments: one unit's self-assessment in a round, returning a
submitted one for changes, and typing in one received on paper or as a signed file, or an
explanation the unit sent on paper after appraisal 1."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response as WerkzeugResponse

from surveyapp.admin import bp
from surveyapp.admin.loading import loads_self_assessment
from surveyapp.auth.access import officer_required
from surveyapp.extensions import db
from surveyapp.models import SelfAssessment
from surveyapp.races import retried_after_a_race
from surveyapp.services.explanations import (
    ExplanationError,
    remove_explanation,
    save_explanation,
    submit_explanation,
)
from surveyapp.services.self_assessments import (
    SelfAssessmentError,
    return_self_assessment,
    save_score,
    submit_self_assessment,
)
from surveyapp.unit.explanation import explanation_draft_of
from surveyapp.unit.forms import ExplanationForm, ExplanationTypedInForm, ReturnForm, ScoreForm, TypedInForm
from surveyapp.unit.self_assessment import assessment_page, draft_of, explanation_prefix, item_prefix


def _render(
    assessment: SelfAssessment,
    posted: dict[str, ScoreForm] | None = None,
    posted_explanations: dict[str, ExplanationForm] | None = None,
) -> str:
    return render_template(
        "admin/self_assessment.html",
        page=assessment_page(assessment, typing_in=True, posted=posted, posted_explanations=posted_explanations),
        return_form=ReturnForm(formdata=None),
        type_in_form=TypedInForm(formdata=None),
        explanation_form=ExplanationTypedInForm(formdata=None),
    )


def _to_page(assessment: SelfAssessment, anchor: str | None = None) -> WerkzeugResponse:
    return redirect(
        url_for(".self_assessment", round_id=assessment.round_id, unit_id=assessment.unit_id, _anchor=anchor)
    )


@bp.route("/rounds/<int:round_id>/units/<int:unit_id>")
@officer_required
@loads_self_assessment
def self_assessment(assessment: SelfAssessment) -> str:
    """A unit's self-assessment: its points, evidence and progress; forms to type it in or return it."""
    return _render(assessment)


@bp.post("/rounds/<int:round_id>/units/<int:unit_id>/items/<code>")
@officer_required
@loads_self_assessment
def type_in_item(assessment: SelfAssessment, code: str) -> str | WerkzeugResponse:
    """Type in one item of a self-assessment received on paper (the due date does not hold the officer)."""
    form = ScoreForm(prefix=item_prefix(code))
    if form.validate_on_submit():
        try:
            retried_after_a_race(lambda: save_score(assessment, code, draft_of(form), typing_in=True))
        except SelfAssessmentError as error:
            db.session.rollback()
            form.form_errors.append(str(error))
        else:
            db.session.commit()
            flash(_("Đã lưu tiêu chí %(code)s.", code=code), "success")
            return _to_page(assessment, f"item-{code}")
    flash(_("Tiêu chí %(code)s chưa được lưu; xem lỗi bên dưới.", code=code), "error")
    return _render(assessment, posted={code: form})


@bp.post("/rounds/<int:round_id>/units/<int:unit_id>/submit")
@officer_required
@loads_self_assessment
def type_in_submit(assessment: SelfAssessment) -> WerkzeugResponse:
    """Submit a typed-in self-assessment on the unit's behalf, with a note of how it was received."""
    form = TypedInForm()  # CSRFProtect has checked the request's token
    try:
        submit_self_assessment(assessment, typed_in_by=current_user, note=form.note.data or "")
    except SelfAssessmentError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(_("Đã ghi nhận bản tự đánh giá nhập hộ của %(unit)s.", unit=assessment.unit.name), "success")
    return _to_page(assessment)


@bp.post("/rounds/<int:round_id>/units/<int:unit_id>/return")
@officer_required
@loads_self_assessment
def return_assessment(assessment: SelfAssessment) -> WerkzeugResponse:
    """Give a submitted self-assessment back to its unit for changes, with the reason."""
    form = ReturnForm()
    try:
        return_self_assessment(assessment, form.reason.data or "")
    except SelfAssessmentError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(_("Đã trả lại bản tự đánh giá cho %(unit)s để sửa.", unit=assessment.unit.name), "success")
    return _to_page(assessment)


@bp.post("/rounds/<int:round_id>/units/<int:unit_id>/explanations/<code>")
@officer_required
@loads_self_assessment
def type_in_explanation(assessment: SelfAssessment, code: str) -> str | WerkzeugResponse:
    """Type in the explanation of one item the unit sent on paper (the unit's own rules hold)."""
    form = ExplanationForm(prefix=explanation_prefix(code))
    if form.validate_on_submit():
        try:
            save_explanation(assessment, code, explanation_draft_of(form), typed_in_by=current_user)
        except ExplanationError as error:
            db.session.rollback()
            form.form_errors.append(str(error))
        else:
            db.session.commit()
            flash(_("Đã lưu giải trình tiêu chí %(code)s.", code=code), "success")
            return _to_page(assessment, f"item-{code}")
    flash(_("Giải trình tiêu chí %(code)s chưa được lưu; xem lỗi bên dưới.", code=code), "error")
    return _render(assessment, posted_explanations={code: form})


@bp.post("/rounds/<int:round_id>/units/<int:unit_id>/explanations/<code>/remove")
@officer_required
@loads_self_assessment
def remove_typed_in_explanation(assessment: SelfAssessment, code: str) -> WerkzeugResponse:
    """Drop the explanation of one item typed in by mistake: it keeps appraisal 1's points."""
    try:
        remove_explanation(assessment, code, typing_in=True)
    except ExplanationError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(_("Đã bỏ giải trình tiêu chí %(code)s.", code=code), "success")
    return _to_page(assessment, f"item-{code}")


@bp.post("/rounds/<int:round_id>/units/<int:unit_id>/explanation/submit")
@officer_required
@loads_self_assessment
def type_in_explanation_submit(assessment: SelfAssessment) -> WerkzeugResponse:
    """Submit a typed-in explanation (or the unit's word that it has none) on the unit's behalf,
    with a note of how it was received."""
    form = ExplanationTypedInForm()  # CSRFProtect has checked the request's token
    try:
        submit_explanation(assessment, typed_in_by=current_user, note=form.note.data or "")
    except ExplanationError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(_("Đã ghi nhận giải trình nhập hộ của %(unit)s.", unit=assessment.unit.name), "success")
    return _to_page(assessment)
