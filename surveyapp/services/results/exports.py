"""Exports officers send upward: the indices, the PAR survey points and the raw responses.

Each export is a list of ``Table`` (one sheet each in XLSX, one file each in CSV) with
Vietnamese headers, whose rows come as data frames, a chunk at a time: the writers format
whole columns at once, so the 187,000 rows of a province's indices take seconds, not
minutes. Text is neutralised against formula injection.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
import unicodedata
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import String, Text, cast, func, select, type_coerce

from scoring import Unranked
from surveyapp.extensions import db
from surveyapp.models import Campaign, CampaignPurpose, Questionnaire, Response, ResponseMode, Unit
from surveyapp.questionnaires.answers import encode_answer_codes, scored_questions
from surveyapp.questionnaires.definition import QuestionType
from surveyapp.services.results.columns import stream_plain_rows
from surveyapp.services.results.indices import (
    CampaignResults,
    ParReport,
    SipasReport,
    all_units,
    decode_answers,
    meets_target,
    sipas_target,
    subtree_unit_ids,
)
from surveyapp.services.results.raw_layout import (
    DATE,
    DATE_FORMAT,
    FIELD,
    GROUP,
    HEAD_COLUMNS,
    MODE,
    MULTI_SEPARATOR,
    QUESTIONNAIRE,
    UNIT,
    UNIT_NAME,
    VERSION,
)
from surveyapp.services.results.settings_rows import settings_rows
from surveyapp.tables.writing import Column, Kind, Table, table_of_rows

MODE_LABELS = {
    ResponseMode.DESK_QR: _l("Quét mã QR tại Bộ phận một cửa"),
    ResponseMode.ONLINE_LINK: _l("Đường dẫn trực tuyến"),
    ResponseMode.INTERVIEW: _l("Phỏng vấn trực tiếp"),
    ResponseMode.PAPER: _l("Phiếu giấy"),
    ResponseMode.RECEIPT_LINK: _l("Đường dẫn trên phiếu trả kết quả hồ sơ"),
}
SLICE_LABELS = {
    "": _l("Toàn bộ"),
    "unit": _l("Đơn vị"),
    "parent_unit": _l("Đơn vị cấp trên"),
    "procedure_field": _l("Lĩnh vực"),
    "respondent_group": _l("Đối tượng"),
    "mode": _l("Hình thức"),
    "period": _l("Tháng"),
}


def _frame(index: pd.Index, values: Sequence[Any]) -> pd.DataFrame:
    """Columns given in order, each a series on ``index`` or one value for every row."""
    return pd.DataFrame(dict(enumerate(values)), index=index)


def _labelled(values: pd.Series, label: Callable[[Any], str]) -> pd.Series:
    """``label`` of every value, called once per distinct value."""
    return values.map({value: label(value) for value in values.unique()}).astype(object)


def slug(text: str) -> str:
    """An ASCII file-name part: "Đợt SIPAS 2026" → "dot-sipas-2026".

    >>> slug("Khảo sát SIPAS – Phường Trương Quang Trọng 2026")
    'khao-sat-sipas-phuong-truong-quang-trong-2026'
    """
    text = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D"))
    text = text.encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:60] or "dot-dieu-tra"


def _file_name(campaign: Campaign, within: Unit | None, what: str, extension: str, today: dt.date) -> str:
    """``<campaign>_<unit>_<what>_<yyyy-mm-dd>.<extension>``: campaign, unit and date in the name."""
    unit = f"{within.code}-{slug(within.name)}" if within is not None else "tat-ca-don-vi"
    return f"{slug(campaign.name)}_{unit}_{what}_{today:%Y-%m-%d}.{extension}"


def indices_file_name(campaign: Campaign, within: Unit | None, extension: str, today: dt.date) -> str:
    """The name of the indices (SIPAS) or survey points (PAR) file, for the web and the CLI."""
    what = "chi-so-sipas" if campaign.purpose is CampaignPurpose.SIPAS else "diem-dtxhh"
    return _file_name(campaign, within, what, extension, today)


def responses_file_name(
    campaign: Campaign, within: Unit | None, questionnaire_code: str, extension: str, today: dt.date
) -> str:
    """The name of a questionnaire's raw responses file, for the web and the CLI."""
    return _file_name(campaign, within, f"phieu-{slug(questionnaire_code)}", extension, today)


