"""Pages of an assessed unit's staff (*đơn vị*: a commune, a ward, a department) who assess
their own unit: its home and its evidence files. Each account speaks for one unit."""

from flask import Blueprint

bp = Blueprint("unit", __name__, url_prefix="/unit")

from surveyapp.unit import evidence, explanation, home, self_assessment  # noqa: E402,F401  (routes register on the blueprint)
