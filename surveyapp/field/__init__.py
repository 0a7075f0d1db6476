"""Pages of surveyors (*điều tra viên*) who interview people and type in paper forms."""

from flask import Blueprint

bp = Blueprint("field", __name__, url_prefix="/field")

from surveyapp.field import views  # noqa: E402,F401  (routes register on the blueprint)
