"""The versioned JSON API through which a one-stop system asks for survey links (``/api/v1``).

Callers authenticate with a bearer token (``services.calling_systems``), not a session: the
blueprint takes no CSRF token and sets no cookie. Every answer is JSON, errors included:
``{"error": {"code": ..., "field": ..., "message": ...}}``, the message in Vietnamese.
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

from surveyapp.extensions import csrf

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)


def error_response(status: int, code: str, field: str | None, message: str) -> Response:
    """The JSON answer of a refused call."""
    response = jsonify(error={"code": code, "field": field, "message": message})
    response.status_code = status
    return response


@bp.before_request
def _limit_body() -> None:
    """Read no body larger than ``API_MAX_BODY_BYTES`` (413 beyond it)."""
    request.max_content_length = current_app.config["API_MAX_BODY_BYTES"]


@bp.after_request
def _never_stored(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.errorhandler(HTTPException)
def _http_error(error: HTTPException) -> Response:
    """An HTTP error raised in an API view (a body too large) as JSON, keeping its headers."""
    messages = {
        413: (
            "body_too_large",
            _("Nội dung gửi lên quá lớn (tối đa %(bytes)d byte).", bytes=current_app.config["API_MAX_BODY_BYTES"]),
        ),
    }
    code, message = messages.get(error.code or 500, ("http_error", error.description or ""))
    response = error_response(error.code or 500, code, None, message)
    for name, value in error.get_headers():
        if name.lower() not in ("content-type", "content-length"):
            response.headers[name] = value
    return response


from surveyapp.api import links  # noqa: E402,F401  (routes register on the blueprint)
