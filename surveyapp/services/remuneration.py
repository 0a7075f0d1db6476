"""The remuneration sheet (seed 001): per form to respondents, per unit to surveyors; the
detail per respondent group and mode, and the sign-off sheets of respondents paid in person."""

from __future__ import annotations

import io
from dataclasses import dataclass

from flask_babel import format_decimal
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from surveyapp.auth.access import is_within_assignment
from surveyapp.extensions import db
from surveyapp.models import AuditAction, Campaign, ResponseMode, Unit, User, UserRole
from surveyapp.services.audit import record_action
from surveyapp.services.responses import count_responses_by_group_and_mode
from surveyapp.services.results.exports import MODE_LABELS
from surveyapp.tables.writing import Column, Kind, Table, table_of_rows, write_xlsx

MAX_RATE = 100_000_000


class RemunerationError(ValueError):
    """Rates cannot be set as asked."""


@dataclass(frozen=True)
class PaymentLine:
    """The forms of one respondent group collected one way in a unit, and their respondents' pay."""

    group: str
    mode: ResponseMode
    forms: int
    amount: int


@dataclass(frozen=True)
class RemunerationRow:
    """What one assessed unit's forms and surveyor cost.

    ``surveyors`` are the surveyors whose assignment covers the unit: a response records no
    surveyor (anonymity, README's threat model), so who typed which form is not known.
    """

    unit: Unit
    surveyors: tuple[str, ...]
    lines: tuple[PaymentLine, ...]
    surveyor_amount: int

    @property
    def forms(self) -> int:
        return sum(line.forms for line in self.lines)

    @property
    def respondents_amount(self) -> int:
        return sum(line.amount for line in self.lines)

    @property
    def total(self) -> int:
        return self.respondents_amount + self.surveyor_amount

    @property
    def in_person_forms(self) -> int:
        """The paper and interview forms: their respondents are paid in person, against a signature."""
        return sum(line.forms for line in self.lines if line.mode.is_typed_in)

    @property
    def in_person_amount(self) -> int:
        return sum(line.amount for line in self.lines if line.mode.is_typed_in)


def set_rates(campaign: Campaign, rate_per_form: int, rate_per_unit: int) -> None:
    """Change the campaign's rates (đồng)."""
    for rate in (rate_per_form, rate_per_unit):
        if not 0 <= rate <= MAX_RATE:
            raise RemunerationError(_("Mức thù lao phải từ 0 đến 100.000.000 đồng."))
    campaign.rate_per_form, campaign.rate_per_unit = rate_per_form, rate_per_unit
    record_action(AuditAction.RATES_SAVED, campaign, per_form=rate_per_form, per_unit=rate_per_unit)
    db.session.flush()


def remuneration_rows(campaign: Campaign) -> list[RemunerationRow]:
    """One row per assessed unit with forms: forms × rate to respondents (by group and mode),
    the fixed rate to its surveyor; every form stored is paid (``Progress.forms`` of
    ``collection_progress``: collected toward a quota or outside it)."""
    groups = {g.code: str(g.label) for q in campaign.questionnaires for g in q.definition.respondent_groups}
    lines_by_unit: dict[int, list[PaymentLine]] = {}
    modes = list(ResponseMode)
    counts = count_responses_by_group_and_mode(campaign)
    for (unit_id, group, mode), n in sorted(counts.items(), key=lambda item: (item[0][1], modes.index(item[0][2]))):
        lines_by_unit.setdefault(unit_id, []).append(
            PaymentLine(groups.get(group, group), mode, n, n * campaign.rate_per_form)
        )
    surveyors = db.session.scalars(
        select(User)
        .where(User.role == UserRole.SURVEYOR, User.is_active_account)
        .options(selectinload(User.assigned_units))
        .order_by(User.full_name)
    ).all()
    return [
        RemunerationRow(
            unit,
            tuple(user.full_name for user in surveyors if is_within_assignment(user, unit)),
            tuple(lines_by_unit[unit.id]),
            campaign.rate_per_unit,
        )
        for unit in campaign.units
        if unit.id in lines_by_unit
    ]


