"""Pages of surveyors (*điều tra viên*) who interview people and type in paper forms."""

from flask import Blueprint

from surveyapp.auth.access import refuse_assessment_accounts

bp = Blueprint("field", __name__, url_prefix="/field")
bp.before_request(refuse_assessment_accounts)

from surveyapp.field import offline, views  # noqa: E402,F401  (routes register on the blueprint)
