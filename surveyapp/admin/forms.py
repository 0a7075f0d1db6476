"""Officers' forms."""

from __future__ import annotations

from collections.abc import Mapping

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    FloatField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
    ValidationError,
    widgets,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from sampling import AllocationMethod
from surveyapp.i18n import localized
from surveyapp.models import AuditAction, Campaign, CriteriaSetVersion, Questionnaire, Unit, User
from surveyapp.services.audit import ACTION_LABELS, AuditFilter
from surveyapp.services.campaigns import PURPOSE_LABELS
from surveyapp.services.invitations import ListKind
from surveyapp.services.quotas import POLICY_LABELS, QuotaRule
from surveyapp.urls import MAX_ID


class CheckboxesField(SelectMultipleField):
    """Several choices as checkboxes (usable without JavaScript)."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


# Dates come from <input type="date"> (ISO), or typed as people write them where a browser
# shows a plain text box.
DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]


def descendants_of(tree: list[tuple[Unit, int]]) -> dict[int, list[int]]:
    """The ids below each unit of ``tree`` (units in tree order with their depth)."""
    below: dict[int, list[int]] = {}
    ancestors: list[tuple[int, int]] = []
    for unit, depth in tree:
        while ancestors and ancestors[-1][1] >= depth:
            ancestors.pop()
        for ancestor_id, _depth in ancestors:
            below[ancestor_id].append(unit.id)
        below[unit.id] = []
        ancestors.append((unit.id, depth))
    return below


def _year_field() -> IntegerField:
    """The year assessed (*năm đánh giá*) of a campaign or an assessment round."""
    return IntegerField(
        _l("Năm đánh giá"),
        invalid_value_message=_l("Năm đánh giá phải là một số, ví dụ 2025."),
        validators=[
            InputRequired(_l("Hãy nhập năm đánh giá, ví dụ 2025.")),
            NumberRange(2000, 2100, _l("Năm đánh giá phải từ 2000 đến 2100.")),
        ],
    )


class CampaignForm(FlaskForm):
    """A campaign's name, year, purpose, period, questionnaires and assessed units."""

    name = StringField(
        _l("Tên đợt điều tra"), validators=[DataRequired(_l("Hãy nhập tên đợt điều tra.")), Length(max=300)]
    )
    year = _year_field()
    purpose = SelectField(
        _l("Mục đích"),
        choices=[SelectChoice(purpose.value, label) for purpose, label in PURPOSE_LABELS.items()],
        invalid_choice_message=_l("Hãy chọn mục đích của đợt điều tra."),
    )
    opens_on = DateField(
        _l("Ngày bắt đầu"),
        format=DATE_FORMATS,
        invalid_value_message=_l("Ngày bắt đầu không hợp lệ: nhập theo dạng ngày/tháng/năm, ví dụ 01/08/2025."),
        validators=[InputRequired(_l("Hãy chọn ngày bắt đầu."))],
    )
    closes_on = DateField(
        _l("Ngày kết thúc"),
        format=DATE_FORMATS,
        invalid_value_message=_l("Ngày kết thúc không hợp lệ: nhập theo dạng ngày/tháng/năm, ví dụ 30/09/2025."),
        validators=[InputRequired(_l("Hãy chọn ngày kết thúc."))],
    )
    questionnaire_ids = CheckboxesField(
        _l("Mẫu phiếu"),
        coerce=int,
        invalid_value_message=_l("Mẫu phiếu đã chọn không còn tồn tại. Vui lòng chọn lại."),
        invalid_choice_message=_l("Mẫu phiếu đã chọn không còn tồn tại. Vui lòng chọn lại."),
    )
    unit_ids = CheckboxesField(
        _l("Đơn vị được đánh giá"),
        coerce=int,
        invalid_value_message=_l("Đơn vị đã chọn không còn tồn tại. Vui lòng chọn lại."),
        invalid_choice_message=_l("Đơn vị đã chọn không còn tồn tại. Vui lòng chọn lại."),
    )
    # Parents whose whole subtree the officer picked at once (no JavaScript needed).
    with_children = CheckboxesField(
        _l("Chọn tất cả đơn vị trực thuộc"),
        coerce=int,
        invalid_value_message=_l("Đơn vị đã chọn không còn tồn tại. Vui lòng chọn lại."),
        invalid_choice_message=_l("Đơn vị đã chọn không còn tồn tại. Vui lòng chọn lại."),
    )

    def __init__(
        self, *args: object, questionnaires: list[Questionnaire], unit_tree: list[tuple[Unit, int]], **kwargs: object
    ) -> None:
        super().__init__(*args, **kwargs)
        self.questionnaires = {q.id: q for q in questionnaires}
        self.questionnaire_ids.choices = [
            SelectChoice(q.id, f"{q.code} (v{q.version}) – {q.title}") for q in questionnaires
        ]
        self.unit_tree = unit_tree
        self.descendants = descendants_of(unit_tree)
        self.unit_ids.choices = [SelectChoice(unit.id, unit.name) for unit, _depth in unit_tree]
        self.with_children.choices = [
            SelectChoice(unit.id, unit.name) for unit, _depth in unit_tree if self.descendants[unit.id]
        ]

    @property
    def chosen_unit_ids(self) -> set[int]:
        return set(self.unit_ids.data or ())

    def validate(self, extra_validators: Mapping[str, list] | None = None) -> bool:
        # A parent ticked "all below" brings its whole subtree into the selection; the page
        # then shows those units ticked one by one, so unticking one of them sticks.
        if self.unit_ids.data is not None and self.with_children.data:
            below = [i for parent in self.with_children.data for i in self.descendants.get(parent, ())]
            self.unit_ids.data = list(dict.fromkeys([*self.unit_ids.data, *below]))
            self.with_children.data = []
        return super().validate(extra_validators)

    def validate_closes_on(self, field: DateField) -> None:
        if field.data and self.opens_on.data and field.data < self.opens_on.data:
            raise ValidationError(_l("Ngày kết thúc không được trước ngày bắt đầu."))

    def validate_questionnaire_ids(self, field: CheckboxesField) -> None:
        if not field.data:
            raise ValidationError(_l("Hãy chọn ít nhất một mẫu phiếu."))
        chosen = [self.questionnaires[i] for i in field.data if i in self.questionnaires]
        mismatched = [q.code for q in chosen if q.purpose != self.purpose.data]
        if mismatched:
            raise ValidationError(
                _l("Mẫu phiếu %(codes)s không dùng cho mục đích đã chọn.", codes=", ".join(mismatched))
            )

    def validate_unit_ids(self, field: CheckboxesField) -> None:
        if not field.data:
            raise ValidationError(_l("Hãy chọn ít nhất một đơn vị được đánh giá."))


