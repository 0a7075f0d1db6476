"""A round's decided PAR Index as a publication snapshot (the format of
``services/results/snapshots``): a section per kind of unit with its ranking chart and table,
and the points by area; the same tables the officer's workbook writes (``par_index_tables``),
so the page, the workbook and the open data agree."""

from __future__ import annotations

from typing import Any

from flask_babel import force_locale, format_decimal
from flask_babel import gettext as _

from surveyapp.i18n import localized
from surveyapp.services.par_index import RoundIndex
from surveyapp.services.par_index_tables import areas_table, summary_table
from surveyapp.services.results.exports import slug
from surveyapp.services.results.snapshots import SNAPSHOT_FORMAT, snapshot_chart, snapshot_table
from surveyapp.tables.writing import Table

# The summary's columns a decided index publishes: all but "Tạm tính" (a decided index has no
# provisional unit) — by header, so that a column added to the workbook is published too.
_NOT_PUBLISHED = ("Tạm tính",)


def _rows(table: Table) -> list[list[Any]]:
    return [row for frame in table.frames for row in frame.itertuples(index=False, name=None)]


def _published(table: Table, key: str, title: str, rows: list[list[Any]]) -> dict:
    shown = [number for number, column in enumerate(table.columns) if column.header not in _NOT_PUBLISHED]
    return snapshot_table(
        key,
        title,
        [(table.columns[number].header, table.columns[number].kind) for number in shown],
        ([row[number] for number in shown] for row in rows),
    )


def round_index_snapshot(round_index: RoundIndex) -> dict[str, Any]:
    """The published document of a round's index, in Vietnamese whatever the officer's language."""
    assessment_round = round_index.assessment_round
    with force_locale("vi"):
        summary = summary_table(round_index)
        rows = _rows(summary)
        sections = []
        for kind, unit_rows in round_index.by_kind().items():
            codes = {row.unit.code for row in unit_rows}
            kind_rows = [row for row in rows if row[1] in codes]
            sections.append(
                {
                    "heading": _("Xếp hạng: %(kind)s (%(count)d đơn vị)", kind=kind, count=len(unit_rows)),
                    "summary": [],
                    "charts": [
                        snapshot_chart(
                            _("Chỉ số CCHC (%%) theo đơn vị: %(kind)s", kind=kind),
                            _("Mỗi thanh là Chỉ số CCHC của một đơn vị, theo thứ hạng."),
                            None,
                            ((row.unit.name, row.index.percent, False) for row in unit_rows),
                        )
                    ],
                    "tables": [_published(summary, f"xep-hang-{slug(kind)}", summary.title + f": {kind}", kind_rows)],
                }
            )
        areas = areas_table(round_index)
        sections.append(
            {
                "heading": _("Điểm theo lĩnh vực"),
                "summary": [f"{area.code}. {localized(area.title)}" for area in round_index.areas],
                "charts": [],
                "tables": [_published(areas, "diem-theo-linh-vuc", areas.title, _rows(areas))],
            }
        )
        bounds = ", ".join(f"{label} ≥ {format_decimal(lower)}" for label, lower in round_index.bounds)
        notes = [
            _(
                "Chỉ số CCHC = 100 × (điểm đạt + điểm thưởng − điểm trừ) / điểm tối đa của các tiêu chí "
                "được tính; xếp loại: %(bounds)s, còn lại D; đơn vị cùng điểm cùng hạng.",
                bounds=bounds,
            ),
            _("Tiêu chí không tính của một đơn vị (không có nguồn điểm) được ghi ở cột «Tiêu chí không tính»."),
        ]
    return {
        "format": SNAPSHOT_FORMAT,
        "purpose": "par_index",
        "title": assessment_round.name,
        "year": assessment_round.year,
        "units": len(round_index.rows),
        "notes": notes,
        "sections": sections,
    }
