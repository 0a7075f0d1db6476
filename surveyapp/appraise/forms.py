"""Forms of appraisers."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectChoice, StringField, TextAreaField

ACCEPT, CHANGE = "accept", "change"


class AppraisalForm(FlaskForm):
    """One item: accept the unit's points, or other points with the reason. The points stay text
    and the reason is not required here: ``appraise_item`` checks both and names the item."""

    decision = RadioField(
        _l("Kết quả thẩm định"),
        choices=[SelectChoice(ACCEPT, _l("Chấp nhận điểm tự chấm")), SelectChoice(CHANGE, _l("Chấm điểm khác"))],
        default=ACCEPT,
    )
    points = StringField(_l("Điểm thẩm định"))
    reason = TextAreaField(_l("Lý do chấm điểm khác"))