# The ways a total can be shared by the frame, as the officer reads them (sampling/allocation.py).
SHARING_LABELS = {
    AllocationMethod.PROPORTIONAL: _l("Theo tỷ lệ quy mô, đơn vị nhỏ được nâng lên mức tối thiểu"),
    AllocationMethod.MINIMUM_THEN_PROPORTIONAL: _l("Mỗi đơn vị tối thiểu, phần còn lại chia theo tỷ lệ quy mô"),
}


class QuotasForm(FlaskForm):
    """The quota page's choices: the campaign's quota policy, and how totals are shared by the
    frame; the numbers of each row are read by ``read_quota_rules``."""

    policy = SelectField(
        _l("Khi một nhóm đã đủ chỉ tiêu"),
        choices=[SelectChoice(policy.value, label) for policy, label in POLICY_LABELS.items()],
    )
    sharing = SelectField(
        _l("Cách chia tổng số phiếu theo khung"),
        choices=[SelectChoice(method.value, label) for method, label in SHARING_LABELS.items()],
        default=AllocationMethod.PROPORTIONAL.value,
    )


def quota_field_name(questionnaire_id: int, group: str, kind: str = "per_unit") -> str:
    """The form field holding one number (per_unit, total or minimum) of a questionnaire and group."""
    return f"{kind}-{questionnaire_id}-{group}"


MAX_FORMS = 100_000


