"""The desk kiosk: a registered tablet showing one questionnaire to one person after another.

Only a browser carrying a kiosk's device cookie (``services.devices``) opens these pages; any
other gets a 404. Each page is ``no-store`` (``security.NO_STORE_ENDPOINTS``) and its form
``autocomplete=off``, every blank form has a fresh key, and nothing of an answer is kept in a
cookie or session: the next person finds nothing of the last one's, not even behind the back
button. ``static/kiosk.js`` sends the page back to the start after ``KIOSK_IDLE_SECONDS``
without a touch, and the thank-you screen after ``KIOSK_THANKS_SECONDS`` (a script, not a
meta refresh, so that a touch holds the screen: WCAG 2.2.1). Citizens' own phones never get
that script.
"""

from __future__ import annotations

from flask import abort, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response as WerkzeugResponse
from wtforms import Form, RadioField, SelectField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from surveyapp.extensions import db
from surveyapp.form_keys import FORM_KEY_FIELD, check_form_key, issue_form_key, minimum_seconds
from surveyapp.models import DeskDevice, ResponseMode
from surveyapp.respond import bp
from surveyapp.respond.views import answer_as_qr_form, not_collecting_page
from surveyapp.services.collection import CollectionPoint, get_collection_point
from surveyapp.services.devices import DEVICE_COOKIE, get_desk_device, set_device_cookie
from surveyapp.services.quick_ratings import COMMENT_MAX_LENGTH, RATINGS, QuickRatingDraft, submit_quick_rating
from surveyapp.services.responses import DuplicateSubmission, local_today, spend_form_key


def check_kiosk_settings(config: dict) -> None:
    """Refuse to start with kiosk settings that make no sense, naming the setting."""
    for name, least in (("KIOSK_IDLE_SECONDS", 1), ("KIOSK_THANKS_SECONDS", 1), ("COUNTER_MIN_ANSWERS", 1)):
        if int(config[name]) < least:
            raise ValueError(f"{name}: must be at least {least}, got {config[name]}")


def _kiosk_or_404() -> DeskDevice:
    device = get_desk_device(request.cookies.get(DEVICE_COOKIE))
    if device is None or not device.is_kiosk:
        abort(404)
    return device


def _point_of(kiosk: DeskDevice) -> CollectionPoint:
    assert kiosk.campaign_id is not None and kiosk.questionnaire is not None and kiosk.unit is not None
    point = get_collection_point(kiosk.campaign_id, kiosk.questionnaire.code, kiosk.unit.code)
    if point is None:  # the unit left the campaign since
        abort(404)
    return point


def _kiosk_context(kiosk: DeskDevice, idle_setting: str = "KIOSK_IDLE_SECONDS") -> dict[str, object]:
    """What every kiosk page needs: the kiosk, and the idle delay before it returns to the start."""
    return {"kiosk": kiosk, "idle_seconds": current_app.config[idle_setting]}


@bp.route("/kiosk")
def kiosk_start() -> WerkzeugResponse:
    """The start of a kiosk: the quick rating when it has one, else the questionnaire."""
    kiosk = _kiosk_or_404()
    return redirect(url_for(".kiosk_rating" if kiosk.has_quick_rating else ".kiosk"))


@bp.route("/kiosk/enrol", methods=["GET", "POST"])
def kiosk_enrol() -> tuple[str, int] | WerkzeugResponse:
    """Make this tablet a kiosk by typing the token shown once when an officer registered it elsewhere."""
    problem = None
    if request.method == "POST":
        token = request.form.get("token", "").strip()
        device = get_desk_device(token)
        if device is not None and device.is_kiosk:
            response = redirect(url_for(".kiosk_start"))
            set_device_cookie(response, token)
            return response
        problem = _("Mã thiết bị không đúng hoặc thiết bị đã bị thu hồi. Vui lòng kiểm tra lại.")
    return render_template("respond/kiosk_enrol.html", problem=problem), 422 if problem else 200


