"""Typing in forms without a signal: the installable app's files, keys for forms typed offline,
and where the phone sends the forms it kept (``static/field-offline.js``, README "Working
without a signal").

A served page carries one form key; a phone that goes on typing forms from that page offline
needs one key per form. While online, the page asks ``keys`` for a small batch, each a normal
signed key for the same form (``issue_form_key``), accepted for ``FIELD_KEY_MAX_AGE`` as every
form a surveyor types in (``form_keys.key_max_age``); the phone gives one to each form it keeps
or posts, so a form sent twice (a lost answer, a second tap on reconnecting) is stored once.
``send`` stores one kept form and says, in JSON, what became of it.
"""

from __future__ import annotations

from flask import abort, current_app, jsonify, request, send_from_directory, url_for
from flask_babel import gettext as _
from flask_login import login_required
from flask_wtf.csrf import generate_csrf
from werkzeug.wrappers import Response as WerkzeugResponse

from surveyapp.answering import field_labels, problem_message, receive_submission
from surveyapp.extensions import db
from surveyapp.field import bp
from surveyapp.field.views import (
    MODE_FIELD,
    SERIAL_FIELD,
    TYPED_MODES,
    given_by_serial,
    point_for_current_user,
    serial_spender,
)
from surveyapp.form_keys import issue_form_key
from surveyapp.models import ResponseMode
from surveyapp.services.paper_forms import PaperFormError, normalize_serial
from surveyapp.services.responses import CampaignNotCollecting, local_today

# Android's Chrome installs an app only with PNG icons of 192 and 512 px, one of them "maskable"
# (drawn to the edges: the launcher cuts its own shape out of it). They are static/favicon.svg
# rendered once by Chromium (README "Working without a signal" says how) and committed.
PNG_ICONS = (("icon-192.png", 192, "any"), ("icon-512.png", 512, "any"), ("icon-maskable-512.png", 512, "maskable"))
# Keys handed to a phone at a time: a day's forms for one point seldom exceed it, and the page
# asks for more whenever it is online with fewer than half left.
KEY_BATCH = 10


@bp.route("/service-worker")
def service_worker() -> WerkzeugResponse:
    """The service worker, served under /field/ so that its scope covers the surveyors' pages.

    Like every page of the blueprint it is ``no-store``: a phone fetches it afresh on each
    visit, so a fixed worker reaches it at once.
    """
    return send_from_directory(current_app.static_folder or "", "field-sw.js", mimetype="text/javascript")


@bp.route("/app-manifest")
def manifest() -> WerkzeugResponse:
    """What a phone needs to install the surveyors' pages as an app that opens on their list."""
    response = jsonify(
        name=_("Khảo sát CCHC — Điều tra viên"),
        short_name=_("Điều tra viên"),
        start_url=url_for(".home"),
        scope=url_for(".home"),
        display="standalone",
        lang="vi",
        background_color="#ffffff",
        theme_color="#1d4e89",
        icons=[{"src": url_for("static", filename="favicon.svg"), "sizes": "any", "type": "image/svg+xml"}]
        + [
            {
                "src": url_for("static", filename=name),
                "sizes": f"{size}x{size}",
                "type": "image/png",
                "purpose": purpose,
            }
            for name, size, purpose in PNG_ICONS
        ],
    )
    response.mimetype = "application/manifest+json"
    return response


@bp.route("/keys/<int:campaign_id>/<questionnaire_code>")
@bp.route("/keys/<int:campaign_id>/<questionnaire_code>/<unit_code>")
@login_required
def keys(campaign_id: int, questionnaire_code: str, unit_code: str | None = None) -> WerkzeugResponse:
    """A batch of form keys for this form and a CSRF token, for forms typed in without a signal."""
    point = point_for_current_user(campaign_id, questionnaire_code, unit_code)
    return jsonify(keys=[issue_form_key(point) for _ in range(KEY_BATCH)], csrf_token=generate_csrf())


@bp.route("/send/<int:campaign_id>/<questionnaire_code>", methods=["POST"])
@bp.route("/send/<int:campaign_id>/<questionnaire_code>/<unit_code>", methods=["POST"])
@login_required
def send(campaign_id: int, questionnaire_code: str, unit_code: str | None = None) -> WerkzeugResponse:
    """Store one form kept on a phone; JSON ``result``: ``stored``, ``stored_before`` (sent
    already), ``wait`` (too soon: send again later) or ``refused`` with its ``reason``."""
    point = point_for_current_user(campaign_id, questionnaire_code, unit_code)
    mode = next((m for m in TYPED_MODES if m.value == request.form.get(MODE_FIELD)), None)
    if mode is None:
        abort(400)
    if not point.campaign.accepts(ResponseMode.PAPER, local_today()):  # as every typed-in mode
        return _refused(_("Đợt điều tra không ở trạng thái đang mở nên không nhập được phiếu."))
    serial = normalize_serial(request.form.get(SERIAL_FIELD, ""))
    try:
        outcome = receive_submission(
            point, mode, before_commit=serial_spender(serial), given=given_by_serial(point, serial)
        )
    except CampaignNotCollecting:
        return _refused(_("Đợt điều tra đã kết thúc nên không nhập được phiếu."))
    except PaperFormError as error:  # a serial no batch printed, or typed in already
        db.session.rollback()
        return _refused(str(error))
    if outcome.was_stored_before:
        return jsonify(result="stored_before")
    if outcome.is_stored:
        return jsonify(result="stored")
    if outcome.is_quota_full:
        return _refused(_("Nhóm này đã đủ số phiếu theo chỉ tiêu; phiếu không được lưu."))
    if outcome.problems:
        labels = field_labels(point)
        return _refused(
            "; ".join(
                f"{labels.get(name, name)}: {problem_message(problem)}" for name, problem in outcome.problems.items()
            )
        )
    if outcome.status == 422:  # sent sooner than the form can be answered: kept, sent again later
        return jsonify(result="wait", reason=outcome.notice)
    return _refused(str(outcome.notice))


def _refused(reason: str) -> WerkzeugResponse:
    return jsonify(result="refused", reason=reason)
