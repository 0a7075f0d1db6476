"""Surveyors' views."""

from flask_login import login_required

from surveyapp.field import bp


@bp.route("/")
@login_required
def home() -> str:
    return "field"
