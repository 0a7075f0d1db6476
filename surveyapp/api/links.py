"""``POST /api/v1/survey-links``: a dossier's receipt link; ``GET /api/v1/openapi.json``: the description."""

from __future__ import annotations

import base64
import datetime as dt
import unicodedata
from pathlib import Path

from flask import Response, current_app, jsonify, request
from flask_babel import gettext as _

from surveyapp.api import bp, error_response
from surveyapp.extensions import db
from surveyapp.models import CallingSystem
from surveyapp.services.calling_systems import find_calling_system
from surveyapp.services.collection import absolute_url
from surveyapp.services.limits import BUCKET_SECONDS, record_and_count
from surveyapp.services.posters import qr_png
from surveyapp.services.receipt_links import (
    ReceiptRefusal,
    ReturnedDossier,
    format_code,
    give_receipt_link,
    record_refused_call,
)
from surveyapp.services.responses import local_today

OPENAPI = Path(__file__).with_name("openapi.json")
CALLS_SCOPE = "api-calls"
# The body's text fields and their longest length, in the order of ``ReturnedDossier``.
TEXT_FIELDS = {"dossier_code": 60, "unit_code": 40, "procedure_field": 120, "procedure": 300}
DATE_FIELD = "returned_on"
QR_BOX_PIXELS = 8


@bp.get("/openapi.json")
def openapi() -> Response:
    """The API's OpenAPI 3 description (a static document, checked against the routes by the tests)."""
    return current_app.response_class(OPENAPI.read_bytes(), mimetype="application/json")


@bp.post("/survey-links")
def survey_link() -> Response:
    """A dossier's receipt link for an authenticated calling system: 201 when made, 200 when given before."""
    system = _calling_system()
    if isinstance(system, Response):
        return system
    limit = current_app.config["API_CALLS_PER_MINUTE"]
    if record_and_count(CALLS_SCOPE, str(system.id), BUCKET_SECONDS, limit=limit) > limit:
        response = error_response(
            429, "too_many_calls", None, _("Quá nhiều lời gọi trong một phút. Vui lòng thử lại sau.")
        )
        response.headers["Retry-After"] = str(BUCKET_SECONDS)
        return response
    try:
        if system.is_revoked:
            raise ReceiptRefusal(401, "token_revoked", None, _("Khóa truy cập này đã bị thu hồi."))
        given = give_receipt_link(system, _returned_dossier(), local_today())
    except ReceiptRefusal as refusal:
        db.session.rollback()
        record_refused_call(system, refusal)
        db.session.commit()
        response = error_response(refusal.status, refusal.code, refusal.field, refusal.message)
        if refusal.status == 401:
            response.headers["WWW-Authenticate"] = 'Bearer error="invalid_token"'
        return response
    db.session.commit()
    link = absolute_url("respond.receipt_link", code=given.code)
    response = jsonify(
        link=link,
        code=format_code(given.code),
        entry_url=absolute_url("respond.enter_code"),
        qr_png="data:image/png;base64," + base64.b64encode(qr_png(link, QR_BOX_PIXELS)).decode(),
        is_new=given.is_new,
    )
    response.status_code = 201 if given.is_new else 200
    return response


def _calling_system() -> CallingSystem | Response:
    """The calling system the bearer token names, or the 401 answer."""
    scheme, _space, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        response = error_response(
            401, "no_token", None, _("Thiếu khóa truy cập: gửi tiêu đề Authorization: Bearer <khóa>.")
        )
        response.headers["WWW-Authenticate"] = "Bearer"
        return response
    system = find_calling_system(token.strip())
    if system is None:
        response = error_response(401, "bad_token", None, _("Khóa truy cập không đúng."))
        response.headers["WWW-Authenticate"] = 'Bearer error="invalid_token"'
        return response
    return system


def _returned_dossier() -> ReturnedDossier:
    """The request's body as a checked dossier; ``ReceiptRefusal`` naming the first bad field."""
    if not request.is_json:
        raise ReceiptRefusal(415, "not_json", None, _("Nội dung gửi lên phải có kiểu application/json."))
    body = request.get_json(silent=True)
    if body is None:
        raise ReceiptRefusal(400, "bad_json", None, _("Nội dung gửi lên không phải JSON hợp lệ."))
    if not isinstance(body, dict):
        raise ReceiptRefusal(422, "not_an_object", None, _("Nội dung gửi lên phải là một đối tượng JSON."))
    unknown = sorted(set(body) - {*TEXT_FIELDS, DATE_FIELD})
    if unknown:
        raise ReceiptRefusal(
            422, "unknown_field", unknown[0], _("Trường «%(field)s» không có trong API.", field=unknown[0])
        )
    texts = {name: _text(body, name, longest) for name, longest in TEXT_FIELDS.items()}
    return ReturnedDossier(**texts, returned_on=_date(body))


def _text(body: dict, name: str, longest: int) -> str:
    value = body.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ReceiptRefusal(422, "required", name, _("Thiếu trường bắt buộc «%(field)s».", field=name))
    if not isinstance(value, str):
        raise ReceiptRefusal(422, "not_a_string", name, _("Trường «%(field)s» phải là chuỗi ký tự.", field=name))
    value = unicodedata.normalize("NFC", value).strip()
    if len(value) > longest:
        raise ReceiptRefusal(
            422, "too_long", name, _("Trường «%(field)s» dài tối đa %(count)d ký tự.", field=name, count=longest)
        )
    if any(unicodedata.category(character) in ("Cc", "Cf") for character in value):
        raise ReceiptRefusal(422, "bad_characters", name, _("Trường «%(field)s» chứa ký tự điều khiển.", field=name))
    return value


def _date(body: dict) -> dt.date:
    value = body.get(DATE_FIELD)
    if value is None:
        raise ReceiptRefusal(422, "required", DATE_FIELD, _("Thiếu trường bắt buộc «%(field)s».", field=DATE_FIELD))
    try:
        if not isinstance(value, str) or len(value) != len("2025-01-31"):
            raise ValueError
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise ReceiptRefusal(
            422, "not_a_date", DATE_FIELD, _("Trường «%(field)s» phải là ngày dạng YYYY-MM-DD.", field=DATE_FIELD)
        ) from None
    if day > local_today():
        raise ReceiptRefusal(422, "in_the_future", DATE_FIELD, _("Ngày trả kết quả không được sau ngày hôm nay."))
    return day
