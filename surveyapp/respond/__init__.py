"""Public pages reached by QR code: the anonymous questionnaire and its thank-you page."""

from flask import Blueprint

bp = Blueprint("respond", __name__, url_prefix="/r")

from surveyapp.respond import receipts, views  # noqa: E402,F401  (routes register on the blueprint)
