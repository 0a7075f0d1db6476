"""A campaign's results as a publication snapshot, and the snapshot as open-data tables.

A snapshot is the whole published document as plain JSON: sections, each with its summary
lines, its charts (bars) and its tables (typed columns, rows of cells). It is built once, from
the same ``compute_results`` the officers' page and workbook read, in Vietnamese whatever the
officer's language, and then only read: the public page draws it, and ``snapshot_tables``
turns its tables into the CSV files and the workbook, so the three always agree.

Only aggregated figures go in, as the results page shows them: every figure with its count
of valid answers and its "fewer than the minimum" mark, ranks only for units with enough
forms, no figure of a unit with fewer forms than ``PUBLISH_MIN_FORMS``, never a response.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

import pandas as pd
from flask import current_app
from flask_babel import force_locale, format_decimal
from flask_babel import gettext as _

from surveyapp.models import CampaignPurpose
from surveyapp.services.results.exports import slice_labeller, slug, standing_note
from surveyapp.services.results.indices import CampaignResults, ParReport, SipasReport
from surveyapp.tables.writing import Column, Kind, Table, table_of_rows

SNAPSHOT_FORMAT = 1


def _cell(value: Any) -> Any:
    """A value as JSON holds it: numpy numbers as Python's, NaN and missing as ``None``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if hasattr(value, "item"):  # a numpy scalar
        return _cell(value.item())
    if value is pd.NA:
        return None
    return value


def snapshot_table(key: str, title: str, columns: Sequence[tuple[str, Kind]], rows: Iterable[Sequence[Any]]) -> dict:
    return {
        "key": key,
        "title": title,
        "columns": [{"header": header, "kind": kind.value} for header, kind in columns],
        "rows": [[_cell(value) for value in row] for row in rows],
    }


def snapshot_chart(title: str, description: str, target: float | None, bars: Iterable[tuple[str, Any, Any]]) -> dict:
    return {
        "title": title,
        "description": description,
        "target": _cell(target),
        "bars": [{"label": label, "value": _cell(value), "flagged": bool(flagged)} for label, value, flagged in bars],
    }


def _percent(value: Any) -> str:
    return "—" if _cell(value) is None else format_decimal(value, format="#,##0.00")


def _figures() -> list[tuple[str, Kind]]:
    return [
        (_("Chỉ số (%)"), Kind.PERCENT),
        (_("Cận dưới KTC 95% (%)"), Kind.PERCENT),
        (_("Cận trên KTC 95% (%)"), Kind.PERCENT),
        (_("Số câu trả lời hợp lệ"), Kind.COUNT),
        (_("Ít hơn ngưỡng câu trả lời hợp lệ"), Kind.MARK),
    ]


def _figure_cells(row: dict) -> list[Any]:
    return [row["index"], row["ci_low"], row["ci_high"], row["valid"], row["flagged"]]


