"""An appraiser's pages: the units assigned, a unit's appraisal 1 beside its self-assessment,
appraising an item, finishing, appraisal 2 of the items the unit explained, and the evidence
the unit cited.

A unit the appraiser is not assigned to in the round is unknown here (404), whether or not it
exists; an item of an area not assigned is refused by ``appraise_item`` with its message.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Response, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response as WerkzeugResponse

from surveyapp.appraise import bp
from surveyapp.appraise.forms import ACCEPT, CHANGE, AppraisalForm, ReappraisalForm
from surveyapp.auth.access import appraiser_required
from surveyapp.extensions import db
from surveyapp.models import EvidenceFile, Reappraisal, SelfAssessment
from surveyapp.races import retried_after_a_race
from surveyapp.services.assessment_rounds import STAGE_LABELS
from surveyapp.services.explanations import (
    REAPPRAISAL_LABELS,
    ExplanationError,
    ReappraisalDraft,
    check_reappraisable,
    explanations_by_code,
    get_undecided,
    reappraise_item,
)
from surveyapp.services.self_assessments import get_assessment, get_progress, scores_by_code
from surveyapp.services.unit_appraisals import (
    APPRAISAL_STANDING_LABELS,
    AppraisalDraft,
    AppraisalError,
    appraisals_by_code,
    appraise_item,
    check_appraisable,
    finish_appraisal,
    get_appraisal_progress,
    get_appraiser_assessments,
    get_assigned_areas,
    get_unappraised,
    is_cited_for,
)
from surveyapp.unit.evidence import send_evidence


def loads_assigned_assessment(view: Callable[..., Any]) -> Callable[..., Any]:
    """Call the view with the self-assessment of ``<int:unit_id>`` in ``<int:round_id>`` if the
    appraiser is assigned to it; 404 otherwise."""

    @wraps(view)
    def wrapped(*args: Any, round_id: int, unit_id: int, **kwargs: Any) -> Any:
        assessment = get_assessment(round_id, unit_id)
        if assessment is None or not get_assigned_areas(current_user, assessment):
            abort(404)
        return view(*args, assessment=assessment, **kwargs)

    return wrapped


def item_prefix(code: str) -> str:
    return f"item-{code}-"


def reappraisal_prefix(code: str) -> str:
    return f"reappraise-{code}-"


def reappraisal_forms(assessment: SelfAssessment, posted: dict[str, ReappraisalForm]) -> dict[str, ReappraisalForm]:
    """A form per explained item, filled from appraisal 2's decision so far; a form of ``posted``
    (with what was typed and its errors) stands in for its item's."""
    forms = dict(posted)
    for code, explanation in explanations_by_code(assessment).items():
        if code not in forms:
            forms[code] = ReappraisalForm(
                formdata=None,
                prefix=reappraisal_prefix(code),
                decision=(explanation.decision or Reappraisal.ACCEPTED).value,
                points="" if explanation.decision is not Reappraisal.CHANGED else f"{explanation.decided_points:g}",
                reason=explanation.decision_reason,
            )
    return forms


def appraisal_page(
    assessment: SelfAssessment,
    posted: dict[str, AppraisalForm] | None = None,
    posted_reappraisals: dict[str, ReappraisalForm] | None = None,
) -> dict[str, Any]:
    """What an appraiser's page of a unit shows; ``posted`` and ``posted_reappraisals`` map an
    item refused to its form as typed. The forms of appraisal 2 show while the round is in it;
    the reason an item was refused shows either way."""
    appraised = appraisals_by_code(assessment)
    forms = dict(posted or {})
    for item in assessment.assessment_round.criteria_set.definition.scored_by_units:
        if item.code not in forms:
            score = appraised.get(item.code)
            forms[item.code] = AppraisalForm(
                formdata=None,
                prefix=item_prefix(item.code),
                decision=ACCEPT if score is None or not score.reason else CHANGE,
                points="" if score is None else f"{score.points:g}",
                reason="" if score is None else score.reason,
            )
    try:
        check_appraisable(assessment)
    except AppraisalError as error:
        locked = str(error)
    else:
        locked = None
    areas = get_assigned_areas(current_user, assessment)
    try:
        check_reappraisable(assessment)
    except ExplanationError:
        is_reappraising = False
    else:
        is_reappraising = True
    return {
        "assessment": assessment,
        "definition": assessment.assessment_round.criteria_set.definition,
        "scores": scores_by_code(assessment),
        "appraised": appraised,
        "forms": forms,
        "locked": locked,
        "progress": get_progress(assessment),
        "appraisal": get_appraisal_progress(assessment),
        "unappraised": get_unappraised(assessment),
        "assigned_areas": None if None in areas else areas,
        "standing_labels": APPRAISAL_STANDING_LABELS,
        "explanations": explanations_by_code(assessment),
        "is_reappraising": is_reappraising,
        "reappraisal_forms": reappraisal_forms(assessment, posted_reappraisals or {})
        if is_reappraising
        else dict(posted_reappraisals or {}),
        "undecided": get_undecided(assessment),
        "reappraisal_labels": REAPPRAISAL_LABELS,
    }


