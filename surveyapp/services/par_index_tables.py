"""The round's PAR Index as the tables a province sends upward: the summary by unit (points,
maximum, percent, class, rank, change) and the points by area. One ``Table`` each, written as
sheets of a workbook by ``tables.writing``; the page shows the same rows."""

from __future__ import annotations

import math

from flask_babel import gettext as _

from surveyapp.i18n import localized
from surveyapp.services.par_index import RoundIndex
from surveyapp.tables.writing import Column, Kind, Table, table_of_rows


def _number(value: float | None) -> float | None:
    return None if value is None or math.isnan(value) else value


def summary_table(round_index: RoundIndex) -> Table:
    """One row per unit, by kind of unit then rank."""
    columns = [
        Column(_("Loại đơn vị")),
        Column(_("Mã đơn vị"), Kind.CODE),
        Column(_("Tên đơn vị")),
        Column(_("Tổng điểm đạt"), Kind.POINTS),
        Column(_("Điểm tối đa của các tiêu chí được tính"), Kind.POINTS),
        Column(_("Chỉ số CCHC (%)"), Kind.PERCENT),
        Column(_("Xếp loại"), Kind.CODE),
        Column(_("Thứ hạng trong loại đơn vị"), Kind.COUNT),
        Column(_("Tăng, giảm so với năm trước (điểm %)"), Kind.POINTS),
        Column(_("Điểm thưởng"), Kind.POINTS),
        Column(_("Điểm trừ"), Kind.POINTS),
        Column(_("Tạm tính"), Kind.MARK),
        Column(_("Tiêu chí không tính"), Kind.CODE),
    ]
    rows = [
        [
            row.unit.kind,
            row.unit.code,
            row.unit.name,
            row.index.points,
            row.index.max_points,
            _number(row.index.percent),
            row.index.grade,
            row.index.rank,
            row.index.change,
            row.index.bonus,
            row.index.penalty,
            row.is_provisional,
            ", ".join(row.index.not_applying),
        ]
        for row in round_index.rows
    ]
    return table_of_rows("tong_hop", _("Tổng hợp theo đơn vị"), columns, rows)


def areas_table(round_index: RoundIndex) -> Table:
    """One row per unit, its points and maximum in each area of the set."""
    columns = [Column(_("Mã đơn vị"), Kind.CODE), Column(_("Tên đơn vị"))]
    for area in round_index.areas:
        label = f"{area.code}. {localized(area.title)}"
        columns += [
            Column(_("%(area)s: điểm đạt", area=label), Kind.POINTS),
            Column(_("%(area)s: tối đa", area=label), Kind.POINTS),
        ]
    rows = [
        [row.unit.code, row.unit.name, *(value for area in row.index.areas for value in (area.points, area.max_points))]
        for row in round_index.rows
    ]
    return table_of_rows("theo_linh_vuc", _("Điểm theo lĩnh vực"), columns, rows)


def index_tables(round_index: RoundIndex) -> list[Table]:
    """The workbook's sheets: the summary by unit, then the points by area."""
    return [summary_table(round_index), areas_table(round_index)]
