"""Officers' forms."""

from __future__ import annotations

from collections.abc import Mapping

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    ValidationError,
    widgets,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from surveyapp.models import CampaignPurpose, Questionnaire, QuotaPolicy
from surveyapp.services.quotas import QuotaRule


class CheckboxesField(SelectMultipleField):
    """Several choices as checkboxes (usable without JavaScript)."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class CampaignForm(FlaskForm):
    """A campaign's name, year, purpose, period, questionnaires and assessed units."""

    name = StringField(
        _l("Tên đợt điều tra"), validators=[DataRequired(_l("Hãy nhập tên đợt điều tra.")), Length(max=300)]
    )
    year = IntegerField(
        _l("Năm đánh giá"),
        validators=[
            InputRequired(_l("Hãy nhập năm đánh giá, ví dụ 2025.")),
            NumberRange(2000, 2100, _l("Năm đánh giá phải từ 2000 đến 2100.")),
        ],
    )
    purpose = SelectField(
        _l("Mục đích"),
        choices=[
            SelectChoice(CampaignPurpose.SIPAS.value, _l("Đo lường sự hài lòng (SIPAS)")),
            SelectChoice(CampaignPurpose.PAR.value, _l("Điều tra xã hội học Chỉ số CCHC (PAR Index)")),
        ],
    )
    opens_on = DateField(_l("Ngày bắt đầu"), validators=[InputRequired(_l("Hãy chọn ngày bắt đầu."))])
    closes_on = DateField(_l("Ngày kết thúc"), validators=[InputRequired(_l("Hãy chọn ngày kết thúc."))])
    questionnaire_ids = CheckboxesField(_l("Mẫu phiếu"), coerce=int)
    unit_ids = CheckboxesField(_l("Đơn vị được đánh giá"), coerce=int)

    def __init__(self, *args: object, questionnaires: list, units: list, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.questionnaires = {q.id: q for q in questionnaires}
        self.questionnaire_ids.choices = [
            SelectChoice(q.id, f"{q.code} (v{q.version}) – {q.title}") for q in questionnaires
        ]
        self.unit_ids.choices = [SelectChoice(unit.id, unit.name) for unit in units]

    def validate_closes_on(self, field: DateField) -> None:
        if field.data and self.opens_on.data and field.data < self.opens_on.data:
            raise ValidationError(_l("Ngày kết thúc phải sau ngày bắt đầu."))

    def validate_questionnaire_ids(self, field: CheckboxesField) -> None:
        if not field.data:
            raise ValidationError(_l("Hãy chọn ít nhất một mẫu phiếu."))
        mismatched = [
            self.questionnaires[i].code for i in field.data if self.questionnaires[i].purpose != self.purpose.data
        ]
        if mismatched:
            raise ValidationError(
                _l("Mẫu phiếu %(codes)s không dùng cho mục đích đã chọn.", codes=", ".join(mismatched))
            )

    def validate_unit_ids(self, field: CheckboxesField) -> None:
        if not field.data:
            raise ValidationError(_l("Hãy chọn ít nhất một đơn vị được đánh giá."))


class QuotaPolicyForm(FlaskForm):
    """The campaign's quota policy; the per-unit numbers are read by ``read_quota_rules``."""

    policy = SelectField(
        _l("Khi một nhóm đã đủ chỉ tiêu"),
        choices=[
            SelectChoice(QuotaPolicy.FLAG_EXCESS.value, _l("Vẫn nhận phiếu và đánh dấu phần vượt")),
            SelectChoice(QuotaPolicy.CLOSE_WHEN_FULL.value, _l("Ngừng nhận phiếu của nhóm đó")),
        ],
    )


def quota_field_name(questionnaire_id: int, group: str, kind: str = "per_unit") -> str:
    """The form field holding one number (per_unit, total or minimum) of a questionnaire and group."""
    return f"{kind}-{questionnaire_id}-{group}"


MAX_FORMS = 100_000


def read_quota_rules(formdata: Mapping[str, str], rows: list[tuple[Questionnaire, str]]) -> tuple[list, dict]:
    """The rules the officer typed (all blank = no quota), and the problems by field name.

    A row has either a number per unit, or a total shared by frame size with an optional
    minimum per unit.
    """
    rules, problems = [], {}
    for questionnaire, group in rows:
        numbers = {}
        for kind in ("per_unit", "total", "minimum"):
            name = quota_field_name(questionnaire.id, group, kind)
            raw = (formdata.get(name) or "").strip()
            if raw and (not raw.isdigit() or int(raw) > MAX_FORMS):
                problems[name] = _l("Nhập một số nguyên từ 0 đến %(max)s.", max=f"{MAX_FORMS:,}".replace(",", "."))
            elif raw:
                numbers[kind] = int(raw)
        if "per_unit" in numbers and "total" in numbers:
            problems[quota_field_name(questionnaire.id, group, "total")] = _l(
                "Chọn một cách: số phiếu mỗi đơn vị, hoặc tổng số phiếu phân bổ theo khung."
            )
        elif "per_unit" in numbers:
            rules.append(QuotaRule(questionnaire, group, per_unit=numbers["per_unit"]))
        elif "total" in numbers:
            rules.append(QuotaRule(questionnaire, group, total=numbers["total"], minimum=numbers.get("minimum", 0)))
    return rules, problems


class FrameUploadForm(FlaskForm):
    """An exported list of returned records, as CSV or XLSX."""

    frame_file = FileField(
        _l("Tệp danh sách hồ sơ đã trả kết quả (.csv hoặc .xlsx)"),
        validators=[
            FileRequired(_l("Hãy chọn tệp cần nhập.")),
            FileAllowed(["csv", "xlsx"], _l("Chỉ nhận tệp .csv hoặc .xlsx.")),
        ],
    )
    skip_bad_rows = BooleanField(_l("Bỏ qua các dòng lỗi và nhập các dòng hợp lệ"))


class DrawSampleForm(FlaskForm):
    """Which questionnaire's quotas size the sample, the recorded seed and the reserves."""

    questionnaire_id = SelectField(_l("Chỉ tiêu theo mẫu phiếu"), coerce=int)
    seed = StringField(
        _l("Hạt giống ngẫu nhiên (ghi lại để chọn lại đúng mẫu)"), validators=[DataRequired(), Length(max=64)]
    )
    reserve_per_unit = IntegerField(
        _l("Số người dự phòng mỗi đơn vị"),
        default=10,
        validators=[InputRequired(), NumberRange(0, 1000, _l("Số người dự phòng phải từ 0 đến 1.000."))],
    )


class RatesForm(FlaskForm):
    """The campaign's remuneration rates, in đồng."""

    rate_per_form = IntegerField(
        _l("Thù lao cho người trả lời (đồng/phiếu)"),
        validators=[
            InputRequired(_l("Hãy nhập mức thù lao.")),
            NumberRange(0, 100_000_000, _l("Từ 0 đến 100.000.000 đồng.")),
        ],
    )
    rate_per_unit = IntegerField(
        _l("Thù lao cho điều tra viên (đồng/đơn vị)"),
        validators=[
            InputRequired(_l("Hãy nhập mức thù lao.")),
            NumberRange(0, 100_000_000, _l("Từ 0 đến 100.000.000 đồng.")),
        ],
    )
