"""Health check for the reverse proxy and the monitoring: ``GET /healthz``.

No log-in and no CSRF token: a load balancer polls it. It answers 200 only when the database
answers a ``SELECT 1``, and 503 otherwise, so that a proxy stops sending citizens to a worker
that cannot store their answers. It says nothing else about the service.
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from surveyapp.extensions import csrf, db

bp = Blueprint("health", __name__)
csrf.exempt(bp)


@bp.route("/healthz")
def healthz() -> tuple[Response, int]:
    """``{"status": "ok", "database": "ok"}`` (200), or ``"database": "unavailable"`` (503)."""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        current_app.logger.warning("health check: the database is unavailable", exc_info=True)
        body, status = jsonify(status="unavailable", database="unavailable"), 503
    else:
        db.session.rollback()  # nothing to keep: end the read transaction at once
        body, status = jsonify(status="ok", database="ok"), 200
    body.headers["Cache-Control"] = "no-store"
    return body, status
