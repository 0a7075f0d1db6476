"""Published results, open to everyone without log-in (*công bố*): pages and open-data files."""

from flask import Blueprint

bp = Blueprint("public", __name__, url_prefix="/cong-bo")

from surveyapp.public import publications  # noqa: E402,F401  (routes register on the blueprint)
