"""Officers' results pages: indices and PAR points, targets, imports and exports."""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from typing import Any

import pandas as pd
from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_decimal
from flask_babel import gettext as _
from werkzeug.wrappers import Response as WerkzeugResponse

from surveyapp.admin import bp
from surveyapp.admin.downloads import recorded_download, workbook_blocks
from surveyapp.admin.forms import AppraisalUploadForm, ResponsesUploadForm, TargetsForm
from surveyapp.admin.loading import loads_campaign
from surveyapp.admin.uploads import ProblemReport, accepts_uploads, refuse_rows
from surveyapp.auth.access import officer_required
from surveyapp.extensions import db
from surveyapp.i18n import localized
from surveyapp.models import AuditAction, Campaign, CampaignPurpose, Questionnaire, Unit
from surveyapp.services.appraisals import import_appraised_scores
from surveyapp.services.audit import record_action
from surveyapp.services.held import list_held_batches
from surveyapp.services.publications import get_campaign_publications
from surveyapp.services.response_import import import_responses
from surveyapp.services.responses import local_today
from surveyapp.services.results import exports
from surveyapp.services.results.comparison import comparable_campaigns, compare
from surveyapp.services.results.indices import SipasReport, compute_results, daily_counts, meets_target, sipas_target
from surveyapp.services.units import get_reporting_unit, get_reporting_units
from surveyapp.tables import writing
from surveyapp.tables.reading import RowsRejected, UnreadableTable


def _scope(campaign: Campaign) -> Unit | None:
    """The unit whose subtree the page shows (``?unit=<code>``), or ``None`` for all."""
    code = request.args.get("unit")
    if not code:
        return None
    unit = get_reporting_unit(campaign, code)
    if unit is None:
        abort(404)
    return unit


def _targets_form(campaign: Campaign) -> TargetsForm:
    form = TargetsForm(obj=campaign, prefix="targets")
    fields = dict.fromkeys(f for q in campaign.questionnaires for f in q.definition.procedure_fields)
    form.target_fields.choices = [(name, name) for name in {**fields, **dict.fromkeys(campaign.target_fields)}]
    return form


@bp.app_template_filter("records")
def records(table: pd.DataFrame) -> list[dict[str, Any]]:
    """A result table as a list of rows for a template."""
    return table.to_dict("records")


@bp.app_template_filter("bars")
def bars(rows: list[dict[str, Any]], column: str, names: Mapping[str, str]) -> list[dict[str, Any]]:
    """Rows of a result table as the bars of a chart: named value, index and flag."""
    return [
        {"label": names.get(row[column], row[column]), "value": row["index"], "flagged": row["flagged"]} for row in rows
    ]


def element_names(report: SipasReport) -> dict[str, str]:
    """Element code → "code. label" in the page's language."""
    parts = report.questionnaire.definition.methodology.index_parts
    return {e.code: f"{e.code}. {localized(e.label)}" for part in parts for e in part.elements}


def part_names(report: SipasReport) -> dict[str, str]:
    """Part code → its label in the page's language."""
    return {part.code: localized(part.label) for part in report.questionnaire.definition.methodology.index_parts}


def _earlier(campaign: Campaign, choices: list[Campaign]) -> Campaign | None:
    """The campaign a year-on-year table compares with (``?compare=<id>``), or ``None``."""
    earlier_id = request.args.get("compare", type=int)
    if earlier_id is None:
        return None
    earlier = next((other for other in choices if other.id == earlier_id), None)
    if earlier is None:
        abort(404)
    return earlier


def _render(campaign: Campaign, problems: ProblemReport | None = None, **forms: object) -> str:
    within = _scope(campaign)
    results = compute_results(campaign, within)
    choices = comparable_campaigns(campaign)
    earlier = _earlier(campaign, choices)
    return render_template(
        "admin/results.html",
        campaign=campaign,
        results=results,
        within=within,
        scopes=get_reporting_units(campaign),
        progress=daily_counts(campaign),
        held=list_held_batches(campaign),
        targets_form=forms.get("targets_form") or _targets_form(campaign),
        appraisal_form=forms.get("appraisal_form") or AppraisalUploadForm(prefix="appraisal"),
        problems=problems,
        slice_labeller=exports.slice_labeller,
        standing_note=exports.standing_note,
        sipas_target=sipas_target,
        meets_target=meets_target,
        element_names=element_names,
        part_names=part_names,
        comparable=choices,
        earlier=earlier,
        comparison=compare(results, compute_results(earlier)) if earlier else None,
        published=get_campaign_publications(campaign),
    )


@bp.route("/campaigns/<int:campaign_id>/results")
@officer_required
@loads_campaign
def results(campaign: Campaign) -> str:
    """Indices (SIPAS) or survey points (PAR) of the campaign, or of one unit's subtree."""
    return _render(campaign)


@bp.route("/campaigns/<int:campaign_id>/results/targets", methods=["POST"])
@officer_required
@loads_campaign
def results_targets(campaign: Campaign) -> str | WerkzeugResponse:
    """Save the targets the results are marked against, and the PAR maximum."""
    form = _targets_form(campaign)
    if not form.validate_on_submit():
        flash(_("Chưa lưu chỉ tiêu: hãy sửa các ô được đánh dấu."), "error")
        return _render(campaign, targets_form=form)
    form.populate_obj(campaign)
    record_action(
        AuditAction.TARGETS_SAVED,
        campaign,
        sipas=campaign.sipas_target,
        criterion=campaign.criterion_target,
        field=campaign.field_target,
        fields=campaign.target_fields,
        rank_min_forms=campaign.rank_min_forms,
        par_max_points=campaign.par_max_points,
    )
    db.session.commit()
    flash(_("Đã lưu chỉ tiêu."), "success")
    return redirect(url_for(".results", campaign_id=campaign.id, **request.args))


