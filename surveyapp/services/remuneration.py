"""The remuneration sheet (seed 001): per form to respondents, per unit to surveyors."""

from __future__ import annotations

import io
from dataclasses import dataclass

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from surveyapp.extensions import db
from surveyapp.models import Campaign, Unit
from surveyapp.services.responses import count_responses

MAX_RATE = 100_000_000


class RemunerationError(ValueError):
    """Rates cannot be set as asked."""


@dataclass(frozen=True)
class RemunerationRow:
    """What one assessed unit's forms and surveyor cost."""

    unit: Unit
    forms: int
    respondents_amount: int
    surveyor_amount: int

    @property
    def total(self) -> int:
        return self.respondents_amount + self.surveyor_amount


def set_rates(campaign: Campaign, rate_per_form: int, rate_per_unit: int) -> None:
    """Change the campaign's rates (đồng)."""
    for rate in (rate_per_form, rate_per_unit):
        if not 0 <= rate <= MAX_RATE:
            raise RemunerationError(_("Mức thù lao phải từ 0 đến 100.000.000 đồng."))
    campaign.rate_per_form, campaign.rate_per_unit = rate_per_form, rate_per_unit
    db.session.flush()


def remuneration_rows(campaign: Campaign) -> list[RemunerationRow]:
    """One row per assessed unit with forms: forms × rate to respondents, the fixed rate to its surveyor."""
    forms_by_unit: dict[int, int] = {}
    for (unit_id, _questionnaire_id), n in count_responses(campaign).items():
        forms_by_unit[unit_id] = forms_by_unit.get(unit_id, 0) + n
    return [
        RemunerationRow(
            unit, forms_by_unit[unit.id], forms_by_unit[unit.id] * campaign.rate_per_form, campaign.rate_per_unit
        )
        for unit in campaign.units
        if forms_by_unit.get(unit.id)
    ]


def remuneration_xlsx(campaign: Campaign, rows: list[RemunerationRow]) -> bytes:
    """The sheet as an XLSX workbook with Vietnamese headers and a total row."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Thù lao"
    sheet.append([campaign.name])
    sheet.append(
        [
            _(
                "Mức cho người trả lời: %(rate)s đ/phiếu; cho điều tra viên: %(unit)s đ/đơn vị",
                rate=f"{campaign.rate_per_form:,}".replace(",", "."),
                unit=f"{campaign.rate_per_unit:,}".replace(",", "."),
            )
        ]
    )
    header = [
        _("Mã đơn vị"),
        _("Đơn vị"),
        _("Số phiếu"),
        _("Thù lao người trả lời (đ)"),
        _("Thù lao điều tra viên (đ)"),
        _("Tổng (đ)"),
    ]
    sheet.append(header)
    for row in rows:
        sheet.append([row.unit.code, row.unit.name, row.forms, row.respondents_amount, row.surveyor_amount, row.total])
    sheet.append(
        [
            "",
            _("Tổng cộng"),
            sum(r.forms for r in rows),
            sum(r.respondents_amount for r in rows),
            sum(r.surveyor_amount for r in rows),
            sum(r.total for r in rows),
        ]
    )
    for cell in (*sheet[1], *sheet[3], *sheet[sheet.max_row]):
        cell.font = Font(bold=True)
    for column in "CDEF":
        for cell in sheet[column][3:]:
            cell.number_format = "#,##0"
    sheet.column_dimensions["B"].width = 40
    for column in "DEF":
        sheet.column_dimensions[column].width = 24
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
