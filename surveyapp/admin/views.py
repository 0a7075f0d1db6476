"""Officers' views: campaigns, their public links, QR codes, posters and response counts."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_decimal
from flask_babel import gettext as _
from werkzeug.wrappers import Response as WerkzeugResponse
from wtforms import SelectChoice

from surveyapp.admin import bp
from surveyapp.admin.downloads import XLSX_MIMETYPE, recorded_download
from surveyapp.admin.forms import (
    CampaignForm,
    ChannelsForm,
    DrawSampleForm,
    FrameUploadForm,
    QuotaPolicyForm,
    RatesForm,
    quota_field_name,
    read_quota_rules,
)
from surveyapp.admin.uploads import accepts_uploads, report_problems
from surveyapp.auth.access import officer_required
from surveyapp.extensions import db
from surveyapp.i18n import localized, short_date
from surveyapp.models import (
    ANY_GROUP,
    AuditAction,
    Campaign,
    CampaignPurpose,
    CampaignStatus,
    Questionnaire,
    QuotaPolicy,
    ResponseMode,
)
from surveyapp.paging import Page
from surveyapp.services import posters
from surveyapp.services.audit import record_action
from surveyapp.services.campaigns import (
    CampaignDraft,
    CampaignError,
    close_campaign,
    create_campaign,
    get_campaigns,
    get_response_counts,
    get_unit_tree,
    open_campaign,
    reopen_campaign,
    set_channels,
    update_campaign,
)
from surveyapp.services.catalog import get_latest_questionnaires
from surveyapp.services.collection import (
    CollectionTarget,
    get_collection_target,
    list_qr_targets,
    public_url,
)
from surveyapp.services.exports import csv_bytes
from surveyapp.services.frames import FrameAlreadySampled, count_frame, import_frame, purge_contacts
from surveyapp.services.quotas import (
    QuotaError,
    count_refusals,
    get_uniform_targets,
    plan_quotas,
    progress_by_unit,
    roll_up,
    save_quotas,
)
from surveyapp.services.remuneration import RemunerationError, remuneration_rows, remuneration_xlsx, set_rates
from surveyapp.services.responses import local_today
from surveyapp.services.samples import (
    SampleError,
    count_sample,
    draw_sample,
    get_replacements,
    issue_links,
    links_table,
    new_seed,
)
from surveyapp.services.tabular import RowsRejected, UnreadableTable


@bp.route("/")
@officer_required
def campaigns() -> str:
    return render_template("admin/campaigns.html", campaigns=get_campaigns())


def _campaign_form(campaign: Campaign | None = None) -> CampaignForm:
    questionnaires = get_latest_questionnaires()
    if campaign is not None:  # keep the versions the campaign already uses selectable
        questionnaires = sorted({*questionnaires, *campaign.questionnaires}, key=lambda q: (q.code, q.version))
    form = CampaignForm(obj=campaign, questionnaires=questionnaires, unit_tree=get_unit_tree())
    if campaign is not None and not form.is_submitted():
        form.purpose.data = campaign.purpose.value
        form.questionnaire_ids.data = [q.id for q in campaign.questionnaires]
        form.unit_ids.data = [u.id for u in campaign.units]
    return form


def _draft(form: CampaignForm) -> CampaignDraft:
    return CampaignDraft(
        name=form.name.data,
        year=form.year.data,
        purpose=CampaignPurpose(form.purpose.data),
        opens_on=form.opens_on.data,
        closes_on=form.closes_on.data,
        questionnaire_ids=form.questionnaire_ids.data,
        unit_ids=form.unit_ids.data,
    )


@bp.route("/campaigns/new", methods=["GET", "POST"])
@officer_required
def new_campaign() -> str | WerkzeugResponse:
    form = _campaign_form()
    if not form.is_submitted():
        form.year.data = local_today().year
    if form.validate_on_submit():
        try:
            campaign = create_campaign(_draft(form))
        except CampaignError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            record_action(AuditAction.CAMPAIGN_CREATED, campaign, name=campaign.name)
            db.session.commit()
            flash(_("Đã tạo đợt điều tra. Kiểm tra lại rồi bấm «Mở đợt điều tra» để bắt đầu nhận phiếu."), "success")
            return redirect(url_for(".campaign", campaign_id=campaign.id))
    return render_template("admin/campaign_form.html", form=form, campaign=None)


@bp.route("/campaigns/<int:campaign_id>/edit", methods=["GET", "POST"])
@officer_required
def edit_campaign(campaign_id: int) -> str | WerkzeugResponse:
    campaign = db.get_or_404(Campaign, campaign_id)
    if campaign.status is not CampaignStatus.DRAFT:
        flash(_("Chỉ sửa được đợt điều tra chưa mở."), "error")
        return redirect(url_for(".campaign", campaign_id=campaign.id))
    form = _campaign_form(campaign)
    if form.validate_on_submit():
        try:
            update_campaign(campaign, _draft(form))
        except CampaignError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            record_action(AuditAction.CAMPAIGN_EDITED, campaign, name=campaign.name)
            db.session.commit()
            flash(_("Đã lưu thay đổi."), "success")
            return redirect(url_for(".campaign", campaign_id=campaign.id))
    return render_template("admin/campaign_form.html", form=form, campaign=campaign)


@bp.route("/campaigns/<int:campaign_id>")
@officer_required
def campaign(campaign_id: int) -> str:
    """A campaign: its status and actions, progress up the unit tree, and its public links.

    A province's campaign has thousands of units and links: both tables come a page at a time
    (``?progress_page=``, ``?links_page=``, ``?counts_page=``).
    """
    campaign = db.get_or_404(Campaign, campaign_id)
    counts = get_response_counts(campaign)
    targets = Page.of(list_qr_targets(campaign), "links_page")
    links = [(target, public_url(target), counts.of_target(target)) for target in targets.rows]
    tree = get_unit_tree()
    rolled_up = roll_up(progress_by_unit(campaign), {unit.id: unit.parent_id for unit, _depth in tree})
    progress = Page.of(
        [(unit, depth, rolled_up[unit.id]) for unit, depth in tree if unit.id in rolled_up], "progress_page"
    )
    return render_template(
        "admin/campaign.html",
        campaign=campaign,
        targets=links,
        targets_page=targets,
        counts=counts,
        progress_rows=progress.rows,
        progress_page=progress,
        count_rows=Page.of(list(counts.units), "counts_page"),
        refused=count_refusals(campaign),
        channels_form=ChannelsForm(campaign),
    )


@bp.post("/campaigns/<int:campaign_id>/channels")
@officer_required
def campaign_channels(campaign_id: int) -> WerkzeugResponse:
    """Close the campaign, or some respondent groups, to the open QR form."""
    campaign = db.get_or_404(Campaign, campaign_id)
    form = ChannelsForm(campaign)
    if form.validate_on_submit():
        set_channels(campaign, is_qr_closed=form.is_qr_closed.data, closed_groups=form.qr_closed_groups.data)
        db.session.commit()
        flash(_("Đã lưu kênh nhận phiếu."), "success")
    else:
        flash(_("Chưa lưu kênh nhận phiếu: hãy chọn lại các nhóm người trả lời."), "error")
    return redirect(url_for(".campaign", campaign_id=campaign.id, _anchor="channels"))


def _transition(
    campaign_id: int, change: Callable[[Campaign], None], action: AuditAction, done: str
) -> WerkzeugResponse:
    campaign = db.get_or_404(Campaign, campaign_id)
    try:
        change(campaign)
    except CampaignError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        record_action(action, campaign)
        db.session.commit()
        flash(done, "success")
        if campaign.is_open and not campaign.accepts(ResponseMode.DESK_QR, local_today()):
            flash(
                _(
                    "Lưu ý: hôm nay nằm ngoài thời gian của đợt (%(start)s – %(end)s) nên mã QR không nhận phiếu; "
                    "vẫn nhập được phiếu giấy.",
                    start=short_date(campaign.opens_on),
                    end=short_date(campaign.closes_on),
                ),
                "warning",
            )
    return redirect(url_for(".campaign", campaign_id=campaign_id))


@bp.post("/campaigns/<int:campaign_id>/open", endpoint="open_campaign")
@officer_required
def open_campaign_view(campaign_id: int) -> WerkzeugResponse:
    return _transition(
        campaign_id,
        open_campaign,
        AuditAction.CAMPAIGN_OPENED,
        _("Đợt điều tra đã mở: người dân có thể trả lời qua mã QR."),
    )


@bp.post("/campaigns/<int:campaign_id>/close", endpoint="close_campaign")
@officer_required
def close_campaign_view(campaign_id: int) -> WerkzeugResponse:
    return _transition(
        campaign_id, close_campaign, AuditAction.CAMPAIGN_CLOSED, _("Đợt điều tra đã kết thúc: không nhận thêm phiếu.")
    )


@bp.post("/campaigns/<int:campaign_id>/reopen", endpoint="reopen_campaign")
@officer_required
def reopen_campaign_view(campaign_id: int) -> WerkzeugResponse:
    return _transition(
        campaign_id, reopen_campaign, AuditAction.CAMPAIGN_REOPENED, _("Đợt điều tra đã mở lại: tiếp tục nhận phiếu.")
    )


def _target_or_404(campaign_id: int, questionnaire_code: str, unit_code: str | None) -> CollectionTarget:
    target = get_collection_target(campaign_id, questionnaire_code, unit_code)
    if target is None:
        abort(404)
    return target


@bp.route("/campaigns/<int:campaign_id>/qr/<questionnaire_code>.png")
@bp.route("/campaigns/<int:campaign_id>/qr/<questionnaire_code>/<unit_code>.png")
@officer_required
def qr_png(campaign_id: int, questionnaire_code: str, unit_code: str | None = None) -> Response:
    url = public_url(_target_or_404(campaign_id, questionnaire_code, unit_code))
    return Response(posters.qr_png(url), mimetype="image/png")


@bp.route("/campaigns/<int:campaign_id>/qr/<questionnaire_code>.svg")
@bp.route("/campaigns/<int:campaign_id>/qr/<questionnaire_code>/<unit_code>.svg")
@officer_required
def qr_svg(campaign_id: int, questionnaire_code: str, unit_code: str | None = None) -> Response:
    url = public_url(_target_or_404(campaign_id, questionnaire_code, unit_code))
    return Response(posters.qr_svg(url), mimetype="image/svg+xml")


@bp.route("/campaigns/<int:campaign_id>/poster/<questionnaire_code>")
@bp.route("/campaigns/<int:campaign_id>/poster/<questionnaire_code>/<unit_code>")
@officer_required
def poster(campaign_id: int, questionnaire_code: str, unit_code: str | None = None) -> str:
    """One target's poster on a page that prints on one A4 sheet."""
    target = _target_or_404(campaign_id, questionnaire_code, unit_code)
    return render_template(
        "admin/posters_print.html", campaign=target.campaign, svgs=[posters.target_poster(target)[1]]
    )