def read_quota_rules(
    formdata: Mapping[str, str],
    rows: list[tuple[Questionnaire, str]],
    sharing: AllocationMethod = AllocationMethod.PROPORTIONAL,
) -> tuple[list, dict]:
    """The rules the officer typed (all blank = no quota), and the problems by field name.

    A row has either a number per unit, or a total shared by frame size with an optional
    minimum per unit, the way ``sharing`` says.
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
            rules.append(
                QuotaRule(
                    questionnaire, group, total=numbers["total"], minimum=numbers.get("minimum", 0), sharing=sharing
                )
            )
    return rules, problems


def _table_file_field(label: str) -> FileField:
    return FileField(
        label,
        validators=[
            FileRequired(_l("Hãy chọn tệp cần nhập.")),
            FileAllowed(["csv", "xlsx"], _l("Chỉ nhận tệp .csv hoặc .xlsx.")),
        ],
    )


class FrameUploadForm(FlaskForm):
    """An exported list of returned records, as CSV or XLSX."""

    frame_file = _table_file_field(_l("Tệp danh sách hồ sơ đã trả kết quả (.csv hoặc .xlsx)"))
    skip_bad_rows = BooleanField(_l("Bỏ qua các dòng lỗi và nhập các dòng hợp lệ"))


class InvitationForm(FlaskForm):
    """The campaign's invitation text (empty: the default one), saved or only previewed."""

    text = TextAreaField(_l("Nội dung tin nhắn mời trả lời"))  # checked by check_invitation
    preview = SubmitField(_l("Xem trước"))


class LinksForm(FlaskForm):
    """The form of the file of newly issued links: the links alone, or a message list."""

    kind = RadioField(
        _l("Dạng tệp"),
        choices=[
            SelectChoice("links", _l("Danh sách đường dẫn (.csv)")),
            SelectChoice(ListKind.SMS.value, _l("Danh sách tin nhắn cho tổng đài SMS (.zip: số điện thoại, nội dung)")),
            SelectChoice(
                ListKind.ZALO.value, _l("Danh sách gửi qua Zalo OA (.zip: số điện thoại, họ tên, nội dung, đường dẫn)")
            ),
        ],
        default="links",
    )


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


def _rate_field(label: str) -> IntegerField:
    return IntegerField(
        label,
        validators=[
            InputRequired(_l("Hãy nhập mức thù lao.")),
            NumberRange(0, 100_000_000, _l("Từ 0 đến 100.000.000 đồng.")),
        ],
    )


class RatesForm(FlaskForm):
    """The campaign's remuneration rates, in đồng."""

    rate_per_form = _rate_field(_l("Thù lao cho người trả lời (đồng/phiếu)"))
    rate_per_unit = _rate_field(_l("Thù lao cho điều tra viên (đồng/đơn vị)"))


class ResponsesUploadForm(FlaskForm):
    """Responses typed into a spreadsheet, in the raw export's layout."""

    responses_file = _table_file_field(_l("Tệp phiếu trả lời (.csv hoặc .xlsx, theo mẫu tệp xuất phiếu thô)"))


class AppraisalUploadForm(FlaskForm):
    """The appraised self-assessment points of the units."""

    appraisal_file = _table_file_field(_l("Tệp điểm thẩm định (.csv hoặc .xlsx: Mã đơn vị, Điểm thẩm định, Điểm khác)"))


class ChannelsForm(FlaskForm):
    """Whether a campaign, or some respondent groups of it, take no open QR forms."""

    is_qr_closed = BooleanField(
        _l("Cả đợt điều tra chỉ nhận phiếu qua đường dẫn cá nhân hoặc điều tra viên (không nhận phiếu qua mã QR)")
    )
    qr_closed_groups = CheckboxesField(
        _l("Nhóm người trả lời chỉ nhận phiếu qua đường dẫn cá nhân hoặc điều tra viên"), choices=[]
    )

    def __init__(self, campaign: Campaign, **kwargs: object) -> None:
        super().__init__(obj=campaign, **kwargs)
        groups = {
            group.code: localized(group.label)
            for q in campaign.questionnaires
            for group in q.definition.respondent_groups
        }
        self.qr_closed_groups.choices = list(groups.items())  # people read the group's label, never its code


