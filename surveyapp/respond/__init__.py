"""Public pages reached by QR code: the anonymous questionnaire and its thank-you page, and the desk kiosk."""

from flask import Blueprint

bp = Blueprint("respond", __name__, url_prefix="/r")

from surveyapp.respond import kiosk, receipts, views  # noqa: E402,F401  (routes register on the blueprint)


@bp.record_once
def _check_settings(state: object) -> None:
    kiosk.check_kiosk_settings(state.app.config)  # type: ignore[attr-defined]
