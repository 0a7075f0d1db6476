"""Officers' remuneration sheet: the campaign's rates, forms and pay per unit, and its workbook."""

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
from surveyapp.services.remuneration import RemunerationError, remuneration_rows, remuneration_xlsx, set_rates
from surveyapp.services.responses import local_today


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
    return render_template("admin/remuneration.html", campaign=campaign, form=form, rows=remuneration_rows(campaign))


@bp.route("/campaigns/<int:campaign_id>/remuneration.xlsx")
@officer_required
@loads_campaign
def remuneration_download(campaign: Campaign) -> Response:
    data = remuneration_xlsx(campaign, remuneration_rows(campaign))
    file_name = f"thu-lao-dot-{campaign.id}-{campaign.year}-{local_today():%Y%m%d}.xlsx"
    return recorded_download(campaign, file_name, lambda: [data])
