"""Forms of assessed units' accounts."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Regexp

from surveyapp.services.evidence import MAX_TITLE_LENGTH


class EvidenceUploadForm(FlaskForm):
    """A document and its title; its type and size are checked by ``upload_evidence``."""

    title = StringField(
        _l("Tên tài liệu (ví dụ: Kế hoạch CCHC năm 2025 của UBND phường)"),
        validators=[DataRequired(_l("Hãy nhập tên tài liệu.")), Length(max=MAX_TITLE_LENGTH)],
    )
    file = FileField(_l("Tệp tài liệu"), validators=[FileRequired(_l("Hãy chọn tệp tài liệu cần tải lên."))])


class ScoreForm(FlaskForm):
    """One self-assessed item: points, explanation, evidence cited or the reason there is none.

    The points stay text (``1,25`` is typed as often as ``1.25``) and the cited files are not
    matched against a list here: ``save_score`` checks both and names the item when it refuses.
    """

    points = StringField(_l("Điểm tự chấm"))
    explanation = TextAreaField(_l("Giải thích cách chấm"))
    evidence_ids = SelectMultipleField(_l("Tài liệu kiểm chứng"), coerce=int, validate_choice=False)
    # One more of the unit's files to cite, picked from a list rather than ticked among all of
    # them: the page then stays short with a hundred files and sixty items.
    add_evidence_id = StringField(
        _l("Trích dẫn thêm tài liệu"),
        validators=[Regexp(r"^\d{0,9}$", message=_l("Hãy chọn tài liệu cần trích dẫn thêm trong danh sách."))],
    )
    no_evidence_reason = TextAreaField(_l("Lý do không có tài liệu kiểm chứng"))


class ExplanationForm(FlaskForm):
    """A unit's explanation of one item after appraisal 1: the points it proposes, why, and the
    evidence cited. As for ``ScoreForm``, ``save_explanation`` checks the points, the text and the
    files, and names the item when it refuses."""

    points = StringField(_l("Điểm đơn vị đề nghị"))
    text = TextAreaField(_l("Nội dung giải trình"))
    evidence_ids = SelectMultipleField(_l("Tài liệu kiểm chứng bổ sung"), coerce=int, validate_choice=False)


class ReturnForm(FlaskForm):
    """Why an officer gives a submitted self-assessment back; the service refuses it empty."""

    reason = TextAreaField(_l("Lý do trả lại"))


class TypedInForm(FlaskForm):
    """How a self-assessment typed in by an officer was received; the service refuses it empty."""

    note = TextAreaField(_l("Ghi chú về bản tự đánh giá nhận được"))


class ExplanationTypedInForm(FlaskForm):
    """How an explanation typed in by an officer was received; the service refuses it empty."""

    note = TextAreaField(_l("Ghi chú về giải trình nhận được"))