def _sipas_section(results: CampaignResults, report: SipasReport, publish_min_forms: int) -> dict:
    campaign = results.campaign
    code = report.questionnaire.code
    label = slice_labeller(results, report)
    methodology = report.questionnaire.definition.methodology.index_parts
    part_labels = {part.code: str(part.label) for part in methodology}
    element_labels = {element.code: str(element.label) for part in methodology for element in part.elements}
    overall = report.unsliced.overall.to_dict("records")[0]
    forms = dict(zip(report.standings["unit"], report.standings["forms"], strict=True))
    # A unit with too few forms is named without its figures: a handful of answers is close
    # to telling what each person said.
    withheld = {unit for unit, count in forms.items() if count < publish_min_forms}
    by_unit = {
        row["unit"]: row for row in report.slices["unit"].overall.to_dict("records") if row["unit"] not in withheld
    }
    elements = report.unsliced.elements.to_dict("records")
    summary = [
        _(
            "Chỉ số SIPAS chung: %(index)s%% (khoảng tin cậy 95%%: %(low)s – %(high)s%%), "
            "dựa trên %(valid)s câu trả lời hợp lệ của %(forms)s phiếu.",
            index=_percent(overall["index"]),
            low=_percent(overall["ci_low"]),
            high=_percent(overall["ci_high"]),
            valid=format_decimal(overall["valid"]),
            forms=format_decimal(report.responses),
        ),
        *(
            _("%(part)s: %(index)s%%", part=part_labels.get(row["part"], row["part"]), index=_percent(row["index"]))
            for row in report.unsliced.parts.to_dict("records")
        ),
    ]
    standing_columns = [
        (_("Hạng"), Kind.COUNT),
        (_("Mã đơn vị"), Kind.TEXT),
        (_("Đơn vị"), Kind.TEXT),
        *_figures(),
        (_("Số phiếu"), Kind.COUNT),
        (_("Ghi chú"), Kind.TEXT),
    ]
    tables = []
    for kind, rows in report.standings.groupby("group", sort=False):
        empty = {"index": None, "ci_low": None, "ci_high": None, "valid": 0, "flagged": False}
        tables.append(
            snapshot_table(
                f"{slug(code)}-xep-hang-{slug(kind or 'khac')}",
                _("Xếp hạng %(kind)s theo chỉ số SIPAS (phiếu %(code)s)", kind=kind or _("đơn vị khác"), code=code),
                standing_columns,
                (
                    [
                        row["rank"] if row["unranked"] is None else None,
                        row["unit"],
                        results.unit_names.get(row["unit"], row["unit"]),
                        *(
                            _figure_cells(empty)
                            if row["unit"] in withheld
                            else _figure_cells(by_unit.get(row["unit"], empty) | {"index": row["index"]})
                        ),
                        row["forms"],
                        _("Không công bố số liệu: ít hơn %(minimum)s phiếu.", minimum=publish_min_forms)
                        if row["unit"] in withheld
                        else standing_note(row, campaign.rank_min_forms),
                    ]
                    for row in rows.to_dict("records")
                ),
            )
        )
    tables.append(
        snapshot_table(
            f"{slug(code)}-thanh-phan",
            _("Chỉ số thành phần (phiếu %(code)s)", code=code),
            [(_("Thành phần"), Kind.TEXT), *_figures()],
            (
                [part_labels.get(row["part"], row["part"]), *_figure_cells(row)]
                for row in report.unsliced.parts.to_dict("records")
            ),
        )
    )
    tables.append(
        snapshot_table(
            f"{slug(code)}-yeu-to",
            _("Chỉ số theo yếu tố (phiếu %(code)s)", code=code),
            [(_("Mã yếu tố"), Kind.TEXT), (_("Yếu tố"), Kind.TEXT), *_figures()],
            (
                [row["element"], element_labels.get(row["element"], row["element"]), *_figure_cells(row)]
                for row in elements
            ),
        )
    )
    tables.append(
        snapshot_table(
            f"{slug(code)}-don-vi-yeu-to",
            _("Chỉ số của từng đơn vị theo yếu tố (phiếu %(code)s)", code=code),
            [(_("Mã đơn vị"), Kind.TEXT), (_("Đơn vị"), Kind.TEXT), (_("Mã yếu tố"), Kind.TEXT), *_figures()],
            (
                [row["unit"], results.unit_names.get(row["unit"], row["unit"]), row["element"], *_figure_cells(row)]
                for row in report.slices["unit"].elements.to_dict("records")
                if row["unit"] not in withheld
            ),
        )
    )
    charts = [
        snapshot_chart(
            _("SIPAS theo đơn vị"),
            _(
                "SIPAS của từng đơn vị (%%); đường nét đứt là chỉ tiêu %(target)s%%; * là ít câu trả lời hợp lệ.",
                target=_percent(campaign.sipas_target),
            ),
            campaign.sipas_target,
            ((label("unit", unit), row["index"], row["flagged"]) for unit, row in by_unit.items()),
        ),
        snapshot_chart(
            _("Chỉ số theo yếu tố"),
            _(
                "Chỉ số hài lòng của từng yếu tố (%%); đường nét đứt là chỉ tiêu %(target)s%%.",
                target=_percent(campaign.criterion_target),
            ),
            campaign.criterion_target,
            ((element_labels.get(row["element"], row["element"]), row["index"], row["flagged"]) for row in elements),
        ),
    ]
    return {
        "heading": _("Chỉ số SIPAS theo phiếu %(code)s", code=code),
        "summary": summary,
        "charts": charts,
        "tables": tables,
    }