def remuneration_tables(campaign: Campaign, rows: list[RemunerationRow]) -> list[Table]:
    """The sheet with Vietnamese headers and a total row, its detail per unit, group and mode,
    and the campaign and rates it used."""
    money = [
        Column(_("Thù lao người trả lời (đ)"), Kind.COUNT),
        Column(_("Thù lao điều tra viên (đ)"), Kind.COUNT),
        Column(_("Tổng (đ)"), Kind.COUNT),
    ]
    cells = [
        [row.unit.code, row.unit.name, row.forms, row.respondents_amount, row.surveyor_amount, row.total]
        for row in rows
    ]
    total = [
        "",
        _("Tổng cộng"),
        sum(r.forms for r in rows),
        sum(r.respondents_amount for r in rows),
        sum(r.surveyor_amount for r in rows),
        sum(r.total for r in rows),
    ]
    settings = [
        [_("Đợt điều tra"), campaign.name],
        [_("Mức cho người trả lời (đ/phiếu)"), campaign.rate_per_form],
        [_("Mức cho điều tra viên (đ/đơn vị)"), campaign.rate_per_unit],
    ]
    return [
        table_of_rows(
            "remuneration",
            _("Thù lao"),
            [Column(_("Mã đơn vị")), Column(_("Đơn vị")), Column(_("Số phiếu"), Kind.COUNT), *money],
            [*cells, total],
        ),
        table_of_rows(
            "payments",
            _("Chi tiết theo đơn vị"),
            [
                Column(_("Mã đơn vị")),
                Column(_("Đơn vị")),
                Column(_("Điều tra viên được phân công")),
                Column(_("Đối tượng")),
                Column(_("Hình thức")),
                Column(_("Số phiếu"), Kind.COUNT),
                *money,
            ],
            [*(cell for row in rows for cell in _payment_cells(row)), [*total[:2], "", "", "", *total[2:]]],
        ),
        table_of_rows("rates", _("Cách tính"), [Column(_("Mục")), Column(_("Giá trị"))], settings),
    ]


def _payment_cells(row: RemunerationRow) -> list[list[object]]:
    """A unit's lines of the detailed sheet (one per group and mode), then its subtotal."""
    surveyors = ", ".join(row.surveyors)
    unit = [row.unit.code, row.unit.name, surveyors]
    lines = [[*unit, line.group, str(MODE_LABELS[line.mode]), line.forms, line.amount, "", ""] for line in row.lines]
    subtotal = [*unit, _("Cộng đơn vị"), "", row.forms, row.respondents_amount, row.surveyor_amount, row.total]
    return [*lines, subtotal]


def sign_off_heading(campaign: Campaign, unit: Unit | None = None) -> list[str]:
    """What a sign-off sheet says above its table, on the print page and in the workbook: the
    title, the campaign, the unit and its code (a unit's sheet, not the workbook's cover) and
    the rate."""
    campaign_label, unit_label = _("Đợt điều tra:"), _("Đơn vị:")  # (not in f-strings: pybabel would miss them)
    lines = [_("DANH SÁCH KÝ NHẬN THÙ LAO TRẢ LỜI PHIẾU ĐIỀU TRA"), f"{campaign_label} {campaign.name}"]
    if unit is not None:
        lines.append(f"{unit_label} {unit.name} ({unit.code})")
    return [*lines, _("Mức thù lao: %(rate)s đ/phiếu", rate=format_decimal(campaign.rate_per_form))]


def sign_off_tables(campaign: Campaign, rows: list[RemunerationRow]) -> list[Table]:
    """The sign-off sheets (*danh sách ký nhận*): a cover listing every unit's sheet, then per
    unit with paper or interview forms one numbered line per form, its total and signatures.

    Each sheet starts with the print page's heading (``sign_off_heading``). The lines are numbers only: nothing of
    the answers, nor any link to them, is on a sheet.
    """
    signed = [row for row in rows if row.in_person_forms]
    cover = table_of_rows(
        "sign-off",
        _("Danh sách ký nhận"),
        [
            Column(_("Mã đơn vị")),
            Column(_("Đơn vị")),
            Column(_("Số phiếu"), Kind.COUNT),
            Column(_("Số tiền (đ)"), Kind.COUNT),
        ],
        [
            *([row.unit.code, row.unit.name, row.in_person_forms, row.in_person_amount] for row in signed),
            ["", _("Tổng cộng"), sum(r.in_person_forms for r in signed), sum(r.in_person_amount for r in signed)],
        ],
        heading=sign_off_heading(campaign),
    )
    columns = [
        Column(_("STT"), Kind.COUNT),
        Column(_("Họ và tên")),
        Column(_("Số tiền (đ)"), Kind.COUNT),
        Column(_("Ký nhận")),
    ]
    return [
        cover,
        *(
            table_of_rows(
                f"sign-off-{row.unit.code}",
                row.unit.code,
                columns,
                [
                    *([n, "", campaign.rate_per_form, ""] for n in range(1, row.in_person_forms + 1)),
                    [None, _("Tổng cộng"), row.in_person_amount, ""],
                    [None, _("Người lập biểu"), None, _("Thủ trưởng đơn vị")],
                ],
                heading=sign_off_heading(campaign, row.unit),
            )
            for row in signed
        ),
    ]


def sign_off_xlsx(campaign: Campaign, rows: list[RemunerationRow]) -> bytes:
    """The sign-off workbook: the cover, then one sheet per unit named by its code."""
    buffer = io.BytesIO()
    write_xlsx(sign_off_tables(campaign, rows), buffer)
    return buffer.getvalue()


def remuneration_xlsx(campaign: Campaign, rows: list[RemunerationRow]) -> bytes:
    """The remuneration workbook, written (and neutralised) like every other export."""
    buffer = io.BytesIO()
    write_xlsx(remuneration_tables(campaign, rows), buffer)
    return buffer.getvalue()