class DeskDeviceForm(FlaskForm):
    """The name of a desk device being registered (where it stands)."""

    name = StringField(
        _l("Tên thiết bị (ví dụ: Máy tính bảng quầy 1, Bộ phận một cửa phường)"),
        validators=[DataRequired(), Length(max=120)],
    )


# The most counters a kiosk's quick rating offers.
MAX_COUNTERS = 50


class KioskForm(DeskDeviceForm):
    """A kiosk being registered on this tablet: which questionnaire, at which unit, and its options."""

    questionnaire_code = SelectField(_l("Mẫu phiếu"))
    unit_code = StringField(
        _l("Mã đơn vị được đánh giá (bộ phận một cửa đặt ki-ốt)"),
        validators=[DataRequired(_l("Hãy nhập mã đơn vị.")), Length(max=40)],
    )
    has_quick_rating = BooleanField(_l("Mở đầu bằng đánh giá nhanh (năm mặt cười và một góp ý)"))
    counters = IntegerField(
        _l("Số quầy để người dân chọn quầy đã phục vụ (0: không hỏi)"),
        default=0,
        validators=[
            InputRequired(_l("Hãy nhập số quầy (0 nếu không hỏi).")),
            NumberRange(0, MAX_COUNTERS, _l("Số quầy phải từ 0 đến %(max)s.", max=MAX_COUNTERS)),
        ],
    )


class AccountForm(FlaskForm):
    """A new account made on the accounts page (an appraiser's): its username and the holder's name."""

    username = StringField(_l("Tên đăng nhập"), validators=[DataRequired(), Length(max=80)])
    full_name = StringField(_l("Họ và tên người dùng"), validators=[Length(max=200)])


class UnitAccountForm(AccountForm):
    """A new account for an assessed unit's staff: its username, the holder's name and the unit."""

    unit_code = StringField(_l("Mã đơn vị được đánh giá"), validators=[DataRequired(), Length(max=40)])


class DecimalCommaField(FloatField):
    """A number typed the Vietnamese way (92,5) or the English way (92.5)."""

    def process_formdata(self, valuelist: list[str]) -> None:
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        try:
            self.data = float(valuelist[0].strip().replace(",", "."))
        except ValueError:
            self.data = None
            raise ValueError(_l("Hãy nhập một số, ví dụ 90 hoặc 92,5.")) from None


def _percent_field(label: str) -> DecimalCommaField:
    return DecimalCommaField(
        label,
        validators=[InputRequired(_l("Hãy nhập chỉ tiêu.")), NumberRange(0, 100, _l("Từ 0 đến 100."))],
    )


class TargetsForm(FlaskForm):
    """The targets results are marked against (seeds 002 and 004), the minimum of forms for a
    unit's SIPAS to be ranked, and the PAR maximum."""

    sipas_target = _percent_field(_l("Chỉ tiêu SIPAS (%)"))
    criterion_target = _percent_field(_l("Chỉ tiêu của mỗi yếu tố, tiêu chí (%)"))
    field_target = _percent_field(_l("Chỉ tiêu hài lòng với các lĩnh vực chọn dưới đây (%)"))
    target_fields = CheckboxesField(_l("Lĩnh vực có chỉ tiêu riêng"), choices=[])
    rank_min_forms = IntegerField(
        _l("Số phiếu tối thiểu để đơn vị được xếp hạng SIPAS"),
        invalid_value_message=_l("Số phiếu tối thiểu phải là một số nguyên, ví dụ 30."),
        validators=[
            InputRequired(_l("Hãy nhập số phiếu tối thiểu.")),
            NumberRange(1, 100_000, _l("Từ 1 đến 100.000 phiếu.")),
        ],
    )
    par_max_points = DecimalCommaField(
        _l("Tổng điểm tối đa của Chỉ số CCHC"),
        validators=[InputRequired(_l("Hãy nhập tổng điểm tối đa.")), NumberRange(1, 1000, _l("Từ 1 đến 1.000."))],
    )