def _par_section(results: CampaignResults, report: ParReport) -> dict:
    standings = {row["unit"]: row for row in report.standings.to_dict("records")}
    empty = {"index": None, "class": None, "rank": None}
    unit_columns = [(_("Mã đơn vị"), Kind.TEXT), (_("Đơn vị"), Kind.TEXT)]
    totals = report.result.totals.to_dict("records")
    names = results.unit_names
    return {
        "heading": _("Điểm điều tra xã hội học: %(forms)s", forms=report.name),
        "summary": [_("%(forms)s phiếu được tính.", forms=format_decimal(report.responses))],
        "charts": [],
        "tables": [
            snapshot_table(
                f"{slug(report.name)}-diem-don-vi",
                _("Điểm điều tra, chỉ số, xếp loại và xếp hạng (%(forms)s)", forms=report.name),
                [
                    (_("Hạng"), Kind.COUNT),
                    *unit_columns,
                    (_("Điểm điều tra XHH"), Kind.POINTS),
                    (_("Điểm tối đa"), Kind.POINTS),
                    (_("Số câu trả lời hợp lệ"), Kind.COUNT),
                    (_("Ít hơn ngưỡng câu trả lời hợp lệ"), Kind.MARK),
                    (_("Chỉ số (%)"), Kind.PERCENT),
                    (_("Xếp loại"), Kind.TEXT),
                ],
                (
                    [
                        (standing := standings.get(row["unit"], empty))["rank"],
                        row["unit"],
                        names.get(row["unit"], row["unit"]),
                        row["survey_points"],
                        row["max_points"],
                        row["valid"],
                        row["flagged"],
                        standing["index"],
                        standing["class"],
                    ]
                    for row in totals
                ),
            ),
            snapshot_table(
                f"{slug(report.name)}-tieu-chi",
                _("Điểm tiêu chí thành phần (%(forms)s)", forms=report.name),
                [
                    *unit_columns,
                    (_("Tiêu chí thành phần"), Kind.TEXT),
                    (_("Nội dung"), Kind.TEXT),
                    (_("Điểm"), Kind.POINTS),
                    (_("Điểm tối đa"), Kind.POINTS),
                    (_("Số câu trả lời hợp lệ"), Kind.COUNT),
                    (_("Ít hơn ngưỡng câu trả lời hợp lệ"), Kind.MARK),
                ],
                (
                    [
                        row["unit"],
                        names.get(row["unit"], row["unit"]),
                        row["subcriterion"],
                        row["label"],
                        row["points"],
                        row["max_points"],
                        row["valid"],
                        row["flagged"],
                    ]
                    for row in report.result.subcriteria.to_dict("records")
                ),
            ),
        ],
    }


def results_snapshot(results: CampaignResults) -> dict[str, Any]:
    """The published document of a campaign's results (see the module docstring), in Vietnamese;
    a SIPAS unit with fewer forms than ``PUBLISH_MIN_FORMS`` is listed without its figures."""
    campaign = results.campaign
    publish_min_forms = current_app.config["PUBLISH_MIN_FORMS"]
    with force_locale("vi"):
        if campaign.purpose is CampaignPurpose.SIPAS:
            sections = [
                _sipas_section(results, report, publish_min_forms) for report in results.sipas if report.responses
            ]
            notes = [
                _(
                    "Con số dựa trên ít hơn ngưỡng câu trả lời hợp lệ được đánh dấu; đơn vị có ít hơn "
                    "%(minimum)s phiếu được liệt kê nhưng không xếp hạng.",
                    minimum=format_decimal(campaign.rank_min_forms),
                ),
                _(
                    "Số liệu của đơn vị có ít hơn %(minimum)s phiếu không được công bố.",
                    minimum=format_decimal(publish_min_forms),
                ),
            ]
        else:
            sections = [_par_section(results, report) for report in results.par if report.responses]
            notes = [_("Điểm dựa trên ít hơn ngưỡng câu trả lời hợp lệ được đánh dấu.")]
    return {
        "format": SNAPSHOT_FORMAT,
        "purpose": campaign.purpose.value,
        "title": campaign.name,
        "year": campaign.year,
        "responses": results.responses,
        "computed_at": results.computed_at.isoformat(),
        "notes": notes,
        "sections": sections,
    }


def snapshot_tables(snapshot: dict[str, Any]) -> list[Table]:
    """Every table of a snapshot, numbered in the order of the page, for CSV files and a workbook."""
    tables = (table for section in snapshot["sections"] for table in section["tables"])
    return [
        table_of_rows(
            table["key"],
            f"{number}. {table['title']}",
            [Column(column["header"], Kind(column["kind"])) for column in table["columns"]],
            table["rows"],
        )
        for number, table in enumerate(tables, start=1)
    ]
