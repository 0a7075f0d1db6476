"""Forms of assessed units' accounts."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from surveyapp.services.evidence import MAX_TITLE_LENGTH


class EvidenceUploadForm(FlaskForm):
    """A document and its title; its type and size are checked by ``upload_evidence``."""

    title = StringField(
        _l("Tên tài liệu (ví dụ: Kế hoạch CCHC năm 2025 của UBND phường)"),
        validators=[DataRequired(_l("Hãy nhập tên tài liệu.")), Length(max=MAX_TITLE_LENGTH)],
    )
    file = FileField(_l("Tệp tài liệu"), validators=[FileRequired(_l("Hãy chọn tệp tài liệu cần tải lên."))])
