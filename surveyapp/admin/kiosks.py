"""Officers' desk kiosks of a campaign: register the tablet this page is open on, and the quick rating's index."""

from __future__ import annotations

from flask import current_app, make_response, render_template
from flask_babel import gettext as _
from werkzeug.wrappers import Response as WerkzeugResponse

from surveyapp.admin import bp
from surveyapp.admin.downloads import recorded_download
from surveyapp.admin.forms import KioskForm
from surveyapp.admin.loading import loads_campaign
from surveyapp.auth.access import officer_required
from surveyapp.extensions import db
from surveyapp.i18n import localized
from surveyapp.models import Campaign
from surveyapp.services.collection import get_collection_point
from surveyapp.services.devices import KioskSetup, get_desk_devices, register_desk_device, set_device_cookie
from surveyapp.services.quick_ratings import query_comments, query_rating_index, rating_index_table
from surveyapp.services.responses import local_today
from surveyapp.tables.writing import csv_bytes


def _kiosk_form(campaign: Campaign) -> KioskForm:
    form = KioskForm()
    form.questionnaire_code.choices = [
        (questionnaire.code, f"{questionnaire.code} — {localized(questionnaire.definition.title)}")
        for questionnaire in campaign.questionnaires
        if not questionnaire.definition.is_matrix
    ]
    return form


def _kiosk_setup(campaign: Campaign, form: KioskForm) -> KioskSetup | None:
    """The kiosk the valid form describes, or ``None`` with the unit field's error."""
    unit_code = form.unit_code.data.strip()
    point = get_collection_point(campaign.id, form.questionnaire_code.data, unit_code)
    if point is None or point.unit is None:
        form.unit_code.errors.append(
            _(
                "Đơn vị có mã “%(code)s” không thuộc đợt điều tra này hoặc không được đánh giá bằng mẫu phiếu đã chọn.",
                code=unit_code,
            )
        )
        return None
    return KioskSetup(
        campaign=campaign,
        questionnaire=point.questionnaire,
        unit=point.unit,
        has_quick_rating=form.has_quick_rating.data,
        counters=form.counters.data,
    )


@bp.route("/campaigns/<int:campaign_id>/kiosks", methods=["GET", "POST"])
@officer_required
@loads_campaign
def kiosks(campaign: Campaign) -> str | WerkzeugResponse:
    """The campaign's kiosks and quick rating index; registering makes this tablet a kiosk.

    The device's token is shown once, on the page that answers the registration (never kept).
    """
    form = _kiosk_form(campaign)
    token = None
    if form.validate_on_submit() and (setup := _kiosk_setup(campaign, form)) is not None:
        token = register_desk_device(form.name.data.strip(), setup)
        db.session.commit()
    page = render_template(
        "admin/kiosks.html",
        campaign=campaign,
        form=form,
        token=token,
        kiosks=get_desk_devices(campaign),
        ratings=query_rating_index(campaign),
        comments=query_comments(campaign),
        min_answers=current_app.config["COUNTER_MIN_ANSWERS"],
    )
    response = make_response(page)
    if token is not None:
        set_device_cookie(response, token)
    return response


@bp.get("/campaigns/<int:campaign_id>/quick-ratings.csv")
@officer_required
@loads_campaign
def quick_ratings_csv(campaign: Campaign) -> WerkzeugResponse:
    """The quick rating index of the campaign's kiosks, as on the page, as CSV."""
    data = csv_bytes(rating_index_table(query_rating_index(campaign)))
    return recorded_download(campaign, f"danh-gia-nhanh-{campaign.id}-{local_today():%Y%m%d}.csv", lambda: [data])
