"""Pages of appraisers (*thẩm định viên*, members of the *Tổ thẩm định*) who check the
self-assessments of the units assigned to them: their list, a unit's appraisal, cited evidence."""

from flask import Blueprint

bp = Blueprint("appraise", __name__, url_prefix="/appraise")

from surveyapp.appraise import views  # noqa: E402,F401  (routes register on the blueprint)