@bp.route("/")
@appraiser_required
def home() -> str:
    """The units assigned to the appraiser, with how far their appraisal is (and, in appraisal 2,
    the explained items left to decide)."""
    assessments = get_appraiser_assessments(current_user)
    return render_template(
        "appraise/home.html",
        assessments=[(assessment, get_appraisal_progress(assessment)) for assessment in assessments],
        standing_labels=APPRAISAL_STANDING_LABELS,
        stage_labels=STAGE_LABELS,
        undecided={assessment.id: len(get_undecided(assessment)) for assessment in assessments},
    )


@bp.route("/rounds/<int:round_id>/units/<int:unit_id>")
@appraiser_required
@loads_assigned_assessment
def unit_appraisal(assessment: SelfAssessment) -> str:
    """The unit's points, explanation and evidence per item, beside the appraisal's fields."""
    return render_template("appraise/unit.html", page=appraisal_page(assessment))


@bp.post("/rounds/<int:round_id>/units/<int:unit_id>/items/<code>")
@appraiser_required
@loads_assigned_assessment
def appraise(assessment: SelfAssessment, code: str) -> str | WerkzeugResponse:
    """Appraise one item; refused, the page comes back with what was typed and the reason."""
    form = AppraisalForm(prefix=item_prefix(code))
    if form.validate_on_submit():
        draft = AppraisalDraft(
            is_accepted=form.decision.data == ACCEPT, points=form.points.data or "", reason=form.reason.data or ""
        )
        try:
            retried_after_a_race(lambda: appraise_item(assessment, code, current_user, draft))
        except AppraisalError as error:
            db.session.rollback()
            form.form_errors.append(str(error))
        else:
            db.session.commit()
            flash(_("Đã lưu kết quả thẩm định tiêu chí %(code)s.", code=code), "success")
            return redirect(
                url_for(
                    ".unit_appraisal", round_id=assessment.round_id, unit_id=assessment.unit_id, _anchor=f"item-{code}"
                )
            )
    flash(_("Kết quả thẩm định tiêu chí %(code)s chưa được lưu; xem lỗi bên dưới.", code=code), "error")
    return render_template("appraise/unit.html", page=appraisal_page(assessment, posted={code: form}))


@bp.post("/rounds/<int:round_id>/units/<int:unit_id>/finish")
@appraiser_required
@loads_assigned_assessment
def finish(assessment: SelfAssessment) -> WerkzeugResponse:
    """Declare the unit's appraisal 1 finished."""
    try:
        finish_appraisal(assessment, current_user)
    except AppraisalError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        message = _("Đã hoàn thành thẩm định lần 1 của %(unit)s. Đơn vị xem được kết quả.", unit=assessment.unit.name)
        flash(message, "success")
    return redirect(url_for(".unit_appraisal", round_id=assessment.round_id, unit_id=assessment.unit_id))


@bp.post("/rounds/<int:round_id>/units/<int:unit_id>/items/<code>/reappraise")
@appraiser_required
@loads_assigned_assessment
def reappraise(assessment: SelfAssessment, code: str) -> str | WerkzeugResponse:
    """Decide one explained item in appraisal 2; refused, the page comes back with what was typed and the reason."""
    form = ReappraisalForm(prefix=reappraisal_prefix(code))
    if form.validate_on_submit():
        draft = ReappraisalDraft(
            decision=Reappraisal(form.decision.data), points=form.points.data or "", reason=form.reason.data or ""
        )
        try:
            reappraise_item(assessment, code, current_user, draft)
        except ExplanationError as error:
            db.session.rollback()
            form.form_errors.append(str(error))
        else:
            db.session.commit()
            flash(_("Đã lưu kết quả thẩm định lần 2 tiêu chí %(code)s.", code=code), "success")
            return redirect(
                url_for(
                    ".unit_appraisal", round_id=assessment.round_id, unit_id=assessment.unit_id, _anchor=f"item-{code}"
                )
            )
    flash(_("Kết quả thẩm định lần 2 tiêu chí %(code)s chưa được lưu; xem lỗi bên dưới.", code=code), "error")
    return render_template("appraise/unit.html", page=appraisal_page(assessment, posted_reappraisals={code: form}))


@bp.route("/evidence/<int:evidence_id>")
@appraiser_required
def download_evidence(evidence_id: int) -> Response:
    """A file cited by a unit the appraiser is assigned to, as a download; 404 for any other."""
    evidence = db.session.get(EvidenceFile, evidence_id)
    if evidence is None or not is_cited_for(current_user, evidence):
        abort(404)
    return send_evidence(evidence)
