"""Officers' remuneration sheet: the campaign's rates, forms and pay per unit, and its workbook;
the sign-off sheets of the respondents paid in person, to print and as a workbook."""

from __future__ import annotations

from flask import Response, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response as WerkzeugResponse

from surveyapp.admin import bp
from surveyapp.admin.downloads import recorded_download
from surveyapp.admin.forms import RatesForm
from surveyapp.admin.loading import loads_campaign
from surveyapp.auth.access import officer_required
from surveyapp.extensions import db
from surveyapp.models import Campaign
from surveyapp.services.remuneration import (
    RemunerationError,
    remuneration_rows,
    remuneration_xlsx,
    set_rates,
    sign_off_xlsx,
)
from surveyapp.services.responses import local_today
from surveyapp.services.results.exports import MODE_LABELS


@bp.route("/campaigns/<int:campaign_id>/remuneration", methods=["GET", "POST"])
@officer_required
@loads_campaign
def remuneration(campaign: Campaign) -> str | WerkzeugResponse:
    """The remuneration sheet: forms per unit at the campaign's rates, editable."""
    form = RatesForm(obj=campaign)
    if form.validate_on_submit():
        try:
            set_rates(campaign, form.rate_per_form.data, form.rate_per_unit.data)
        except RemunerationError as error:
            flash(str(error), "error")
        else:
            db.session.commit()
            flash(_("Đã lưu mức thù lao."), "success")
            return redirect(url_for(".remuneration", campaign_id=campaign.id))
    rows = remuneration_rows(campaign)
    return render_template("admin/remuneration.html", campaign=campaign, form=form, rows=rows, mode_labels=MODE_LABELS)


@bp.route("/campaigns/<int:campaign_id>/remuneration.xlsx")
@officer_required
@loads_campaign
def remuneration_download(campaign: Campaign) -> Response:
    data = remuneration_xlsx(campaign, remuneration_rows(campaign))
    file_name = f"thu-lao-dot-{campaign.id}-{campaign.year}-{local_today():%Y%m%d}.xlsx"
    return recorded_download(campaign, file_name, lambda: [data])


@bp.route("/campaigns/<int:campaign_id>/remuneration/sign-off")
@officer_required
@loads_campaign
def sign_off(campaign: Campaign) -> str:
    """The sign-off sheets to print on A4 (or save as PDF from the browser): one per unit."""
    rows = [row for row in remuneration_rows(campaign) if row.in_person_forms]
    return render_template("admin/sign_off_print.html", campaign=campaign, rows=rows)


@bp.route("/campaigns/<int:campaign_id>/remuneration/sign-off.xlsx")
@officer_required
@loads_campaign
def sign_off_download(campaign: Campaign) -> Response:
    data = sign_off_xlsx(campaign, remuneration_rows(campaign))
    file_name = f"ky-nhan-dot-{campaign.id}-{campaign.year}-{local_today():%Y%m%d}.xlsx"
    return recorded_download(campaign, file_name, lambda: [data])
