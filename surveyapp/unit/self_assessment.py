"""A unit's self-assessment in a round: the page of its areas and items, saving an item, citing
again the evidence of earlier rounds, submitting.

The round in the address is looked up with the account's own unit: a round that does not
assess the unit, or does not exist, is unknown here (404) alike.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response as WerkzeugResponse

from surveyapp.auth.access import unit_account_required
from surveyapp.extensions import db
from surveyapp.models import RoundStage, SelfAssessment
from surveyapp.races import retried_after_a_race
from surveyapp.services.evidence import get_unit_evidence
from surveyapp.services.explanations import ExplanationError, check_explainable, explanations_by_code
from surveyapp.services.previous_evidence import carry_evidence_forward, get_previous_citations
from surveyapp.services.self_assessments import (
    STANDING_LABELS,
    ScoreDraft,
    SelfAssessmentError,
    check_editable,
    days_left,
    get_assessment,
    get_missing,
    get_progress,
    get_standing,
    save_score,
    scores_by_code,
    submit_self_assessment,
)
from surveyapp.services.unit_appraisals import (
    appraisals_by_code,
    appraised_points,
    get_appraised_total,
    get_first_appraisal_points,
)
from surveyapp.unit import bp
from surveyapp.unit.forms import ExplanationForm, ScoreForm


def loads_own_assessment(view: Callable[..., Any]) -> Callable[..., Any]:
    """Call the view with the account's unit's self-assessment in ``<int:round_id>``; 404 if none."""

    @wraps(view)
    def wrapped(*args: Any, round_id: int, **kwargs: Any) -> Any:
        assessment = get_assessment(round_id, current_user.assessed_unit_id)
        if assessment is None:
            abort(404)
        return view(*args, assessment=assessment, **kwargs)

    return wrapped


def score_forms(assessment: SelfAssessment, posted: dict[str, ScoreForm]) -> dict[str, ScoreForm]:
    """A form per self-assessed item, filled from what is stored; a form of ``posted`` (with what
    was typed and its errors) stands in for its item's."""
    scores = scores_by_code(assessment)
    forms = dict(posted)
    for item in assessment.assessment_round.criteria_set.definition.scored_by_units:
        if item.code in forms:
            continue
        score = scores.get(item.code)
        forms[item.code] = ScoreForm(
            formdata=None,
            prefix=item_prefix(item.code),
            points=_points_text(score.points) if score else "",
            explanation=score.explanation if score else "",
            evidence_ids=[file.id for file in score.evidence] if score else [],
            no_evidence_reason=score.no_evidence_reason if score else "",
        )
    return forms


def item_prefix(code: str) -> str:
    return f"item-{code}-"


def _points_text(points: float | None) -> str:
    return "" if points is None else f"{points:g}"


def explanation_forms(assessment: SelfAssessment, posted: dict[str, ExplanationForm]) -> dict[str, ExplanationForm]:
    """A form per self-assessed item to explain it, filled from the explanation stored; a form
    of ``posted`` (with what was typed and its errors) stands in for its item's."""
    explanations = explanations_by_code(assessment)
    forms = dict(posted)
    for item in assessment.assessment_round.criteria_set.definition.scored_by_units:
        if item.code in forms:
            continue
        explanation = explanations.get(item.code)
        forms[item.code] = ExplanationForm(
            formdata=None,
            prefix=explanation_prefix(item.code),
            points=_points_text(explanation.proposed_points) if explanation else "",
            text=explanation.text if explanation else "",
            evidence_ids=[file.id for file in explanation.evidence] if explanation else [],
        )
    return forms


def explanation_prefix(code: str) -> str:
    return f"explain-{code}-"


