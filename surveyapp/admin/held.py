"""Officers' review of held QR forms (``services.held``) and the desk devices never held."""

from __future__ import annotations

import datetime as dt

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import format_decimal
from flask_babel import gettext as _
from werkzeug.wrappers import Response as WerkzeugResponse

from surveyapp.admin import bp
from surveyapp.admin.forms import DeskDeviceForm
from surveyapp.admin.loading import loads_campaign
from surveyapp.auth.access import officer_required
from surveyapp.extensions import db
from surveyapp.models import Campaign, DeskDevice
from surveyapp.services.devices import (
    get_desk_devices,
    register_desk_device,
    revoke_desk_device,
    set_device_cookie,
)
from surveyapp.services.held import NoHeldBatch, accept_held_batch, parse_hour, reject_held_batch


def _hour_or_404(hour_key: str) -> dt.datetime:
    """The UTC hour a review address names (a batch with no form is a 404 too)."""
    hour = parse_hour(hour_key)
    if hour is None:
        abort(404)
    return hour


@bp.post("/campaigns/<int:campaign_id>/held/<source_tag>/<hour_key>/accept")
@officer_required
@loads_campaign
def accept_held(campaign: Campaign, source_tag: str, hour_key: str) -> WerkzeugResponse:
    """Count a batch of held forms: store them as responses."""
    hour = _hour_or_404(hour_key)
    try:
        accepted = accept_held_batch(campaign, source_tag, hour)
    except NoHeldBatch:
        abort(404)
    db.session.commit()
    flash(_("Đã tính %(count)s phiếu tạm giữ.", count=format_decimal(accepted.stored)), "success")
    if accepted.quota_full:
        flash(
            _(
                "%(count)s phiếu không được lưu vì ô chỉ tiêu phiếu của chúng đã đủ.",
                count=format_decimal(accepted.quota_full),
            ),
            "warning",
        )
    return redirect(url_for(".results", campaign_id=campaign.id, _anchor="held"))


@bp.post("/campaigns/<int:campaign_id>/held/<source_tag>/<hour_key>/reject")
@officer_required
@loads_campaign
def reject_held(campaign: Campaign, source_tag: str, hour_key: str) -> WerkzeugResponse:
    """Drop a batch of held forms for good."""
    hour = _hour_or_404(hour_key)
    try:
        rejected = reject_held_batch(campaign, source_tag, hour)
    except NoHeldBatch:
        abort(404)
    db.session.commit()
    flash(_("Đã loại %(count)s phiếu tạm giữ.", count=format_decimal(rejected)), "success")
    return redirect(url_for(".results", campaign_id=campaign.id, _anchor="held"))


@bp.route("/devices", methods=["GET", "POST"])
@officer_required
def devices() -> str | WerkzeugResponse:
    """Desk devices: register the tablet this page is open on, list and revoke them."""
    form = DeskDeviceForm()
    if form.validate_on_submit():
        token = register_desk_device(form.name.data.strip())
        db.session.commit()
        flash(_("Đã đăng ký thiết bị này: phiếu gửi từ thiết bị không bị tạm giữ."), "success")
        response = redirect(url_for(".devices"))
        set_device_cookie(response, token)
        return response
    return render_template("admin/devices.html", form=form, devices=get_desk_devices())


@bp.post("/devices/<int:device_id>/revoke")
@officer_required
def revoke_device(device_id: int) -> WerkzeugResponse:
    """Stop trusting a desk device."""
    revoke_desk_device(db.get_or_404(DeskDevice, device_id))
    db.session.commit()
    flash(_("Đã thu hồi thiết bị."), "success")
    return redirect(url_for(".devices"))