@bp.route("/campaigns/<int:campaign_id>/poster/<questionnaire_code>.svg")
@bp.route("/campaigns/<int:campaign_id>/poster/<questionnaire_code>/<unit_code>.svg")
@officer_required
def poster_svg(campaign_id: int, questionnaire_code: str, unit_code: str | None = None) -> Response:
    """One target's poster as an SVG file (for a print shop or an editor)."""
    _file_name, svg = posters.target_poster(_target_or_404(campaign_id, questionnaire_code, unit_code))
    return Response(svg, mimetype="image/svg+xml")


@bp.route("/campaigns/<int:campaign_id>/posters")
@officer_required
def posters_print(campaign_id: int) -> str:
    """Every poster of the campaign on one page, one per printed A4 sheet."""
    campaign = db.get_or_404(Campaign, campaign_id)
    svgs = [posters.target_poster(target)[1] for target in list_qr_targets(campaign)]
    return render_template("admin/posters_print.html", campaign=campaign, svgs=svgs)


@bp.route("/campaigns/<int:campaign_id>/posters.zip")
@officer_required
def posters_zip(campaign_id: int) -> Response:
    campaign = db.get_or_404(Campaign, campaign_id)
    archive = posters.posters_zip(posters.target_poster(target) for target in list_qr_targets(campaign))
    file_name = f"ap-phich-dot-{campaign.id}-{campaign.year}-{local_today():%Y%m%d}.zip"
    return Response(
        archive, mimetype="application/zip", headers={"Content-Disposition": f'attachment; filename="{file_name}"'}
    )