def assessment_page(
    assessment: SelfAssessment,
    *,
    typing_in: bool,
    posted: dict[str, ScoreForm] | None = None,
    posted_explanations: dict[str, ExplanationForm] | None = None,
) -> dict[str, Any]:
    """What the unit's page and the officer's page of a self-assessment show; ``posted`` and
    ``posted_explanations`` map an item refused to its form as typed. The appraisal's points
    and reasons show once appraisal 1 of the unit is finished; the unit (not the officer, who
    is ``typing_in`` one the unit sent on paper) explains items while its explanation is open; the
    final points show once the round's appraisal is closed."""
    definition = assessment.assessment_round.criteria_set.definition
    try:
        check_editable(assessment, typing_in=typing_in)
    except SelfAssessmentError as error:
        locked = str(error)
    else:
        locked = None
    stage = assessment.assessment_round.stage
    try:
        check_explainable(assessment, typing_in=typing_in)
    except ExplanationError as error:
        explanation_locked = str(error)
    else:
        explanation_locked = None
    is_explaining = explanation_locked is None
    return {
        "assessment": assessment,
        "definition": definition,
        "progress": get_progress(assessment),
        "area_progress": {area.code: get_progress(assessment, area) for area in definition.areas},
        "missing": get_missing(assessment),
        "scores": scores_by_code(assessment),
        "forms": score_forms(assessment, posted or {}),
        "evidence_files": get_unit_evidence(assessment.unit),
        "locked": locked,
        "days_left": days_left(assessment),
        "standing": get_standing(assessment),
        "standing_labels": STANDING_LABELS,
        # The unit's own earlier citations, offered to the unit only (an officer types in a paper one).
        "previous": get_previous_citations(assessment) if not typing_in and locked is None else {},
        "appraisal_1_points": get_first_appraisal_points(assessment) if assessment.appraisal_finished_at else None,
        "appraised": appraisals_by_code(assessment) if assessment.appraisal_finished_at else {},
        "explanations": explanations_by_code(assessment),
        "explanation_locked": explanation_locked if stage is RoundStage.EXPLANATION else None,
        "is_explaining": is_explaining,
        # Where an item's explanation is saved and dropped: the officer's own routes when typing in.
        "explain_endpoint": "admin.type_in_explanation" if typing_in else "unit.explain_item",
        "unexplain_endpoint": "admin.remove_typed_in_explanation" if typing_in else "unit.remove_item_explanation",
        "explanation_forms": explanation_forms(assessment, posted_explanations or {})
        if is_explaining
        else dict(posted_explanations or {}),
        "final": appraised_points(assessment) if stage is RoundStage.CLOSED else {},
        "final_total": get_appraised_total(assessment),
    }


def draft_of(form: ScoreForm) -> ScoreDraft:
    """What was typed for an item: the files ticked and the one added from the list are cited."""
    added = (int(form.add_evidence_id.data),) if form.add_evidence_id.data else ()
    return ScoreDraft(
        points=form.points.data or "",
        explanation=form.explanation.data or "",
        evidence_ids=(*(form.evidence_ids.data or ()), *added),
        no_evidence_reason=form.no_evidence_reason.data or "",
    )


@bp.route("/rounds/<int:round_id>")
@unit_account_required
@loads_own_assessment
def self_assessment(assessment: SelfAssessment) -> str:
    """The unit's self-assessment: progress, what is missing, and a form per item."""
    return render_template("unit/self_assessment.html", page=assessment_page(assessment, typing_in=False))


@bp.post("/rounds/<int:round_id>/items/<code>")
@unit_account_required
@loads_own_assessment
def save_item(assessment: SelfAssessment, code: str) -> str | WerkzeugResponse:
    """Save one item; refused, the page comes back with what was typed and the reason."""
    form = ScoreForm(prefix=item_prefix(code))
    if form.validate_on_submit():
        try:
            retried_after_a_race(lambda: save_score(assessment, code, draft_of(form)))
        except SelfAssessmentError as error:
            db.session.rollback()
            form.form_errors.append(str(error))
        else:
            db.session.commit()
            flash(_("Đã lưu tiêu chí %(code)s.", code=code), "success")
            return redirect(url_for(".self_assessment", round_id=assessment.round_id, _anchor=f"item-{code}"))
    flash(_("Tiêu chí %(code)s chưa được lưu; xem lỗi bên dưới.", code=code), "error")
    return render_template(
        "unit/self_assessment.html", page=assessment_page(assessment, typing_in=False, posted={code: form})
    )


@bp.post("/rounds/<int:round_id>/carry-evidence")
@bp.post("/rounds/<int:round_id>/items/<code>/carry-evidence")
@unit_account_required
@loads_own_assessment
def carry_evidence(assessment: SelfAssessment, code: str | None = None) -> WerkzeugResponse:
    """Cite again the evidence of the unit's earlier rounds, for one item or all of them."""
    try:
        carried = retried_after_a_race(lambda: carry_evidence_forward(assessment, code))
    except SelfAssessmentError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(
            _(
                "Đã dùng lại %(files)d tài liệu kiểm chứng năm trước cho %(items)d tiêu chí.",
                files=sum(len(ids) for ids in carried.values()),
                items=len(carried),
            ),
            "success",
        )
    anchor = f"item-{code}" if code is not None else None
    return redirect(url_for(".self_assessment", round_id=assessment.round_id, _anchor=anchor))


@bp.post("/rounds/<int:round_id>/submit")
@unit_account_required
@loads_own_assessment
def submit_assessment(assessment: SelfAssessment) -> WerkzeugResponse:
    """Submit the self-assessment, which locks it."""
    try:
        submit_self_assessment(assessment)
    except SelfAssessmentError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(_("Đã gửi bản tự đánh giá. Bản tự đánh giá không còn sửa được."), "success")
    return redirect(url_for(".self_assessment", round_id=assessment.round_id))
