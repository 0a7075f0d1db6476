"""Officers' uploads: their own size limit, and the full list of a refused file's bad rows.

Upload forms accept bodies up to ``UPLOAD_MAX_BYTES`` for a logged-in officer; every other
request keeps ``MAX_CONTENT_LENGTH`` (public form posts stay small). When a file is refused,
the page lists its first problems and their count; the full list is written, neutralised
against formula injection, to ``instance/upload-problems/`` under a random name and offered
as a CSV download. It may hold names and phones of the frame's bad rows, so it is deleted
``UPLOAD_PROBLEMS_KEEP_SECONDS`` after it was written (checked at each upload and download).
"""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any

import pandas as pd
from flask import abort, current_app, flash, request, send_file, url_for
from flask_login import current_user
from werkzeug.wrappers import Response as WerkzeugResponse

from surveyapp.admin import bp
from surveyapp.admin.loading import loads_campaign
from surveyapp.auth.access import officer_required
from surveyapp.extensions import db
from surveyapp.models import Campaign
from surveyapp.tables import writing
from surveyapp.tables.reading import ProblemList, RowProblem, RowsRejected

PROBLEMS_FOLDER = "upload-problems"
_TOKEN = re.compile(r"[A-Za-z0-9_-]{22}")
_CHUNK = 10_000  # problems written at a time
# The downloaded list's columns; the headers are fixed, like those of the files it lists.
_COLUMNS = (
    ("Dòng", writing.Kind.COUNT),
    ("Cột", writing.Kind.TEXT),
    ("Giá trị", writing.Kind.TEXT),
    ("Lý do", writing.Kind.TEXT),
)


def accepts_uploads(view: Callable[..., Any]) -> Callable[..., Any]:
    """Mark an officer's view whose form uploads a table: its requests may reach ``UPLOAD_MAX_BYTES``."""
    view.accepts_uploads = True  # type: ignore[attr-defined]
    return view


def is_officers_upload(endpoint: str | None) -> bool:
    """Whether the request is an officer's to an upload form (its body may reach ``UPLOAD_MAX_BYTES``)."""
    view = current_app.view_functions.get(endpoint or "")
    return getattr(view, "accepts_uploads", False) and current_user.is_authenticated and current_user.is_officer


@bp.url_value_preprocessor
def _allow_uploads(endpoint: str | None, _values: dict[str, Any] | None) -> None:
    """Raise the body limit for an officer posting to an upload form.

    URL value preprocessors run before every ``before_request`` function, CSRF protection's
    included, which reads the body: later would be too late.
    """
    if is_officers_upload(endpoint):
        request.max_content_length = current_app.config["UPLOAD_MAX_BYTES"]


@dataclass(frozen=True)
class ProblemReport:
    """What the page shows of a refused file: its first problems, how many there are, the full list's address."""

    shown: list[RowProblem]
    count: int
    download_url: str


def _folder() -> Path:
    return Path(current_app.instance_path) / PROBLEMS_FOLDER


def _sweep(folder: Path) -> None:
    """Delete the lists older than ``UPLOAD_PROBLEMS_KEEP_SECONDS``."""
    oldest = time.time() - current_app.config["UPLOAD_PROBLEMS_KEEP_SECONDS"]
    for path in folder.glob("*.csv"):
        try:
            if path.stat().st_mtime < oldest:
                path.unlink()
        except FileNotFoundError:  # another worker swept it first
            pass


def _frames(problems: ProblemList) -> Iterator[pd.DataFrame]:
    rows = iter(problems)
    while chunk := list(islice(rows, _CHUNK)):
        yield pd.DataFrame([(p.line, p.column, p.value, p.reason) for p in chunk], columns=range(4), dtype=object)


def refuse_rows(campaign: Campaign, rejected: RowsRejected, message: str) -> ProblemReport:
    """Refuse an upload with bad rows: drop what it wrote, tell the officer ``message``, and
    keep the full list of its problems for download; returns what the page shows of them."""
    db.session.rollback()
    flash(message, "error")
    folder = _folder()
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    _sweep(folder)
    token = secrets.token_urlsafe(16)
    columns = [writing.Column(header, kind) for header, kind in _COLUMNS]
    table = writing.Table("problems", "problems", columns, _frames(rejected.found))
    with (folder / f"{campaign.id}-{token}.csv").open("wb") as file:
        for chunk in writing.csv_chunks(table):
            file.write(chunk)
    rejected.found.close()
    return ProblemReport(
        rejected.problems, rejected.count, url_for("admin.upload_problems", campaign_id=campaign.id, token=token)
    )


@bp.route("/campaigns/<int:campaign_id>/upload-problems/<token>.csv")
@officer_required
@loads_campaign
def upload_problems(campaign: Campaign, token: str) -> WerkzeugResponse:
    """The full list of a refused upload's problems, while it is kept."""
    if not _TOKEN.fullmatch(token):
        abort(404)
    folder = _folder()
    _sweep(folder)
    path = folder / f"{campaign.id}-{token}.csv"
    if not path.is_file():
        abort(404)
    return send_file(
        path,
        mimetype="text/csv; charset=utf-8",
        as_attachment=True,
        download_name=f"loi-tep-nhap-dot-{campaign.id}.csv",
        max_age=0,
    )
