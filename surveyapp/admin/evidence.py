"""Officers' view of an assessed unit's evidence files: the list and each file's download."""

from __future__ import annotations

from flask import Response, current_app, render_template

from surveyapp.admin import bp
from surveyapp.auth.access import officer_required
from surveyapp.extensions import db
from surveyapp.models import EvidenceFile, Unit
from surveyapp.services.evidence import get_unit_evidence, unit_evidence_bytes
from surveyapp.unit.evidence import send_evidence


@bp.route("/units/<int:unit_id>/evidence")
@officer_required
def unit_evidence(unit_id: int) -> str:
    """The evidence files a unit uploaded, newest first."""
    unit = db.get_or_404(Unit, unit_id)
    return render_template(
        "admin/unit_evidence.html",
        unit=unit,
        files=get_unit_evidence(unit),
        used=unit_evidence_bytes(unit),
        total=current_app.config["EVIDENCE_UNIT_MAX_BYTES"],
    )


@bp.route("/evidence/<int:evidence_id>")
@officer_required
def download_evidence(evidence_id: int) -> Response:
    """Any unit's evidence file, as a download."""
    return send_evidence(db.get_or_404(EvidenceFile, evidence_id))
