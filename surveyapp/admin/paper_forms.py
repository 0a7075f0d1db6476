"""Officers' page of the printed paper forms: per unit its batches (printed, handed out,
returned; voided apart) and the paper forms typed in, where to record a batch's hand-out and
returns or void it (``field.void_paper_batch``), and where to print a batch for each unit."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response as WerkzeugResponse

from surveyapp.admin import bp
from surveyapp.admin.downloads import recorded_download
from surveyapp.admin.loading import loads_campaign
from surveyapp.auth.access import officer_required
from surveyapp.extensions import db
from surveyapp.models import Campaign, PaperBatch
from surveyapp.services.audit import local_time
from surveyapp.services.collection import list_collection_points
from surveyapp.services.paper_forms import (
    MAX_HANDED_TO,
    MAX_VOID_REASON,
    HandOut,
    PaperFormError,
    count_paper_forms,
    get_batch,
    group_label,
    paper_forms_xlsx,
    record_hand_out,
    void_label,
)
from surveyapp.services.responses import local_today


@bp.route("/campaigns/<int:campaign_id>/paper-forms")
@officer_required
@loads_campaign
def paper_forms(campaign: Campaign) -> str:
    """Printed batches per unit (printed, handed out, returned, typed in), and a print link per unit."""
    return paper_forms_page(campaign)[0]


def paper_forms_page(
    campaign: Campaign, status: int = 200, kept: tuple[int, MultiDict] | None = None
) -> tuple[str, int]:
    """The page; ``kept`` is a refused hand-out form (its batch number and what was typed), shown
    again open with what was typed."""
    points = list_collection_points(campaign)
    return render_template(
        "admin/paper_forms.html",
        campaign=campaign,
        paper=count_paper_forms(campaign),
        points=points,
        kept=kept,
        local_time=local_time,
        void_label=void_label,
        group_label=group_label,
        max_handed_to=MAX_HANDED_TO,
        max_void_reason=MAX_VOID_REASON,
    ), status


@bp.route("/campaigns/<int:campaign_id>/paper-forms.xlsx")
@officer_required
@loads_campaign
def paper_forms_download(campaign: Campaign) -> Response:
    """The page's table of batches as a workbook, recorded as an export."""
    data = paper_forms_xlsx(count_paper_forms(campaign))
    file_name = f"phieu-giay-dot-{campaign.id}-{campaign.year}-{local_today():%Y%m%d}.xlsx"
    return recorded_download(campaign, file_name, lambda: [data])


def batch_or_404(campaign: Campaign, number: int) -> PaperBatch:
    batch = get_batch(campaign, number)
    if batch is None:
        abort(404)
    return batch


def hand_out_of(form: MultiDict) -> HandOut:
    """The hand-out form as a ``HandOut``; ``PaperFormError`` names a field that is not a whole number."""
    counts = {}
    for name, label, required in (
        ("handed_out", _("Số phiếu đã phát"), True),
        ("returned", _("Số phiếu đã thu về"), False),
    ):
        text = form.get(name, "").strip()
        if not text and not required:
            text = "0"
        if not text.isdigit():
            raise PaperFormError(
                _("%(field)s: phải là một số nguyên không âm; đã nhập «%(value)s».", field=label, value=text)
            )
        counts[name] = int(text)
    return HandOut(counts["handed_out"], form.get("handed_to", ""), counts["returned"])


@bp.route("/campaigns/<int:campaign_id>/paper-forms/<int:number>/hand-out", methods=["POST"])
@officer_required
@loads_campaign
def record_paper_hand_out(campaign: Campaign, number: int) -> tuple[str, int] | WerkzeugResponse:
    """Record how many forms of a batch were handed out (to whom) and came back."""
    batch = batch_or_404(campaign, number)
    try:
        record_hand_out(batch, hand_out_of(request.form))
    except PaperFormError as error:
        db.session.rollback()
        flash(str(error), "error")
        return paper_forms_page(campaign, 422, (number, request.form))
    db.session.commit()
    flash(_("Đã ghi số phiếu đã phát, đã thu về của lô số %(number)d.", number=number), "success")
    return redirect(url_for(".paper_forms", campaign_id=campaign.id))
