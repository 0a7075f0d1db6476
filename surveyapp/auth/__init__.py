"""Log-in and log-out of staff (officers, surveyors, assessed units' accounts); respondents never log in."""

from flask import Blueprint

bp = Blueprint("auth", __name__)

from surveyapp.auth import views  # noqa: E402,F401  (routes register on the blueprint)