def _quota_rows(campaign: Campaign) -> list[tuple[Questionnaire, str, str]]:
    """Each questionnaire's rows: all groups together, then each group when it has several."""
    rows = []
    for questionnaire in campaign.questionnaires:
        rows.append((questionnaire, ANY_GROUP, _("Tất cả nhóm")))
        groups = questionnaire.definition.respondent_groups
        if len(groups) > 1:
            rows += [(questionnaire, group.code, localized(group.label)) for group in groups]
    return rows


QUOTA_KINDS = ("per_unit", "total", "minimum")


def _current_per_unit(campaign: Campaign) -> dict[str, int]:
    """The per-unit number of each (questionnaire, group) whose cells all share one target."""
    return {
        quota_field_name(questionnaire_id, group): target
        for (questionnaire_id, group), target in get_uniform_targets(campaign).items()
    }


@bp.route("/campaigns/<int:campaign_id>/quotas", methods=["GET", "POST"])
@officer_required
def quotas(campaign_id: int) -> str | WerkzeugResponse:
    """Quotas per unit × questionnaire × group: typed as rules, previewed, then saved."""
    campaign = db.get_or_404(Campaign, campaign_id)
    rows = _quota_rows(campaign)
    form = QuotaPolicyForm(data={"policy": campaign.quota_policy.value})
    values: Mapping[str, object] = _current_per_unit(campaign)
    plan, problems = None, {}
    if form.validate_on_submit():
        values = request.form
        rules, problems = read_quota_rules(request.form, [(q, group) for q, group, _label in rows])
        if not problems:
            try:
                plan = plan_quotas(campaign, rules, count_frame(campaign))
            except QuotaError as error:
                flash(str(error), "error")
            else:
                if request.form.get("action") == "save":
                    save_quotas(campaign, plan, QuotaPolicy(form.policy.data))
                    record_action(AuditAction.QUOTAS_SAVED, campaign, total=plan.total, policy=form.policy.data)
                    db.session.commit()
                    flash(_("Đã lưu chỉ tiêu: %(total)s phiếu.", total=format_decimal(plan.total)), "success")
                    return redirect(url_for(".campaign", campaign_id=campaign.id))
    return render_template(
        "admin/quotas.html",
        campaign=campaign,
        form=form,
        rows=[
            (q, group, label, {kind: quota_field_name(q.id, group, kind) for kind in QUOTA_KINDS})
            for q, group, label in rows
        ],
        frame_sizes=count_frame(campaign),
        values=values,
        problems=problems,
        plan=plan,
    )


