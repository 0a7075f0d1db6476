"""Officers' PAR criteria sets: the catalogue of stored versions and one version's criteria."""

from __future__ import annotations

from flask import render_template

from surveyapp.admin import bp
from surveyapp.admin.loading import loads_criteria_set
from surveyapp.auth.access import officer_required
from surveyapp.criteria.definition import AdjustmentKind, ScoringMethod
from surveyapp.models import CriteriaSetVersion
from surveyapp.services.criteria_sets import SCORING_LABELS, get_criteria_sets


@bp.route("/criteria")
@officer_required
def criteria_sets() -> str:
    return render_template("admin/criteria_sets.html", criteria_sets=get_criteria_sets())


@bp.route("/criteria/<int:set_id>")
@officer_required
@loads_criteria_set
def criteria_set(criteria_set: CriteriaSetVersion) -> str:
    return render_template(
        "admin/criteria_set.html",
        criteria_set=criteria_set,
        definition=criteria_set.definition,
        scoring_labels=SCORING_LABELS,
        methods=ScoringMethod,
        adjustment_kinds=AdjustmentKind,
    )
