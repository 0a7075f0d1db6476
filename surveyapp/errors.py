"""Error pages: a clear message in the user's language, never a traceback."""

from __future__ import annotations

from flask import Flask, Response, current_app, make_response, render_template, request
from flask_babel import format_decimal
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

from surveyapp.admin.uploads import is_officers_upload
from surveyapp.extensions import db
from surveyapp.i18n import file_size
from surveyapp.unit.evidence import is_evidence_upload


def init_app(app: Flask) -> None:
    """Register the handlers that turn HTTP errors and crashes into friendly pages."""
    app.register_error_handler(HTTPException, error_page)

    @app.errorhandler(Exception)
    def server_error(error: Exception) -> tuple[str, int]:
        db.session.rollback()
        app.logger.exception("unhandled error", exc_info=error)
        message = _("Đã có lỗi xảy ra phía máy chủ. Câu trả lời chưa được lưu; vui lòng thử lại sau ít phút.")
        return render_template("errors/error.html", code=500, message=message), 500


def error_page(error: HTTPException) -> Response:
    """The friendly page of an HTTP error, keeping the headers it carries (Retry-After, Allow).

    An error that carries its own response (``abort(redirect(...))``) keeps that response.
    """
    if error.response is not None:
        return error.response
    messages = {
        400: _("Yêu cầu không hợp lệ. Vui lòng tải lại trang và thử lại."),
        403: _("Bạn không có quyền xem trang này."),
        404: _("Không tìm thấy trang. Vui lòng kiểm tra lại đường dẫn hoặc mã QR."),
        405: _("Thao tác này không được hỗ trợ."),
        413: _too_large_evidence_message()
        if is_evidence_upload(request.endpoint)
        else _too_large_message(request.max_content_length, is_upload=is_officers_upload(request.endpoint)),
        429: _(
            "Có quá nhiều phiếu được gửi từ mạng của bạn trong thời gian ngắn. "
            "Phiếu này chưa được lưu: vui lòng đợi ít phút, quay lại trang trước và bấm gửi lại."
        ),
    }
    code = error.code or 500
    message = messages.get(code, _("Đã có lỗi xảy ra. Vui lòng thử lại sau."))
    response = make_response(render_template("errors/error.html", code=code, message=message), code)
    for name, value in error.get_headers():
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


def _too_large_message(limit: int | None, *, is_upload: bool) -> str:
    """Why a request was refused as too large, with the limit in megabytes when there is one;
    an officer's upload is told how to make the table smaller."""
    if not limit:
        return _("Tệp hoặc nội dung gửi lên quá lớn.")
    size = format_decimal(round(limit / 1024 / 1024, 1))
    if is_upload:
        return _(
            "Tệp tải lên quá lớn, vượt giới hạn %(size)s MB, nên chưa được nhập. Hãy lưu bảng dưới dạng "
            "CSV UTF-8 (nhỏ hơn nhiều so với tệp .xlsx), hoặc chia thành nhiều tệp nhỏ hơn "
            "%(size)s MB rồi nhập lần lượt.",
            size=size,
        )
    return _("Tệp hoặc nội dung gửi lên quá lớn (tối đa %(size)s MB). Vui lòng chọn tệp nhỏ hơn.", size=size)


def _too_large_evidence_message() -> str:
    """Why an evidence file was refused before it was read: it is over the limit of a file."""
    return _(
        "Tệp tài liệu kiểm chứng vượt giới hạn %(limit)s cho mỗi tệp nên chưa được lưu. Hãy giảm dung lượng "
        "tệp (ví dụ quét lại ở độ phân giải thấp hơn) hoặc tách thành nhiều tệp rồi tải lên lại.",
        limit=file_size(current_app.config["EVIDENCE_MAX_BYTES"]),
    )