@bp.route("/campaigns/<int:campaign_id>/sample", methods=["GET", "POST"])
@officer_required
@accepts_uploads
def sample(campaign_id: int) -> str | WerkzeugResponse:
    """The sampling frame: import it, see the bad rows, draw the sample, purge contacts."""
    campaign = db.get_or_404(Campaign, campaign_id)
    upload = FrameUploadForm(prefix="frame")
    draw = DrawSampleForm(prefix="draw")
    draw.questionnaire_id.choices = [SelectChoice(q.id, f"{q.code} – {q.title}") for q in campaign.questionnaires]
    if not draw.is_submitted():
        draw.seed.data = new_seed()
    problems = None
    if upload.validate_on_submit():
        file = upload.frame_file.data
        try:
            result = import_frame(campaign, file.filename, file.stream, skip_bad_rows=upload.skip_bad_rows.data)
        except RowsRejected as rejected:
            db.session.rollback()
            problems = report_problems(campaign, rejected)
            flash(
                _(
                    "Tệp có %(count)s lỗi nên chưa nhập dòng nào. Sửa tệp, hoặc chọn bỏ qua các dòng lỗi.",
                    count=format_decimal(rejected.count),
                ),
                "error",
            )
        except (UnreadableTable, FrameAlreadySampled) as error:
            db.session.rollback()
            flash(_("Không nhập được tệp: %(reason)s", reason=str(error)), "error")
        else:
            record_action(
                AuditAction.FRAME_IMPORTED,
                campaign,
                file=file.filename,
                stored=result.stored,
                skipped=result.skipped.rows,
            )
            db.session.commit()
            flash(
                _(
                    "Đã nhập %(stored)s hồ sơ; bỏ qua %(skipped)s dòng lỗi.",
                    stored=format_decimal(result.stored),
                    skipped=format_decimal(result.skipped.rows),
                ),
                "success",
            )
            return redirect(url_for(".sample", campaign_id=campaign.id))
    return render_template(
        "admin/sample.html",
        campaign=campaign,
        upload=upload,
        draw=draw,
        problems=problems,
        frame_counts=count_frame(campaign),
        sample_counts=count_sample(campaign),
        replacements=get_replacements(campaign),
    )


