"""Pages of officers (Phòng Nội vụ, Văn phòng – Thống kê) who run campaigns."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from surveyapp.admin import (  # noqa: E402,F401  (routes register on the blueprint)
    accounts,
    audit,
    calling_systems,
    campaigns,
    criteria,
    evidence,
    held,
    kiosks,
    paper_forms,
    posters,
    publications,
    quotas,
    reminders,
    remuneration,
    results,
    round_index,
    round_reports,
    rounds,
    sampling,
    self_assessments,
    uploads,
)
from surveyapp.services import senders  # noqa: E402


@bp.record_once
def _check_settings(state: object) -> None:
    name = state.app.config["MESSAGE_SENDER"].strip()  # type: ignore[attr-defined]
    if name:
        senders.sender_class(name)
