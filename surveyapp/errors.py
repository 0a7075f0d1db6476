"""Error pages: a clear message in the user's language, never a traceback."""

from __future__ import annotations

from flask import Flask, render_template
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

from surveyapp.extensions import db


def init_app(app: Flask) -> None:
    """Register the handlers that turn HTTP errors and crashes into friendly pages."""

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> tuple[str, int]:
        messages = {
            400: _("Yêu cầu không hợp lệ. Vui lòng tải lại trang và thử lại."),
            403: _("Bạn không có quyền xem trang này."),
            404: _("Không tìm thấy trang. Vui lòng kiểm tra lại đường dẫn hoặc mã QR."),
            405: _("Thao tác này không được hỗ trợ."),
            413: _("Tệp hoặc nội dung gửi lên quá lớn."),
        }
        message = messages.get(error.code or 500, _("Đã có lỗi xảy ra. Vui lòng thử lại sau."))
        return render_template("errors/error.html", code=error.code, message=message), error.code or 500

    @app.errorhandler(Exception)
    def server_error(error: Exception) -> tuple[str, int]:
        db.session.rollback()
        app.logger.exception("unhandled error", exc_info=error)
        message = _("Đã có lỗi xảy ra phía máy chủ. Câu trả lời chưa được lưu; vui lòng thử lại sau ít phút.")
        return render_template("errors/error.html", code=500, message=message), 500
