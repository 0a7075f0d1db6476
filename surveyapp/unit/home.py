"""A unit account's home: its unit, and where its self-assessment work is."""

from __future__ import annotations

from flask import current_app, render_template
from flask_login import current_user

from surveyapp.auth.access import unit_account_required
from surveyapp.services.assessment_rounds import STAGE_LABELS
from surveyapp.services.evidence import get_unit_evidence, unit_evidence_bytes
from surveyapp.services.self_assessments import STANDING_LABELS, get_progress, get_standing, get_unit_assessments
from surveyapp.unit import bp


@bp.route("/")
@unit_account_required
def home() -> str:
    """The unit this account speaks for, its self-assessments, and how much evidence it has kept."""
    unit = current_user.assessed_unit
    assessments = get_unit_assessments(unit)
    return render_template(
        "unit/home.html",
        unit=unit,
        assessments=[(assessment, get_standing(assessment), get_progress(assessment)) for assessment in assessments],
        standing_labels=STANDING_LABELS,
        stage_labels=STAGE_LABELS,
        evidence_count=len(get_unit_evidence(unit)),
        used=unit_evidence_bytes(unit),
        total=current_app.config["EVIDENCE_UNIT_MAX_BYTES"],
    )