@bp.route("/campaigns/<int:campaign_id>/results/appraisals", methods=["POST"])
@officer_required
@loads_campaign
@accepts_uploads
def results_appraisals(campaign: Campaign) -> str | WerkzeugResponse:
    """Import the units' appraised self-assessment points of a PAR campaign."""
    if campaign.purpose is not CampaignPurpose.PAR:
        abort(404)
    form = AppraisalUploadForm(prefix="appraisal")
    if not form.validate_on_submit():
        return _render(campaign, appraisal_form=form)
    file = form.appraisal_file.data
    try:
        stored = import_appraised_scores(campaign, file.filename, file.stream)
    except RowsRejected as rejected:
        message = _("Tệp có %(count)s lỗi nên chưa nhập dòng nào.", count=format_decimal(rejected.count))
        return _render(campaign, refuse_rows(campaign, rejected, message), appraisal_form=form)
    except UnreadableTable as error:
        db.session.rollback()
        flash(_("Không nhập được tệp: %(reason)s", reason=str(error)), "error")
        return _render(campaign, appraisal_form=form)
    db.session.commit()
    flash(_("Đã nhập điểm thẩm định của %(count)s đơn vị.", count=format_decimal(stored)), "success")
    return redirect(url_for(".results", campaign_id=campaign.id))


@bp.route("/campaigns/<int:campaign_id>/import", methods=["GET", "POST"])
@officer_required
@loads_campaign
@accepts_uploads
def import_responses_view(campaign: Campaign) -> str | WerkzeugResponse:
    """Upload typed-in paper forms or earlier results in the raw export's layout."""
    form = ResponsesUploadForm(prefix="responses")
    problems = None
    if form.validate_on_submit():
        file = form.responses_file.data
        try:
            imported = import_responses(campaign, file.filename, file.stream)
        except RowsRejected as rejected:
            message = _(
                "Tệp có %(count)s lỗi nên chưa nhập phiếu nào. Sửa tệp rồi nhập lại.",
                count=format_decimal(rejected.count),
            )
            problems = refuse_rows(campaign, rejected, message)
        except UnreadableTable as error:
            db.session.rollback()
            flash(_("Không nhập được tệp: %(reason)s", reason=str(error)), "error")
        else:
            db.session.commit()
            flash(_("Đã nhập %(count)s phiếu.", count=format_decimal(imported.total)), "success")
            return redirect(url_for(".results", campaign_id=campaign.id))
    return render_template("admin/import_responses.html", campaign=campaign, form=form, problems=problems)


def _raw_csv(campaign_id: int, questionnaire_id: int, within_id: int | None) -> Iterator[bytes]:
    """The raw responses as CSV, read as the download is sent, in the download's own session."""
    campaign = db.session.get_one(Campaign, campaign_id)
    questionnaire = db.session.get_one(Questionnaire, questionnaire_id)
    within = db.session.get_one(Unit, within_id) if within_id is not None else None
    yield from writing.csv_chunks(exports.raw_table(campaign, questionnaire, within))


@bp.route("/campaigns/<int:campaign_id>/export/indices.<any(xlsx, zip):extension>")
@officer_required
@loads_campaign
def export_indices(campaign: Campaign, extension: str) -> Response:
    """The indices (SIPAS) or survey points (PAR): a workbook, or a ZIP of CSV files."""
    within = _scope(campaign)
    results = compute_results(campaign, within)
    tables = exports.indices_tables(results)
    name = exports.indices_file_name(campaign, within, extension, local_today())
    if extension == "xlsx":
        return recorded_download(campaign, name, workbook_blocks(tables))
    archive = writing.csv_zip(tables, name.removesuffix(".zip"))
    return recorded_download(campaign, name, lambda: [archive])


@bp.route("/campaigns/<int:campaign_id>/export/responses/<code>.<any(xlsx, csv):extension>")
@officer_required
@loads_campaign
def export_responses(campaign: Campaign, code: str, extension: str) -> str | Response | WerkzeugResponse:
    """The anonymous responses to one questionnaire, in the layout the import reads."""
    questionnaire: Questionnaire | None = campaign.questionnaire_by_code(code)
    if questionnaire is None:
        abort(404)
    within = _scope(campaign)
    name = exports.responses_file_name(campaign, within, code, extension, local_today())
    if extension == "csv":
        body = functools.partial(_raw_csv, campaign.id, questionnaire.id, within.id if within is not None else None)
        return recorded_download(campaign, name, body)
    try:
        writing.check_fits_spreadsheet(exports.count_raw_rows(campaign, questionnaire, within))
    except writing.ExportTooLarge as error:
        flash(str(error), "error")
        return redirect(url_for(".results", campaign_id=campaign.id, **request.args))
    workbook = workbook_blocks([exports.raw_table(campaign, questionnaire, within)])
    return recorded_download(campaign, name, workbook)


@bp.route("/campaigns/<int:campaign_id>/import/template/<code>.csv")
@officer_required
@loads_campaign
def import_template(campaign: Campaign, code: str) -> Response:
    """An empty table with the headers the import reads, for typing paper forms in."""
    questionnaire = campaign.questionnaire_by_code(code)
    if questionnaire is None:
        abort(404)
    table = writing.Table("template", code, [writing.Column(h) for h in exports.raw_columns(questionnaire)], [])
    template = writing.csv_bytes(table)
    return recorded_download(campaign, f"mau-nhap-phieu-{exports.slug(code)}.csv", lambda: [template])