@bp.route("/campaigns/<int:campaign_id>/sample/draw", methods=["POST"])
@officer_required
def draw_sample_view(campaign_id: int) -> WerkzeugResponse:
    campaign = db.get_or_404(Campaign, campaign_id)
    form = DrawSampleForm(prefix="draw")
    form.questionnaire_id.choices = [SelectChoice(q.id, q.code) for q in campaign.questionnaires]
    if not form.validate_on_submit():
        flash(" ".join(error for errors in form.errors.values() for error in errors), "error")
        return redirect(url_for(".sample", campaign_id=campaign.id))
    questionnaire = next(q for q in campaign.questionnaires if q.id == form.questionnaire_id.data)
    try:
        drawn = draw_sample(campaign, questionnaire, form.seed.data.strip(), form.reserve_per_unit.data)
    except SampleError as error:
        flash(str(error), "error")
    else:
        record_action(AuditAction.SAMPLE_DRAWN, campaign, questionnaire=questionnaire.code, seed=form.seed.data.strip())
        db.session.commit()
        flash(
            _(
                "Đã chọn mẫu: %(selected)s người cần liên hệ, %(reserves)s người dự phòng (hạt giống %(seed)s).",
                selected=sum(s.selected for s in drawn),
                reserves=sum(s.reserves for s in drawn),
                seed=form.seed.data.strip(),
            ),
            "success",
        )
    return redirect(url_for(".sample", campaign_id=campaign.id))


@bp.route("/campaigns/<int:campaign_id>/sample/purge-contacts", methods=["POST"])
@officer_required
def purge_contacts_view(campaign_id: int) -> WerkzeugResponse:
    campaign = db.get_or_404(Campaign, campaign_id)
    removed = purge_contacts(campaign)
    record_action(AuditAction.CONTACTS_PURGED, campaign, removed=removed)
    db.session.commit()
    flash(_("Đã xóa thông tin liên hệ của %(count)s người.", count=format_decimal(removed)), "success")
    return redirect(url_for(".sample", campaign_id=campaign.id))


@bp.route("/campaigns/<int:campaign_id>/remuneration", methods=["GET", "POST"])
@officer_required
def remuneration(campaign_id: int) -> str | WerkzeugResponse:
    """The remuneration sheet: forms per unit at the campaign's rates, editable."""
    campaign = db.get_or_404(Campaign, campaign_id)
    form = RatesForm(obj=campaign)
    if form.validate_on_submit():
        try:
            set_rates(campaign, form.rate_per_form.data, form.rate_per_unit.data)
        except RemunerationError as error:
            flash(str(error), "error")
        else:
            record_action(
                AuditAction.RATES_SAVED, campaign, per_form=campaign.rate_per_form, per_unit=campaign.rate_per_unit
            )
            db.session.commit()
            flash(_("Đã lưu mức thù lao."), "success")
            return redirect(url_for(".remuneration", campaign_id=campaign.id))
    return render_template("admin/remuneration.html", campaign=campaign, form=form, rows=remuneration_rows(campaign))


@bp.route("/campaigns/<int:campaign_id>/remuneration.xlsx")
@officer_required
def remuneration_download(campaign_id: int) -> Response:
    campaign = db.get_or_404(Campaign, campaign_id)
    data = remuneration_xlsx(campaign, remuneration_rows(campaign))
    file_name = f"thu-lao-dot-{campaign.id}-{campaign.year}-{local_today():%Y%m%d}.xlsx"
    return recorded_download(campaign, file_name, XLSX_MIMETYPE, lambda: [data])


@bp.route("/campaigns/<int:campaign_id>/sample/links", methods=["POST"])
@officer_required
def issue_links_view(campaign_id: int) -> WerkzeugResponse:
    """New single-use links for the sample, downloaded once as CSV: the service keeps none."""
    campaign = db.get_or_404(Campaign, campaign_id)
    issued = issue_links(campaign)
    if not issued:
        flash(_("Không có người nào cần liên hệ để tạo đường dẫn."), "error")
        return redirect(url_for(".sample", campaign_id=campaign.id))
    data = csv_bytes(links_table(issued))
    record_action(AuditAction.LINKS_ISSUED, campaign, issued=len(issued))
    db.session.commit()
    name = f"duong-dan-dot-{campaign.id}-{local_today():%Y%m%d}.csv"
    return Response(
        data,
        mimetype="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"},
    )
