"""Officers' PAR Index of a round: the ranking tables and breakdown by area, their workbook, the
campaigns and class bounds it uses, and the points of other sources and bonus/penalty items
(typed per unit or imported)."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response as WerkzeugResponse

from surveyapp.admin import bp
from surveyapp.admin.downloads import recorded_download, workbook_blocks
from surveyapp.admin.forms import ClassBoundsForm, EnteredPointsForm, IndexSourcesForm, PointsUploadForm
from surveyapp.admin.loading import loads_round
from surveyapp.admin.uploads import accepts_uploads
from surveyapp.auth.access import officer_required
from surveyapp.extensions import db
from surveyapp.i18n import localized
from surveyapp.models import AssessmentRound, Campaign, CampaignPurpose, Unit
from surveyapp.services.par_index import (
    IndexSettingError,
    compute_round_index,
    enter_points,
    entered_items,
    get_class_bounds,
    get_entered_points,
    import_points,
    set_class_bounds,
    set_index_sources,
)
from surveyapp.services.par_index_tables import index_tables
from surveyapp.services.responses import local_today
from surveyapp.services.self_assessments import get_round_assessments
from surveyapp.tables.reading import RowsRejected, UnreadableTable


def _campaigns(purpose: CampaignPurpose) -> list[Campaign]:
    statement = select(Campaign).filter_by(purpose=purpose).order_by(Campaign.year.desc(), Campaign.id.desc())
    return list(db.session.scalars(statement))


def _sources_form() -> IndexSourcesForm:
    return IndexSourcesForm(par=_campaigns(CampaignPurpose.PAR), sipas=_campaigns(CampaignPurpose.SIPAS))


def _points_form(assessment_round: AssessmentRound) -> EnteredPointsForm:
    items = entered_items(assessment_round.criteria_set.definition)
    return EnteredPointsForm(
        units=[assessment.unit for assessment in get_round_assessments(assessment_round)],
        items=[(code, f"{code} — {localized(item.title)}") for code, item in items.items()],
    )


def _render(assessment_round: AssessmentRound, **forms: object) -> str:
    """The index page; ``forms`` replaces the empty ones (to show a refused form's errors)."""
    sources = _sources_form()
    if not sources.is_submitted():
        sources.par_campaign_id.data = str(assessment_round.par_campaign_id or "")
        sources.sipas_campaign_id.data = str(assessment_round.sipas_campaign_id or "")
    bounds = ClassBoundsForm()
    if not bounds.is_submitted():
        bounds.a.data, bounds.b.data, bounds.c.data = (lower for _label, lower in get_class_bounds(assessment_round))
    definition = assessment_round.criteria_set.definition
    page_forms = {
        "sources_form": sources,
        "bounds_form": bounds,
        "points_form": _points_form(assessment_round),
        "upload_form": PointsUploadForm(prefix="points"),
        "problems": None,
    } | forms
    return render_template(
        "admin/round_index.html",
        assessment_round=assessment_round,
        round_index=compute_round_index(assessment_round),
        leaves={node.code: node for node in definition.leaves},
        items=entered_items(definition),
        entered=sorted(get_entered_points(assessment_round).values(), key=lambda row: (row.unit.code, row.code)),
        **page_forms,
    )


def _back(assessment_round: AssessmentRound, anchor: str | None = None) -> WerkzeugResponse:
    return redirect(url_for(".round_index", round_id=assessment_round.id, _anchor=anchor))


@bp.route("/rounds/<int:round_id>/index")
@officer_required
@loads_round
def round_index(assessment_round: AssessmentRound) -> str:
    return _render(assessment_round)


@bp.route("/rounds/<int:round_id>/index.xlsx")
@officer_required
@loads_round
def round_index_xlsx(assessment_round: AssessmentRound) -> WerkzeugResponse:
    """The summary by unit and the points by area as a workbook."""
    name = f"chi-so-cchc-ky-{assessment_round.id}-{local_today():%Y%m%d}.xlsx"
    return recorded_download(None, name, workbook_blocks(index_tables(compute_round_index(assessment_round))))


@bp.post("/rounds/<int:round_id>/index/sources")
@officer_required
@loads_round
def round_index_sources(assessment_round: AssessmentRound) -> str | WerkzeugResponse:
    form = _sources_form()
    if not form.validate_on_submit():
        return _render(assessment_round, sources_form=form)
    par = db.session.get(Campaign, int(form.par_campaign_id.data)) if form.par_campaign_id.data else None
    sipas = db.session.get(Campaign, int(form.sipas_campaign_id.data)) if form.sipas_campaign_id.data else None
    try:
        set_index_sources(assessment_round, par, sipas)
    except IndexSettingError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(_("Đã lưu nguồn điểm điều tra và SIPAS của Chỉ số CCHC."), "success")
    return _back(assessment_round)


@bp.post("/rounds/<int:round_id>/index/bounds")
@officer_required
@loads_round
def round_index_bounds(assessment_round: AssessmentRound) -> str | WerkzeugResponse:
    form = ClassBoundsForm()
    if not form.validate_on_submit():
        return _render(assessment_round, bounds_form=form)
    try:
        set_class_bounds(assessment_round, [form.a.data, form.b.data, form.c.data])
    except IndexSettingError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(_("Đã lưu ngưỡng xếp loại."), "success")
    return _back(assessment_round, "settings")


@bp.post("/rounds/<int:round_id>/index/points")
@officer_required
@loads_round
def round_index_points(assessment_round: AssessmentRound) -> str | WerkzeugResponse:
    """Type in one unit's points of an other-source or bonus/penalty item."""
    form = _points_form(assessment_round)
    if not form.validate_on_submit():
        return _render(assessment_round, points_form=form)
    unit = db.session.get_one(Unit, form.unit_id.data)
    try:
        enter_points(assessment_round, unit, form.code.data, form.points.data, form.note.data, current_user)
    except IndexSettingError as error:
        db.session.rollback()
        flash(str(error), "error")
        return _render(assessment_round, points_form=form)
    db.session.commit()
    flash(_("Đã lưu điểm tiêu chí %(code)s của %(unit)s.", code=form.code.data, unit=unit.name), "success")
    return _back(assessment_round, "entered")


@bp.post("/rounds/<int:round_id>/index/import")
@officer_required
@loads_round
@accepts_uploads
def round_index_import(assessment_round: AssessmentRound) -> str | WerkzeugResponse:
    """Import points of other-source and bonus/penalty items from a table."""
    form = PointsUploadForm(prefix="points")
    if not form.validate_on_submit():
        return _render(assessment_round, upload_form=form)
    file = form.points_file.data
    try:
        count = import_points(assessment_round, file.filename, file.stream, current_user)
    except RowsRejected as rejected:
        db.session.rollback()
        flash(_("Tệp có %(count)s lỗi nên chưa nhập dòng nào.", count=format_decimal(rejected.count)), "error")
        return _render(assessment_round, upload_form=form, problems=rejected)
    except UnreadableTable as error:
        db.session.rollback()
        flash(_("Không nhập được tệp: %(reason)s", reason=str(error)), "error")
        return _render(assessment_round, upload_form=form)
    db.session.commit()
    flash(_("Đã nhập %(count)s dòng điểm.", count=format_decimal(count)), "success")
    return _back(assessment_round, "entered")
