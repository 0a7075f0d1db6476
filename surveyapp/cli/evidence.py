"""``flask --app surveyapp check-evidence``: every evidence file's content is in the store, whole."""

from __future__ import annotations

import click

from surveyapp.cli import bp
from surveyapp.services.evidence import check_evidence_store, evidence_store


@bp.cli.command("check-evidence")
def check_evidence() -> None:
    """Check that the content of every evidence file is in EVIDENCE_DIR with its recorded SHA-256.

    Run it after restoring a backup (see README.md, "Backups"): a record whose content is
    missing or changed is listed and the exit status is 1.
    """
    result = check_evidence_store()
    for label, records in (("missing", result.missing), ("changed", result.changed)):
        for evidence in records:
            click.echo(
                f"{label}: evidence {evidence.id} of unit {evidence.unit.code}, {evidence.file_name!r} "
                f"({evidence.title}), sha256 {evidence.sha256}"
            )
    if result.unreferenced:
        click.echo(
            f"{len(result.unreferenced)} stored contents belong to no record (harmless: a deletion was "
            "interrupted, or the folder was backed up after the database)"
        )
    if not result.is_whole:
        raise click.ClickException(
            f"{len(result.missing)} missing and {len(result.changed)} changed of {result.checked} evidence files "
            f"in {evidence_store()}: restore them from the backup of the evidence folder"
        )
    click.echo(f"All {result.checked} evidence files are whole in {evidence_store()}.")
