"""The remuneration sheet (seed 001): per form to respondents, per unit to surveyors."""

from __future__ import annotations

import io
from dataclasses import dataclass

from flask_babel import gettext as _

from surveyapp.extensions import db
from surveyapp.models import AuditAction, Campaign, Unit
from surveyapp.services.audit import record_action
from surveyapp.services.responses import count_responses
from surveyapp.tables.writing import Column, Kind, Table, table_of_rows, write_xlsx

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
    record_action(AuditAction.RATES_SAVED, campaign, per_form=rate_per_form, per_unit=rate_per_unit)
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


def remuneration_tables(campaign: Campaign, rows: list[RemunerationRow]) -> list[Table]:
    """The sheet with Vietnamese headers and a total row, and the campaign and rates it used."""
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
        table_of_rows("rates", _("Cách tính"), [Column(_("Mục")), Column(_("Giá trị"))], settings),
    ]


def remuneration_xlsx(campaign: Campaign, rows: list[RemunerationRow]) -> bytes:
    """The remuneration workbook, written (and neutralised) like every other export."""
    buffer = io.BytesIO()
    write_xlsx(remuneration_tables(campaign, rows), buffer)
    return buffer.getvalue()
