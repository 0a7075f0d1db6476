"""A unit's explanation (*giải trình*) after appraisal 1: explaining an item, dropping an item's
explanation, submitting the explanation (or declaring there is none). The page is the unit's
round page."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response as WerkzeugResponse

from surveyapp.auth.access import unit_account_required
from surveyapp.extensions import db
from surveyapp.models import SelfAssessment
from surveyapp.services.explanations import (
    ExplanationDraft,
    ExplanationError,
    remove_explanation,
    save_explanation,
    submit_explanation,
)
from surveyapp.unit import bp
from surveyapp.unit.forms import ExplanationForm
from surveyapp.unit.self_assessment import assessment_page, explanation_prefix, loads_own_assessment


def explanation_draft_of(form: ExplanationForm) -> ExplanationDraft:
    """What was typed to explain an item: the points proposed, the text and the files ticked."""
    return ExplanationDraft(
        points=form.points.data or "", text=form.text.data or "", evidence_ids=tuple(form.evidence_ids.data or ())
    )


@bp.post("/rounds/<int:round_id>/explanations/<code>")
@unit_account_required
@loads_own_assessment
def explain_item(assessment: SelfAssessment, code: str) -> str | WerkzeugResponse:
    """Save the explanation of one item; refused, the page comes back with what was typed and the reason."""
    form = ExplanationForm(prefix=explanation_prefix(code))
    if form.validate_on_submit():
        try:
            save_explanation(assessment, code, explanation_draft_of(form))
        except ExplanationError as error:
            db.session.rollback()
            form.form_errors.append(str(error))
        else:
            db.session.commit()
            flash(_("Đã lưu giải trình tiêu chí %(code)s.", code=code), "success")
            return redirect(url_for(".self_assessment", round_id=assessment.round_id, _anchor=f"item-{code}"))
    flash(_("Giải trình tiêu chí %(code)s chưa được lưu; xem lỗi bên dưới.", code=code), "error")
    page = assessment_page(assessment, typing_in=False, posted_explanations={code: form})
    return render_template("unit/self_assessment.html", page=page)


@bp.post("/rounds/<int:round_id>/explanations/<code>/remove")
@unit_account_required
@loads_own_assessment
def remove_item_explanation(assessment: SelfAssessment, code: str) -> WerkzeugResponse:
    """Drop the explanation of one item: it keeps appraisal 1's points."""
    try:
        remove_explanation(assessment, code)
    except ExplanationError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(_("Đã bỏ giải trình tiêu chí %(code)s.", code=code), "success")
    return redirect(url_for(".self_assessment", round_id=assessment.round_id, _anchor=f"item-{code}"))


@bp.post("/rounds/<int:round_id>/explanation/submit")
@unit_account_required
@loads_own_assessment
def submit_unit_explanation(assessment: SelfAssessment) -> WerkzeugResponse:
    """Submit the explanation, or declare there is none; either locks it."""
    try:
        submit_explanation(assessment)
    except ExplanationError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        if assessment.explanations:
            flash(_("Đã gửi giải trình. Giải trình không còn sửa được."), "success")
        else:
            flash(_("Đã xác nhận đơn vị không có giải trình."), "success")
    return redirect(url_for(".self_assessment", round_id=assessment.round_id))
