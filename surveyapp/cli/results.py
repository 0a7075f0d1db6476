"""CLI commands for what officers take out or bring in: results, raw responses, posters.

``flask --app surveyapp export-results 2 --format xlsx --output exports/`` writes the same
files as the results page, with the same names; ``import-responses 2 forms.xlsx`` stores
typed-in forms in the raw layout, or reports every bad row and stores nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import click
from flask import current_app

from surveyapp.cli import bp
from surveyapp.cli.commands import committing
from surveyapp.extensions import db
from surveyapp.models import AuditAction, Campaign, Unit
from surveyapp.services import posters
from surveyapp.services.audit import record_action
from surveyapp.services.collection import list_collection_points
from surveyapp.services.response_import import import_responses
from surveyapp.services.responses import local_today
from surveyapp.services.results import exports
from surveyapp.services.results.indices import compute_results
from surveyapp.services.units import get_reporting_unit
from surveyapp.tables import writing
from surveyapp.tables.reading import RowsRejected, UnreadableTable


def _campaign(campaign_id: int) -> Campaign:
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None:
        raise click.ClickException(f"there is no campaign {campaign_id}; the officers' page lists them")
    return campaign


def _unit(campaign: Campaign, code: str | None) -> Unit | None:
    if code is None:
        return None
    unit = get_reporting_unit(campaign, code)
    if unit is None:
        raise click.ClickException(f"campaign {campaign.id} has no unit with code {code!r}, nor one above its units")
    return unit


@bp.cli.command("export-results")
@click.argument("campaign_id", type=int)
@click.option("--what", type=click.Choice(["indices", "responses"]), default="indices", show_default=True)
@click.option("--format", "file_format", type=click.Choice(["xlsx", "csv"]), default="xlsx", show_default=True)
@click.option("--unit", "unit_code", help="Only this unit and the units below it.")
@click.option("--output", type=click.Path(file_okay=False, path_type=Path), default=Path("."), show_default=True)
def export_results(campaign_id: int, what: str, file_format: str, unit_code: str | None, output: Path) -> None:
    """Write a campaign's indices (SIPAS or PAR points), or its raw responses, to files.

    Indices as CSV are one file per table; raw responses are one file per questionnaire.
    """
    campaign, today = _campaign(campaign_id), local_today()
    within = _unit(campaign, unit_code)
    output.mkdir(parents=True, exist_ok=True)
    written = []
    if what == "indices":
        tables = exports.indices_tables(compute_results(campaign, within))
        name = exports.indices_file_name(campaign, within, file_format, today)
        if file_format == "xlsx":
            written.append(_write_workbook(output / name, tables))
        else:
            stem = name.removesuffix(".csv")
            written += [_write(output / f"{stem}_{table.key}.csv", writing.csv_chunks(table)) for table in tables]
    else:
        for questionnaire in campaign.questionnaires:
            name = exports.responses_file_name(campaign, within, questionnaire.code, file_format, today)
            table = exports.raw_table(campaign, questionnaire, within)
            if file_format == "csv":
                written.append(_write(output / name, writing.csv_chunks(table)))
                continue
            try:
                writing.check_fits_spreadsheet(exports.count_raw_rows(campaign, questionnaire, within))
            except writing.ExportTooLarge as error:
                raise click.ClickException(f"{error} (--format csv)") from None
            written.append(_write_workbook(output / name, [table]))
    with committing():
        for path in written:
            record_action(AuditAction.EXPORTED, campaign, file=path.name)
    for path in written:
        click.echo(path)


def _write(path: Path, chunks: Iterable[bytes]) -> Path:
    with path.open("wb") as file:
        file.writelines(chunks)
    return path


def _write_workbook(path: Path, tables: list[writing.Table]) -> Path:
    with path.open("wb") as file:
        writing.write_xlsx(tables, file)
    return path


@bp.cli.command("import-responses")
@click.argument("campaign_id", type=int)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_responses_command(campaign_id: int, file: Path) -> None:
    """Import responses from a CSV/XLSX file in the raw export's layout (all rows or none)."""
    campaign = _campaign(campaign_id)
    try:
        with committing():
            imported = import_responses(campaign, file.name, file.read_bytes())
    except RowsRejected as rejected:
        raise click.ClickException(f"{file.name}: {rejected.count} bad value(s), nothing stored:\n{rejected}") from None
    except UnreadableTable as error:
        raise click.ClickException(f"{file.name}: {error}") from None
    counts = ", ".join(f"{code}: {count}" for code, count in sorted(imported.stored.items()))
    click.echo(f"Stored {imported.total} response(s) ({counts}).")


@bp.cli.command("export-posters")
@click.argument("campaign_id", type=int)
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), help="The ZIP file to write.")
def export_posters(campaign_id: int, output: Path | None) -> None:
    """Write the A4 QR posters of every collection point of a campaign to one ZIP of SVG files.

    The public address in the QR codes comes from PUBLIC_BASE_URL, which must be set.
    """
    campaign = _campaign(campaign_id)
    if not current_app.config["PUBLIC_BASE_URL"]:
        raise click.ClickException("set PUBLIC_BASE_URL to the public address the QR codes must open")
    output = output or Path(f"ap-phich-dot-{campaign.id}-{campaign.year}-{local_today():%Y%m%d}.zip")
    points = list_collection_points(campaign)
    with (
        current_app.test_request_context(),
        output.open("wb") as file,
        click.progressbar(points, label=f"{len(points)} posters", show_pos=True) as bar,
    ):
        posters.write_posters_zip((posters.point_poster(point) for point in bar), file)
    with committing():
        record_action(AuditAction.EXPORTED, campaign, file=output.name)
    click.echo(output)