# Index tables ----------------------------------------------------------------------------


def slice_labeller(results: CampaignResults, report: SipasReport | None = None) -> Callable[[str, Any], str]:
    """A function naming a slice value for people: unit names, group and mode labels."""
    groups = {}
    if report is not None:
        groups = {g.code: str(g.label) for g in report.questionnaire.definition.respondent_groups}
    modes = {mode.value: str(label) for mode, label in MODE_LABELS.items()}

    def label(slice_name: str, value: Any) -> str:
        if slice_name in ("unit", "parent_unit") and value:
            return f"{results.unit_names.get(value, value)} ({value})"
        if slice_name == "respondent_group":
            return groups.get(value, value)
        if slice_name == "mode":
            return modes.get(value, value)
        return str(value) if slice_name else str(SLICE_LABELS[""])

    return label


def standing_note(row: Mapping[str, Any], min_forms: int) -> str:
    """Why a unit of ``rank_by_kind``'s standings has no rank, in words ("" when it has one)."""
    if row["unranked"] == Unranked.TOO_FEW_FORMS.value:
        return _(
            "Không xếp hạng: %(forms)s phiếu, ít hơn mức tối thiểu %(minimum)s phiếu",
            forms=format_decimal(row["forms"]),
            minimum=format_decimal(min_forms),
        )
    if row["unranked"] == Unranked.NO_INDEX.value:
        return _("Không xếp hạng: chưa có chỉ số")
    return ""


def _figure_columns() -> list[Column]:
    return [
        Column(_("Chỉ số (%)"), Kind.PERCENT),
        Column(_("Cận dưới KTC 95% (%)"), Kind.PERCENT),
        Column(_("Cận trên KTC 95% (%)"), Kind.PERCENT),
        Column(_("Số câu trả lời hợp lệ"), Kind.COUNT),
        Column(_("Ít hơn ngưỡng câu trả lời hợp lệ"), Kind.MARK),
    ]


def _figures(frame: pd.DataFrame) -> list[pd.Series]:
    return [frame["index"], frame["ci_low"], frame["ci_high"], frame["valid"], frame["flagged"]]


def _sipas_frames(
    results: CampaignResults, table: str, extra: Callable[[SipasReport, pd.Series, pd.DataFrame], list[Any]]
) -> Iterator[pd.DataFrame]:
    """Rows of one table of every SIPAS slice; ``extra`` adds columns from (report, the
    rows' slice values, the slice's frame)."""
    for report in results.sipas:
        label = slice_labeller(results, report)
        for slice_name, result in report.slices.items():
            frame: pd.DataFrame = getattr(result, table)
            # Named after their slice, as the frame's column ("" for the whole report).
            values = frame[slice_name] if slice_name else pd.Series("", index=frame.index, name="")
            yield _frame(
                frame.index,
                [
                    report.questionnaire.code,
                    str(SLICE_LABELS[slice_name]),
                    _labelled(values, functools.partial(label, slice_name)),
                    *extra(report, values, frame),
                    *_figures(frame),
                ],
            )


def _methodology_labels(questionnaire: Questionnaire) -> dict[str, str]:
    """Code → Vietnamese label of every part and element of a questionnaire's methodology."""
    parts = questionnaire.definition.methodology.index_parts
    return {p.code: str(p.label) for p in parts} | {e.code: str(e.label) for p in parts for e in p.elements}