class AuditFilterForm(FlaskForm):
    """The audit log's filters, read from the page's query string (a GET form: no CSRF token)."""

    class Meta:
        csrf = False

    action = SelectField(
        _l("Thao tác"),
        default="",
        choices=[SelectChoice("", _l("Mọi thao tác"))]
        + [SelectChoice(action.value, label) for action, label in ACTION_LABELS.items()],
        invalid_choice_message=_l("Thao tác đã chọn không có trong danh sách. Vui lòng chọn lại."),
    )
    actor = StringField(
        _l("Người thực hiện (tên đăng nhập)"),
        filters=[lambda value: value.strip() if value else value],
        validators=[Optional(), Length(max=80, message=_l("Tên đăng nhập dài tối đa 80 ký tự."))],
    )
    campaign = IntegerField(
        _l("Mã số đợt"),
        invalid_value_message=_l("Mã số đợt phải là một số nguyên dương, ví dụ 12."),
        validators=[Optional(), NumberRange(1, MAX_ID, _l("Mã số đợt phải là một số nguyên dương, ví dụ 12."))],
    )
    since = DateField(
        _l("Từ ngày"),
        format=DATE_FORMATS,
        invalid_value_message=_l("Từ ngày không hợp lệ: nhập theo dạng ngày/tháng/năm, ví dụ 01/08/2025."),
        validators=[Optional()],
    )
    until = DateField(
        _l("Đến ngày"),
        format=DATE_FORMATS,
        invalid_value_message=_l("Đến ngày không hợp lệ: nhập theo dạng ngày/tháng/năm, ví dụ 30/09/2025."),
        validators=[Optional()],
    )

    def validate_until(self, field: DateField) -> None:
        if field.data and self.since.data and field.data < self.since.data:
            raise ValidationError(_l("“Đến ngày” phải sau hoặc trùng “Từ ngày”."))

    def audit_filter(self) -> AuditFilter:
        """The validated filters."""
        return AuditFilter(
            action=AuditAction(self.action.data) if self.action.data else None,
            actor=self.actor.data or None,
            campaign_id=self.campaign.data,
            since=self.since.data,
            until=self.until.data,
        )


def criteria_set_label(criteria_set: CriteriaSetVersion) -> str:
    """How a set version is named in a list of choices: code, version and title."""
    return f"{criteria_set.code} v{criteria_set.version} — {criteria_set.title}"


