"""Officers' campaigns: the list, creating and editing one, opening and closing it, and its page."""

from __future__ import annotations

from collections.abc import Callable

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response as WerkzeugResponse

from surveyapp.admin import bp
from surveyapp.admin.forms import CampaignForm, ChannelsForm
from surveyapp.admin.loading import loads_campaign
from surveyapp.auth.access import officer_required
from surveyapp.extensions import db
from surveyapp.i18n import short_date
from surveyapp.models import Campaign, CampaignPurpose, CampaignStatus, ResponseMode
from surveyapp.paging import Page
from surveyapp.services.campaigns import (
    CampaignDraft,
    CampaignError,
    close_campaign,
    create_campaign,
    get_campaigns,
    get_response_counts,
    open_campaign,
    reopen_campaign,
    set_channels,
    update_campaign,
)
from surveyapp.services.catalog import get_latest_questionnaires
from surveyapp.services.collection import list_qr_points, public_url
from surveyapp.services.quotas import count_refusals, partial_quotas, progress_by_unit, quota_group_labels, roll_up
from surveyapp.services.responses import local_today
from surveyapp.services.units import get_unit_tree


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
            db.session.commit()
            flash(_("Đã tạo đợt điều tra. Kiểm tra lại rồi bấm «Mở đợt điều tra» để bắt đầu nhận phiếu."), "success")
            return redirect(url_for(".campaign", campaign_id=campaign.id))
    return render_template("admin/campaign_form.html", form=form, campaign=None)


@bp.route("/campaigns/<int:campaign_id>/edit", methods=["GET", "POST"])
@officer_required
@loads_campaign
def edit_campaign(campaign: Campaign) -> str | WerkzeugResponse:
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
            db.session.commit()
            flash(_("Đã lưu thay đổi."), "success")
            return redirect(url_for(".campaign", campaign_id=campaign.id))
    return render_template("admin/campaign_form.html", form=form, campaign=campaign)


@bp.route("/campaigns/<int:campaign_id>")
@officer_required
@loads_campaign
def campaign(campaign: Campaign) -> str:
    """A campaign: its status and actions, progress up the unit tree, and its public links.

    A province's campaign has thousands of units and links: both tables come a page at a time
    (``?progress_page=``, ``?links_page=``, ``?counts_page=``).
    """
    counts = get_response_counts(campaign)
    points = Page.of(list_qr_points(campaign), "links_page")
    links = []
    for point in points.rows:
        collected = counts.of_point(point)
        links.append((point, public_url(point), collected, quota_group_labels(collected, point.questionnaire)))
    tree = get_unit_tree(campaign)
    rolled_up = roll_up(progress_by_unit(counts.by_cell), {unit.id: unit.parent_id for unit, _depth in tree})
    progress = Page.of(
        [(unit, depth, rolled_up[unit.id]) for unit, depth in tree if unit.id in rolled_up], "progress_page"
    )
    return render_template(
        "admin/campaign.html",
        campaign=campaign,
        points=links,
        points_page=points,
        counts=counts,
        progress_rows=progress.rows,
        progress_page=progress,
        count_rows=Page.of(list(counts.units), "counts_page"),
        refused=count_refusals(campaign),
        partial_quotas=partial_quotas(campaign, counts.by_cell),
        channels_form=ChannelsForm(campaign),
    )


@bp.post("/campaigns/<int:campaign_id>/channels")
@officer_required
@loads_campaign
def campaign_channels(campaign: Campaign) -> WerkzeugResponse:
    """Close the campaign, or some respondent groups, to the open QR form."""
    form = ChannelsForm(campaign)
    if form.validate_on_submit():
        set_channels(campaign, is_qr_closed=form.is_qr_closed.data, closed_groups=form.qr_closed_groups.data)
        db.session.commit()
        flash(_("Đã lưu kênh nhận phiếu."), "success")
    else:
        flash(_("Chưa lưu kênh nhận phiếu: hãy chọn lại các nhóm người trả lời."), "error")
    return redirect(url_for(".campaign", campaign_id=campaign.id, _anchor="channels"))


def _transition(campaign: Campaign, change: Callable[[Campaign], None], done: str) -> WerkzeugResponse:
    try:
        change(campaign)
    except CampaignError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
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
    return redirect(url_for(".campaign", campaign_id=campaign.id))


@bp.post("/campaigns/<int:campaign_id>/open", endpoint="open_campaign")
@officer_required
@loads_campaign
def open_campaign_view(campaign: Campaign) -> WerkzeugResponse:
    return _transition(
        campaign,
        open_campaign,
        _("Đợt điều tra đã mở: người dân có thể trả lời qua mã QR."),
    )


@bp.post("/campaigns/<int:campaign_id>/close", endpoint="close_campaign")
@officer_required
@loads_campaign
def close_campaign_view(campaign: Campaign) -> WerkzeugResponse:
    return _transition(campaign, close_campaign, _("Đợt điều tra đã kết thúc: không nhận thêm phiếu."))


@bp.post("/campaigns/<int:campaign_id>/reopen", endpoint="reopen_campaign")
@officer_required
@loads_campaign
def reopen_campaign_view(campaign: Campaign) -> WerkzeugResponse:
    return _transition(campaign, reopen_campaign, _("Đợt điều tra đã mở lại: tiếp tục nhận phiếu."))