def _standings_frames(results: CampaignResults) -> Iterator[pd.DataFrame]:
    """Rows of the units' standing by kind, of every SIPAS report."""
    label = slice_labeller(results)
    minimum = results.campaign.rank_min_forms
    for report in results.sipas:
        frame = report.standings
        notes = [standing_note(row, minimum) for row in frame.to_dict("records")]
        yield _frame(
            frame.index,
            [
                report.questionnaire.code,
                frame["group"],
                frame["rank"],
                frame["unit"],
                _labelled(frame["unit"], lambda code: label("unit", code)),
                frame["index"],
                frame["forms"],
                pd.Series(notes, index=frame.index, dtype=object),
            ],
        )


def sipas_tables(results: CampaignResults) -> list[Table]:
    """The SIPAS workbook: overall, the units' standing by kind, parts, elements, items,
    assessment, expectation, settings."""
    campaign = results.campaign
    labels = {report.questionnaire.id: _methodology_labels(report.questionnaire) for report in results.sipas}
    head = [Column(_("Mẫu phiếu")), Column(_("Lát cắt")), Column(_("Giá trị"))]

    def overall_target(report: SipasReport, values: pd.Series, frame: pd.DataFrame) -> list[Any]:
        targets = _labelled(values, functools.partial(sipas_target, campaign, values.name))
        return [targets, _met(frame["index"], targets)]

    def part_label(report: SipasReport, values: pd.Series, frame: pd.DataFrame) -> list[Any]:
        return [_labelled(frame["part"], lambda code: labels[report.questionnaire.id].get(code, code))]

    def element_label(report: SipasReport, values: pd.Series, frame: pd.DataFrame) -> list[Any]:
        targets = pd.Series(campaign.criterion_target, index=frame.index, dtype=object)
        return [
            frame["element"],
            _labelled(frame["element"], lambda code: labels[report.questionnaire.id].get(code, code)),
            targets,
            _met(frame["index"], targets),
        ]

    def question_text(report: SipasReport, frame: pd.DataFrame) -> pd.Series:
        return _labelled(frame["item"], lambda code: report.questionnaire.definition.question(code).text.vi)

    def item_label(report: SipasReport, values: pd.Series, frame: pd.DataFrame) -> list[Any]:
        return [frame["item"], question_text(report, frame), frame["element"], frame["mean_score"], frame["no_answer"]]

    def share_label(report: SipasReport, values: pd.Series, frame: pd.DataFrame) -> list[Any]:
        return [frame["item"], question_text(report, frame), frame["no_answer"]]

    # Targets in the indices' own convention: a target of 90 is 90%, beside an index of 76.9%.
    target_columns = [Column(_("Chỉ tiêu (%)"), Kind.PERCENT), Column(_("Đạt chỉ tiêu"), Kind.MARK)]
    item_columns = [Column(_("Mã câu hỏi")), Column(_("Nội dung"))]
    tables = [
        Table(
            "sipas",
            _("SIPAS"),
            [*head, *target_columns, *_figure_columns()],
            _sipas_frames(results, "overall", overall_target),
        ),
        Table(
            "standings",
            _("Xếp hạng theo loại đơn vị"),
            [
                Column(_("Mẫu phiếu")),
                Column(_("Loại đơn vị")),
                Column(_("Hạng"), Kind.COUNT),
                Column(_("Mã đơn vị")),
                Column(_("Đơn vị")),
                Column(_("Chỉ số SIPAS (%)"), Kind.PERCENT),
                Column(_("Số phiếu"), Kind.COUNT),
                Column(_("Ghi chú")),
            ],
            _standings_frames(results),
        ),
        Table(
            "parts",
            _("Chỉ số thành phần"),
            [*head, Column(_("Thành phần")), *_figure_columns()],
            _sipas_frames(results, "parts", part_label),
        ),
        Table(
            "elements",
            _("Chỉ số yếu tố"),
            [*head, Column(_("Mã yếu tố")), Column(_("Yếu tố")), *target_columns, *_figure_columns()],
            _sipas_frames(results, "elements", element_label),
        ),
        Table(
            "items",
            _("Chỉ số tiêu chí"),
            [
                *head,
                *item_columns,
                Column(_("Mã yếu tố")),
                Column(_("Điểm trung bình (1–5)"), Kind.POINTS),
                Column(_("Không biết / không trả lời"), Kind.COUNT),
                *_figure_columns(),
            ],
            _sipas_frames(results, "items", item_label),
        ),
        Table(
            "assessment",
            _("Chỉ số nhận định"),
            [*head, *item_columns, Column(_("Không biết / không trả lời"), Kind.COUNT), *_figure_columns()],
            _sipas_frames(results, "assessment", share_label),
        ),
        Table(
            "expectation",
            _("Chỉ số mong đợi"),
            [*head, *item_columns, Column(_("Không biết / không trả lời"), Kind.COUNT), *_figure_columns()],
            _sipas_frames(results, "expectation", share_label),
        ),
        settings_table(results),
    ]
    return tables


