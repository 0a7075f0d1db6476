"""Officers' page of the API's calling systems: create one (its token shown once), list them, revoke."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.wrappers import Response as WerkzeugResponse

from surveyapp.admin import bp
from surveyapp.admin.forms import CallingSystemForm
from surveyapp.auth.access import officer_required
from surveyapp.extensions import db
from surveyapp.models import CallingSystem, Campaign, CampaignStatus, Questionnaire
from surveyapp.services.calling_systems import (
    CallingSystemError,
    create_calling_system,
    get_calling_systems,
    revoke_calling_system,
)
from surveyapp.services.collection import absolute_url

TEMPLATE = "admin/calling_systems.html"


@bp.route("/calling-systems", methods=["GET", "POST"])
@officer_required
def calling_systems() -> str:
    """The calling systems; a new one's token is shown on the page that created it, and never again."""
    form = CallingSystemForm()
    form.offer(
        list(
            db.session.scalars(
                select(Campaign).where(Campaign.status != CampaignStatus.CLOSED).order_by(Campaign.id.desc())
            )
        )
    )
    token = None
    if form.validate_on_submit():
        campaign_id, _colon, questionnaire_id = form.served.data.partition(":")
        campaign = db.get_or_404(Campaign, int(campaign_id))
        questionnaire = db.get_or_404(Questionnaire, int(questionnaire_id))
        try:
            token = create_calling_system(form.name.data.strip(), campaign, questionnaire, form.unit_codes.data)
        except CallingSystemError as error:
            db.session.rollback()
            form.unit_codes.errors = [str(error)]
        else:
            db.session.commit()
            flash(_("Đã tạo khóa truy cập. Hãy chép khóa ngay: trang này chỉ hiện khóa một lần."), "success")
    return render_template(
        TEMPLATE,
        form=form,
        systems=get_calling_systems(),
        token=token,
        api_url=absolute_url("api.survey_link"),
        openapi_url=absolute_url("api.openapi"),
    )


@bp.post("/calling-systems/<int:system_id>/revoke")
@officer_required
def revoke_calling_system_view(system_id: int) -> WerkzeugResponse:
    """Refuse every later call of a calling system."""
    revoke_calling_system(db.get_or_404(CallingSystem, system_id))
    db.session.commit()
    flash(_("Đã thu hồi khóa truy cập của hệ thống."), "success")
    return redirect(url_for(".calling_systems"))
