"""A unit's evidence files: the list, uploading, downloading and deleting one uploaded by mistake.

The upload form accepts request bodies up to ``EVIDENCE_MAX_BYTES`` and a little for the
form's other fields; a bigger body gets a 413 page that says the limit (``surveyapp/errors.py``).
An evidence file of another unit is unknown here (404), whatever its id.
"""

from __future__ import annotations

from typing import Any

from flask import Response, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response as WerkzeugResponse

from surveyapp.auth.access import unit_account_required
from surveyapp.evidence_files import EVIDENCE_TYPES
from surveyapp.extensions import db
from surveyapp.models import EvidenceFile
from surveyapp.services.evidence import (
    ACCEPTED_TYPES,
    EvidenceError,
    delete_evidence,
    evidence_path,
    get_unit_evidence,
    unit_evidence_bytes,
    upload_evidence,
)
from surveyapp.unit import bp
from surveyapp.unit.forms import EvidenceUploadForm

# Room for the form's other fields and the multipart framing, beyond the file itself.
FORM_OVERHEAD_BYTES = 64 * 1024
UPLOAD_ENDPOINT = "unit.evidence"


def is_evidence_upload(endpoint: str | None) -> bool:
    """Whether the request posts a unit's evidence file (its body may reach ``EVIDENCE_MAX_BYTES``)."""
    return (
        endpoint == UPLOAD_ENDPOINT
        and request.method == "POST"
        and current_user.is_authenticated
        and current_user.is_unit_account
    )


@bp.url_value_preprocessor
def _allow_evidence_uploads(endpoint: str | None, _values: dict[str, Any] | None) -> None:
    """Raise the body limit for an evidence upload, before CSRF protection reads the body."""
    if is_evidence_upload(endpoint):
        request.max_content_length = current_app.config["EVIDENCE_MAX_BYTES"] + FORM_OVERHEAD_BYTES


def send_evidence(evidence: EvidenceFile) -> Response:
    """The content of ``evidence`` as a download, never shown inline.

    ``attachment`` with the safe file name, the type checked at upload, ``nosniff`` so that
    no browser guesses another type, and a sandboxing ``Content-Security-Policy`` should the
    file be opened in a browser tab anyway: no script of it runs with the service's origin.
    """
    path = evidence_path(evidence)
    if not path.is_file():
        abort(404)
    response = send_file(
        path, mimetype=evidence.mimetype, as_attachment=True, download_name=evidence.file_name, max_age=0
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "sandbox"
    return response


def _own_evidence_or_404(evidence_id: int) -> EvidenceFile:
    """The evidence file ``evidence_id`` of the current account's unit; 404 for any other id."""
    evidence = db.session.get(EvidenceFile, evidence_id)
    if evidence is None or evidence.unit_id != current_user.assessed_unit_id:
        abort(404)
    return evidence


@bp.route("/evidence", methods=["GET", "POST"])
@unit_account_required
def evidence() -> str | WerkzeugResponse:
    """The unit's evidence files, and the form that uploads another."""
    unit = current_user.assessed_unit
    form = EvidenceUploadForm()
    if form.validate_on_submit():
        upload = form.file.data
        try:
            kept = upload_evidence(unit, form.title.data, upload.filename or "", upload.stream, by=current_user)
        except EvidenceError as error:
            db.session.rollback()
            form.file.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("Đã lưu tài liệu «%(title)s» (%(name)s).", title=kept.title, name=kept.file_name), "success")
            return redirect(url_for(".evidence"))
    return render_template(
        "unit/evidence.html",
        unit=unit,
        form=form,
        files=get_unit_evidence(unit),
        used=unit_evidence_bytes(unit),
        total=current_app.config["EVIDENCE_UNIT_MAX_BYTES"],
        max_bytes=current_app.config["EVIDENCE_MAX_BYTES"],
        accepted_types=ACCEPTED_TYPES,
        accept=",".join(f".{extension}" for extension in EVIDENCE_TYPES),
    )


@bp.route("/evidence/<int:evidence_id>")
@unit_account_required
def download_evidence(evidence_id: int) -> Response:
    """One of the unit's evidence files, as a download."""
    return send_evidence(_own_evidence_or_404(evidence_id))


@bp.post("/evidence/<int:evidence_id>/delete")
@unit_account_required
def delete_evidence_file(evidence_id: int) -> WerkzeugResponse:
    """Delete an evidence file uploaded by mistake."""
    evidence = _own_evidence_or_404(evidence_id)
    title = evidence.title
    try:
        delete_evidence(evidence)
    except EvidenceError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(_("Đã xóa tài liệu «%(title)s».", title=title), "success")
    return redirect(url_for(".evidence"))