def _par_frames(
    results: CampaignResults,
    table: Callable[[ParReport], pd.DataFrame],
    cells: Callable[[ParReport, pd.DataFrame], list[Any]],
) -> Iterator[pd.DataFrame]:
    label = slice_labeller(results)
    for report in results.par:
        frame = table(report)
        unit_names = _labelled(frame["unit"], lambda code: label("unit", code))
        yield _frame(frame.index, [report.name, frame["unit"], unit_names, *cells(report, frame)])


def par_tables(results: CampaignResults) -> list[Table]:
    """The PAR workbook: survey points per unit, per sub-criterion, per group, the standings, and
    the responses per unit and respondent group (how groups filled a shared quota)."""
    head = [Column(_("Bộ phiếu")), Column(_("Mã đơn vị")), Column(_("Đơn vị"))]
    points = Column(_("Điểm"), Kind.POINTS)
    maximum = Column(_("Điểm tối đa"), Kind.POINTS)
    survey = Column(_("Điểm điều tra XHH"), Kind.POINTS)
    valid = Column(_("Số câu trả lời hợp lệ"), Kind.COUNT)
    flag = Column(_("Ít hơn ngưỡng câu trả lời hợp lệ"), Kind.MARK)

    def total_cells(report: ParReport, frame: pd.DataFrame) -> list[Any]:
        return [frame[name] for name in ("survey_points", "max_points", "subcriteria", "valid", "flagged")]

    def subcriterion_cells(report: ParReport, frame: pd.DataFrame) -> list[Any]:
        names = ("subcriterion", "label", "points", "max_points", "groups", "valid", "flagged")
        return [frame[name] for name in names]

    def group_cells(report: ParReport, frame: pd.DataFrame) -> list[Any]:
        groups = {g.code: str(g.label) for q in report.questionnaires for g in q.definition.respondent_groups}
        return [
            frame["subcriterion"],
            _labelled(frame["respondent_group"], lambda code: groups.get(code, code)),
            *(frame[name] for name in ("mean_coefficient", "points", "max_points", "valid", "flagged")),
        ]

    def group_count_cells(report: ParReport, frame: pd.DataFrame) -> list[Any]:
        pairs = zip(frame["questionnaire"], frame["respondent_group"], strict=True)
        groups = pd.Series([str(report.group_label(*pair)) for pair in pairs], index=frame.index, dtype=object)
        return [frame["questionnaire"], groups, frame["responses"]]

    def standing_cells(report: ParReport, frame: pd.DataFrame) -> list[Any]:
        names = ("appraised_points", "survey_points", "other_points", "total_points", "max_points", "index")
        return [*(frame[name] for name in names), frame["class"], frame["rank"]]

    subcriterion = Column(_("Tiêu chí thành phần"))
    return [
        Table(
            "totals",
            _("Điểm điều tra theo đơn vị"),
            [*head, survey, maximum, Column(_("Số tiêu chí có điểm"), Kind.COUNT), valid, flag],
            _par_frames(results, lambda report: report.result.totals, total_cells),
        ),
        Table(
            "subcriteria",
            _("Điểm tiêu chí thành phần"),
            [
                *head,
                subcriterion,
                Column(_("Nội dung")),
                points,
                maximum,
                Column(_("Số nhóm đối tượng"), Kind.COUNT),
                valid,
                flag,
            ],
            _par_frames(results, lambda report: report.result.subcriteria, subcriterion_cells),
        ),
        Table(
            "groups",
            _("Điểm theo nhóm đối tượng"),
            [
                *head,
                subcriterion,
                Column(_("Đối tượng")),
                Column(_("Hệ số trung bình"), Kind.POINTS),
                points,
                maximum,
                valid,
                flag,
            ],
            _par_frames(results, lambda report: report.result.by_group, group_cells),
        ),
        Table(
            "standings",
            _("Chỉ số và xếp hạng"),
            [
                *head,
                Column(_("Điểm thẩm định"), Kind.POINTS),
                survey,
                Column(_("Điểm khác"), Kind.POINTS),
                Column(_("Tổng điểm"), Kind.POINTS),
                maximum,
                Column(_("Chỉ số (%)"), Kind.PERCENT),
                Column(_("Xếp loại")),
                Column(_("Xếp hạng"), Kind.COUNT),
            ],
            _par_frames(results, lambda report: report.standings, standing_cells),
        ),
        Table(
            "respondents",
            _("Số phiếu theo nhóm đối tượng"),
            [*head, Column(_("Mẫu phiếu")), Column(_("Đối tượng")), Column(_("Số phiếu"), Kind.COUNT)],
            _par_frames(results, lambda report: report.group_counts, group_count_cells),
        ),
        settings_table(results),
    ]


