"""Forms of appraisers."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectChoice, StringField, TextAreaField

from surveyapp.models import Reappraisal
from surveyapp.services.explanations import REAPPRAISAL_LABELS

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


class ReappraisalForm(FlaskForm):
    """Appraisal 2 of one explained item: accept the unit's proposed points, keep appraisal 1's,
    or other points with the reason; ``reappraise_item`` checks the points and the reason."""

    decision = RadioField(
        _l("Kết quả thẩm định lần 2"),
        choices=[SelectChoice(choice.value, label) for choice, label in REAPPRAISAL_LABELS.items()],
        default=Reappraisal.ACCEPTED.value,
    )
    points = StringField(_l("Điểm thẩm định lần 2"))
    reason = TextAreaField(_l("Lý do chấm điểm khác"))