class RoundForm(FlaskForm):
    """A new assessment round: name, year, set version, the unit whose units it assesses, dates."""

    name = StringField(
        _l("Tên kỳ đánh giá"), validators=[DataRequired(_l("Hãy nhập tên kỳ đánh giá.")), Length(max=300)]
    )
    year = _year_field()
    criteria_set_id = SelectField(
        _l("Bộ chỉ số"), coerce=int, invalid_choice_message=_l("Hãy chọn một bộ chỉ số đã nạp.")
    )
    parent_unit_id = SelectField(
        _l("Đơn vị tổ chức đánh giá"), coerce=int, invalid_choice_message=_l("Hãy chọn một đơn vị trong danh sách.")
    )
    self_assessment_opens_on = DateField(
        _l("Ngày bắt đầu tự đánh giá"),
        format=DATE_FORMATS,
        invalid_value_message=_l("Ngày bắt đầu không hợp lệ: nhập theo dạng ngày/tháng/năm, ví dụ 01/11/2025."),
        validators=[InputRequired(_l("Hãy chọn ngày bắt đầu tự đánh giá."))],
    )
    self_assessment_due_on = DateField(
        _l("Hạn tự đánh giá"),
        format=DATE_FORMATS,
        invalid_value_message=_l("Hạn tự đánh giá không hợp lệ: nhập theo dạng ngày/tháng/năm, ví dụ 15/12/2025."),
        validators=[InputRequired(_l("Hãy chọn hạn tự đánh giá."))],
    )

    def __init__(
        self,
        *args: object,
        criteria_sets: list[CriteriaSetVersion],
        unit_tree: list[tuple[Unit, int]],
        **kwargs: object,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.criteria_set_id.choices = [(s.id, criteria_set_label(s)) for s in criteria_sets]
        # The depth shows as an indent of non-breaking spaces: a plain <select> keeps it.
        self.parent_unit_id.choices = [
            (unit.id, "\u00a0\u00a0" * depth + f"{unit.name} ({unit.kind})") for unit, depth in unit_tree
        ]


class ExplanationDueForm(FlaskForm):
    """The explanation due date an officer chooses when opening a round's explanation."""

    explanation_due_on = DateField(
        _l("Hạn giải trình"),
        format=DATE_FORMATS,
        invalid_value_message=_l("Hạn giải trình không hợp lệ: nhập theo dạng ngày/tháng/năm, ví dụ 20/12/2025."),
        validators=[InputRequired(_l("Hãy chọn hạn giải trình."))],
    )


class MoveRoundForm(FlaskForm):
    """Another version of a round's set to move it to."""

    criteria_set_id = SelectField(
        _l("Phiên bản bộ chỉ số"), coerce=int, invalid_choice_message=_l("Hãy chọn một phiên bản khác của bộ chỉ số.")
    )

    def __init__(self, *args: object, versions: list[CriteriaSetVersion], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.criteria_set_id.choices = [(s.id, criteria_set_label(s)) for s in versions]


class PublishForm(FlaskForm):
    """The decision that approved a campaign's results, and for a correction what it changes."""

    decision = StringField(
        _l("Quyết định phê duyệt kết quả"),
        description=_l("Ví dụ: Quyết định số 123/QĐ-UBND của Ủy ban nhân dân phường."),
        validators=[
            DataRequired(_l("Hãy ghi quyết định phê duyệt kết quả (số, ký hiệu và cơ quan ban hành).")),
            Length(max=500, message=_l("Quyết định dài tối đa 500 ký tự.")),
        ],
    )
    decided_on = DateField(
        _l("Ngày ký quyết định"),
        format=DATE_FORMATS,
        invalid_value_message=_l("Ngày ký quyết định không hợp lệ: nhập theo dạng ngày/tháng/năm, ví dụ 15/12/2025."),
        validators=[InputRequired(_l("Hãy chọn ngày ký quyết định."))],
    )
    change_note = TextAreaField(
        _l("Nội dung đính chính"),
        description=_l("Bắt buộc khi công bố lại: nói rõ số liệu nào thay đổi và vì sao."),
        validators=[Optional(), Length(max=5000, message=_l("Nội dung đính chính dài tối đa 5.000 ký tự."))],
    )


class RemindersForm(FlaskForm):
    """The self-assessments whose units were reminded; ``record_reminders`` checks they are the round's."""

    assessment_ids = SelectMultipleField(
        _l("Đơn vị đã được nhắc"),
        coerce=int,
        validate_choice=False,
        validators=[DataRequired(_l("Hãy chọn ít nhất một đơn vị đã được nhắc."))],
    )


class AssignAppraiserForm(FlaskForm):
    """An appraiser, one of the round's units, and one area of its set or all of them ("")."""

    appraiser_id = SelectField(
        _l("Thẩm định viên"), coerce=int, invalid_choice_message=_l("Hãy chọn một thẩm định viên.")
    )
    unit_id = SelectField(_l("Đơn vị"), coerce=int, invalid_choice_message=_l("Hãy chọn một đơn vị của kỳ đánh giá."))
    area_code = SelectField(_l("Lĩnh vực"), invalid_choice_message=_l("Hãy chọn một lĩnh vực của bộ chỉ số."))

    def __init__(
        self, *args: object, appraisers: list[User], units: list[Unit], areas: list[tuple[str, str]], **kwargs: object
    ) -> None:
        super().__init__(*args, **kwargs)
        self.appraiser_id.choices = [
            SelectChoice(user.id, f"{user.full_name} ({user.username})") for user in appraisers
        ]
        self.unit_id.choices = [SelectChoice(unit.id, f"{unit.code} — {unit.name}") for unit in units]
        self.area_code.choices = [SelectChoice("", _l("Tất cả lĩnh vực")), *(SelectChoice(*area) for area in areas)]


class IndexSourcesForm(FlaskForm):
    """The PAR and SIPAS campaigns a round's index takes survey and SIPAS points from ("": none)."""

    par_campaign_id = SelectField(
        _l("Đợt điều tra Chỉ số CCHC (điểm điều tra xã hội học)"),
        invalid_choice_message=_l("Hãy chọn một đợt điều tra Chỉ số CCHC."),
    )
    sipas_campaign_id = SelectField(
        _l("Đợt khảo sát SIPAS (điểm chỉ số hài lòng)"), invalid_choice_message=_l("Hãy chọn một đợt khảo sát SIPAS.")
    )

    def __init__(self, *args: object, par: list[Campaign], sipas: list[Campaign], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        none = SelectChoice("", _l("Không lấy (các tiêu chí này không tính)"))
        self.par_campaign_id.choices = [none, *(SelectChoice(str(c.id), f"{c.name} ({c.year})") for c in par)]
        self.sipas_campaign_id.choices = [none, *(SelectChoice(str(c.id), f"{c.name} ({c.year})") for c in sipas)]


def _bound_field(label: str) -> FloatField:
    return FloatField(
        label,
        validators=[
            InputRequired(_l("Hãy nhập ngưỡng dưới (%) của loại này.")),
            NumberRange(min=0, max=100, message=_l("Ngưỡng là một số phần trăm từ 0 đến 100.")),
        ],
    )


class ClassBoundsForm(FlaskForm):
    """The lower bounds (percent) of classes A, B and C of a round's index; below C is D."""

    a = _bound_field(_l("Loại A: từ (%)"))
    b = _bound_field(_l("Loại B: từ (%)"))
    c = _bound_field(_l("Loại C: từ (%)"))


class EnteredPointsForm(FlaskForm):
    """The points of an other-source or bonus/penalty item for one unit of a round (empty: none)."""

    unit_id = SelectField(_l("Đơn vị"), coerce=int, invalid_choice_message=_l("Hãy chọn một đơn vị của kỳ đánh giá."))
    code = SelectField(_l("Tiêu chí"), invalid_choice_message=_l("Hãy chọn một tiêu chí nhập điểm."))
    points = StringField(_l("Điểm (để trống để xóa)"), validators=[Length(max=20)])
    note = StringField(
        _l("Ghi chú (văn bản, nguồn số liệu)"),
        validators=[Length(max=500, message=_l("Ghi chú dài tối đa 500 ký tự."))],
    )

    def __init__(self, *args: object, units: list[Unit], items: list[tuple[str, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.unit_id.choices = [SelectChoice(unit.id, f"{unit.code} — {unit.name}") for unit in units]
        self.code.choices = [SelectChoice(*item) for item in items]


class PointsUploadForm(FlaskForm):
    """A table of points of other-source and bonus/penalty items per unit."""

    points_file = _table_file_field(_l("Tệp điểm (.csv hoặc .xlsx: Mã đơn vị, Mã tiêu chí, Điểm, Ghi chú)"))


class CallingSystemForm(FlaskForm):
    """A new calling system of the API: its name, the campaign's questionnaire it serves, its units."""

    name = StringField(
        _l("Tên hệ thống (ví dụ: Hệ thống thông tin một cửa tỉnh, phần mềm của Trung tâm PVHCC)"),
        validators=[DataRequired(), Length(max=120)],
    )
    served = SelectField(_l("Đợt điều tra và phiếu"), validators=[DataRequired()])
    unit_codes = TextAreaField(
        _l("Mã các đơn vị (trung tâm, cơ quan) mà hệ thống được xin đường dẫn, cách nhau bởi dấu phẩy hoặc xuống dòng"),
        validators=[DataRequired(), Length(max=20000)],
    )

    def offer(self, campaigns: list[Campaign]) -> None:
        """Offer each questionnaire about one unit of each campaign given, as ``campaign_id:questionnaire_id``."""
        self.served.choices = [
            (f"{campaign.id}:{questionnaire.id}", f"{campaign.name} ({campaign.year}) — {questionnaire.code}")
            for campaign in campaigns
            for questionnaire in campaign.questionnaires
            if not questionnaire.definition.is_matrix
        ]