@bp.route("/kiosk/form", methods=["GET", "POST"])
def kiosk() -> tuple[str, int] | WerkzeugResponse:
    """The kiosk's questionnaire, answered as a QR form is, from a device never held or limited."""
    kiosk = _kiosk_or_404()
    return answer_as_qr_form(_point_of(kiosk), url_for(".kiosk_thanks"), **_kiosk_context(kiosk))


class QuickRatingForm(Form):
    """The quick rating: a face from 1 (very unhappy) to 5 (very happy), a comment, the counter."""

    rating = RadioField(coerce=int, validators=[InputRequired()])
    comment = TextAreaField(validators=[Optional(), Length(max=COMMENT_MAX_LENGTH)])
    counter = SelectField(coerce=lambda value: int(value) if value else None, validators=[Optional()])

    def __init__(self, formdata: object, counters: int) -> None:
        super().__init__(formdata)
        self.rating.choices = [(rating, str(rating)) for rating in RATINGS]
        self.counter.choices = [("", "")] + [(number, str(number)) for number in range(1, counters + 1)]

    def errors_by_field(self) -> dict[str, str]:
        """A Vietnamese message per refused field."""
        messages = {
            "rating": _("Vui lòng chạm vào một mặt cười."),
            "comment": _("Góp ý dài quá %(max)s ký tự. Vui lòng rút gọn.", max=COMMENT_MAX_LENGTH),
            "counter": _("Quầy này không có trong danh sách. Vui lòng chọn lại."),
        }
        return {name: messages[name] for name in self.errors}

    def draft(self) -> QuickRatingDraft:
        comment = (self.comment.data or "").strip()
        return QuickRatingDraft(rating=self.rating.data, comment=comment or None, counter=self.counter.data)


@bp.route("/kiosk/rating", methods=["GET", "POST"])
def kiosk_rating() -> tuple[str, int] | WerkzeugResponse:
    """The one-screen quick rating of a kiosk that has it; stored apart from the SIPAS forms."""
    kiosk = _kiosk_or_404()
    if not kiosk.has_quick_rating:
        abort(404)
    assert kiosk.campaign is not None
    if not kiosk.campaign.accepts(ResponseMode.DESK_QR, local_today()):
        return not_collecting_page(kiosk.campaign)
    form = QuickRatingForm(request.form if request.method == "POST" else None, kiosk.counters)
    # A one-time key, as every form has: a double tap stores one rating. The rating has no
    # minimum time (one tap is its whole answer), hence a key credited with the form's.
    point = _point_of(kiosk)
    problems: dict[str, str] = {}
    if request.method == "POST":
        checked = check_form_key(request.form.get(FORM_KEY_FIELD, ""), point)
        if checked.digest is None:  # forged, or served more than FORM_KEY_MAX_AGE ago
            problems = {"rating": _("Phiếu đánh giá đã quá hạn. Vui lòng chạm lại vào một mặt cười.")}
        elif form.validate():
            try:
                spend_form_key(checked.digest, local_today())
            except DuplicateSubmission:  # sent twice: the first one is stored
                db.session.rollback()
                return redirect(url_for(".kiosk_thanks"))
            submit_quick_rating(kiosk, form.draft())
            db.session.commit()
            return redirect(url_for(".kiosk_thanks"))
        else:
            problems = form.errors_by_field()
        status = 422
    else:
        status = 200
    page = render_template(
        "respond/kiosk_rating.html",
        form=form,
        form_key=issue_form_key(point, credit_seconds=minimum_seconds(point)),
        problems=problems,
        comment_max_length=COMMENT_MAX_LENGTH,
        **_kiosk_context(kiosk),
    )
    return page, status


@bp.route("/kiosk/thanks")
def kiosk_thanks() -> str:
    """The kiosk's thank-you screen, which returns to the start by itself."""
    kiosk = _kiosk_or_404()
    return render_template("respond/kiosk_thanks.html", **_kiosk_context(kiosk, "KIOSK_THANKS_SECONDS"))