def indices_tables(results: CampaignResults) -> list[Table]:
    """The tables of the campaign's indices export: SIPAS's, or the PAR survey points'."""
    return sipas_tables(results) if results.campaign.purpose is CampaignPurpose.SIPAS else par_tables(results)


def settings_table(results: CampaignResults) -> Table:
    """How the figures were computed, in words: campaign, scope, time, targets, questionnaire
    versions and every setting of the scoring (``settings_rows``)."""
    return table_of_rows("settings", _("Cách tính"), [Column(_("Mục")), Column(_("Giá trị"))], settings_rows(results))


def _met(indices: pd.Series, targets: pd.Series) -> pd.Series:
    """Whether each index reaches its row's target (``meets_target``)."""
    return pd.Series(
        [meets_target(index, target) for index, target in zip(indices, targets, strict=True)],
        index=indices.index,
        dtype=object,
    )


# Raw responses -----------------------------------------------------------------------------


def raw_columns(questionnaire: Questionnaire) -> list[str]:
    """The headers of the raw layout, which the response import reads back (see its docstring)."""
    return [*HEAD_COLUMNS, *(q.code for q in questionnaire.definition.questions)]


def count_raw_rows(campaign: Campaign, questionnaire: Questionnaire, within: Unit | None) -> int:
    """How many responses the raw export of ``questionnaire`` would hold."""
    statement = select(func.count()).where(
        Response.campaign_id == campaign.id, Response.questionnaire_id == questionnaire.id
    )
    if within is not None:
        statement = statement.where(Response.unit_id.in_(subtree_unit_ids(within)))
    return db.session.scalar(statement) or 0


RAW_BATCH = 50_000


