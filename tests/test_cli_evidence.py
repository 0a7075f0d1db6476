"""``check-evidence``: after a restore, every evidence file's content is found whole, or named."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

from surveyapp.extensions import db
from surveyapp.services.evidence import evidence_path, upload_evidence

PDF = b"%PDF-1.4\n%%EOF\n"


def test_check_evidence_names_a_missing_or_changed_content(app, runner, unit_account) -> None:
    ward = unit_account.assessed_unit
    kept = upload_evidence(ward, "Kế hoạch", "ke-hoach.pdf", io.BytesIO(PDF), by=unit_account)
    other = upload_evidence(ward, "Báo cáo", "bao-cao.pdf", io.BytesIO(PDF + b"%2"), by=unit_account)
    db.session.commit()
    result = runner.invoke(args=["check-evidence"])
    assert result.exit_code == 0 and "All 2 evidence files are whole" in result.output

    evidence_path(kept).write_bytes(PDF + b"tampered")
    evidence_path(other).unlink()
    stray = Path(app.config["EVIDENCE_DIR"]) / "ab" / ("ab" + "0" * 62)
    stray.parent.mkdir()
    stray.write_bytes(b"x")
    result = runner.invoke(args=["check-evidence"])
    assert result.exit_code == 1
    assert f"changed: evidence {kept.id} of unit 21172, 'ke-hoach.pdf'" in result.output
    assert f"missing: evidence {other.id} of unit 21172, 'bao-cao.pdf'" in result.output
    assert "1 stored contents belong to no record" in result.output
    assert "1 missing and 1 changed of 2 evidence files" in result.output


def test_a_content_that_cannot_be_placed_after_the_commit_is_logged_and_then_named(
    app, runner, unit_account, caplog
) -> None:
    content = PDF + b"%unplaceable"
    digest = hashlib.sha256(content).hexdigest()
    blocker = Path(app.config["EVIDENCE_DIR"]) / digest[:2]
    blocker.parent.mkdir(parents=True, exist_ok=True)
    blocker.write_bytes(b"a file where the content's folder goes")
    upload_evidence(unit_account.assessed_unit, "Kế hoạch", "ke-hoach.pdf", io.BytesIO(content), by=unit_account)
    db.session.commit()  # the record is kept: the commit cannot be undone
    assert "evidence store: a committed change could not be made on disk" in caplog.text
    result = runner.invoke(args=["check-evidence"])
    assert result.exit_code == 1 and "missing: evidence" in result.output
