"""Pages of officers (Phòng Nội vụ, Văn phòng – Thống kê) who run campaigns."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from surveyapp.admin import accounts, audit, held, results, uploads, views  # noqa: E402,F401  (routes register on the blueprint)