def raw_frames(
    campaign: Campaign, questionnaire: Questionnaire, within: Unit | None = None, batch: int = RAW_BATCH
) -> Iterator[pd.DataFrame]:
    """The anonymous responses to one questionnaire in the import layout, ``batch`` at a time.

    Responses come sorted by what they hold (unit, group, way in, field, date, answers), never
    in the order they were stored: a row's place says nothing about when it arrived. Scored
    answers are decoded from the answer codes column by column; free texts and multiple
    choices are read from the stored answers.
    """
    columns = Response.__table__.c
    others = [q for q in questionnaire.definition.questions if q not in scored_questions(questionnaire.definition)]
    units = all_units()
    statement = (
        select(
            columns.id,
            columns.unit_id,
            columns.respondent_group,
            type_coerce(columns.mode, String),
            columns.procedure_field,
            type_coerce(columns.submitted_on, String),
            columns.answer_codes,
            *(Response.answers[q.code].as_string() for q in others),
        )
        .where(
            columns.campaign_id == campaign.id,
            columns.questionnaire_id == questionnaire.id,
        )
        .order_by(
            columns.unit_id,
            columns.respondent_group,
            columns.mode,
            columns.procedure_field,
            columns.submitted_on,
            columns.answer_codes,
            cast(columns.answers, Text),
            columns.id,  # only between rows that hold the same answers
        )
    )
    if within is not None:
        statement = statement.where(columns.unit_id.in_(subtree_unit_ids(within)))
    names = ["id", "unit_id", "group", "mode", "field", "day", "codes", *(q.code for q in others)]
    for rows in stream_plain_rows(statement, batch):
        table = pd.DataFrame.from_records(rows, columns=names)
        day_numbers, days = pd.factorize(table["day"])
        unit_numbers, unit_ids = pd.factorize(table["unit_id"])
        frame = pd.DataFrame(
            {
                QUESTIONNAIRE: questionnaire.code,
                VERSION: questionnaire.version,
                UNIT: np.asarray([units[i].code for i in unit_ids], dtype=object)[unit_numbers],
                UNIT_NAME: np.asarray([units[i].name for i in unit_ids], dtype=object)[unit_numbers],
                GROUP: table["group"],
                MODE: table["mode"],
                FIELD: table["field"].fillna(""),
                DATE: np.asarray([_day_text(day) for day in days], dtype=object)[day_numbers],
            }
        )
        answers = decode_answers(questionnaire, _answer_codes(questionnaire, table), len(table))
        for question in others:
            answers[question.code] = table[question.code].map(_stored_text, na_action="ignore")
        frame = pd.concat([frame, pd.DataFrame(answers)], axis=1)
        yield frame[raw_columns(questionnaire)]


def _answer_codes(questionnaire: Questionnaire, table: pd.DataFrame) -> str:
    """The answer codes of a batch of responses run together; those stored before codes
    existed are encoded now."""
    codes = table["codes"]
    missing = codes.isna()
    if missing.any():
        ids = table["id"][missing]
        stored = dict(
            db.session.execute(select(Response.id, Response.answers).where(Response.id.in_(ids.tolist()))).all()
        )
        encoded = [encode_answer_codes(questionnaire.definition, stored[i]) for i in ids]
        codes = codes.where(~missing, pd.Series(encoded, index=codes.index[missing]))
    return "".join(codes)


def _day_text(day: object) -> str:
    """A stored date (a date, or ISO text from SQLite) as dd/mm/yyyy."""
    return dt.date.fromisoformat(str(day)[:10]).strftime(DATE_FORMAT)


def _stored_text(value: str) -> str:
    """A free text, or the JSON list of a multiple choice joined with "; "."""
    if value.startswith("["):
        try:
            return f"{MULTI_SEPARATOR} ".join(str(v) for v in json.loads(value))
        except ValueError:
            return value
    return value


def raw_table(campaign: Campaign, questionnaire: Questionnaire, within: Unit | None = None) -> Table:
    """The anonymous responses to one questionnaire, one row each, in the import layout.

    Rows are read from the database in batches as the file is written. Units' codes and
    names, fields and free texts are what people typed: those are neutralised.
    """
    typed = {
        UNIT,
        UNIT_NAME,
        FIELD,
        *(q.code for q in questionnaire.definition.questions if q.type is QuestionType.TEXT),
    }
    columns = [Column(header, Kind.TEXT if header in typed else Kind.CODE) for header in raw_columns(questionnaire)]
    return Table(
        f"responses-{questionnaire.code}", questionnaire.code, columns, raw_frames(campaign, questionnaire, within)
    )
