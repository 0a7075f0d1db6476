"""Importing responses from CSV/XLSX: typed-in paper forms, or earlier results from spreadsheets.

The layout is the raw export's, so an export imports again without change. One row per
response; the headers are fixed Vietnamese names (whatever the page's language):

=============  ==========================================================================
Mẫu phiếu      questionnaire code of the campaign (``SIPAS-2017``, ``CX4``…), required;
               ``Mã phiếu`` in files exported before it was renamed, read the same
Phiên bản      its version; optional, but when given it must be the campaign's
Mã đơn vị      code of the assessed unit, required; the questionnaire must apply to it; a
               commune code of before 1 July 2025 reads as the commune it became
               (refused, naming them, when it was split among several)
Đơn vị         the unit's name; ignored (the export writes it for people to read)
Đối tượng      respondent group code; optional when the questionnaire has one group
Hình thức      ``paper`` (default when empty), ``interview``, ``desk_qr`` or ``online_link``
Lĩnh vực       field of the procedure, when the questionnaire asks it
Ngày           date of the answers, ``dd/mm/yyyy``; today when empty; never in the future
<code>         one column per question code: the option's value; several values of a
               multiple-choice question separated by ``;``; free text as typed
=============  ==========================================================================

Every row is checked as a submitted form would be; a file with any bad row stores nothing
and every problem is reported with its line, column and value.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import BinaryIO

from flask_babel import gettext as _
from sqlalchemy import insert
from werkzeug.datastructures import MultiDict

from surveyapp.extensions import db
from surveyapp.models import AuditAction, Campaign, Questionnaire, Response, ResponseMode
from surveyapp.questionnaires.answers import (
    PROCEDURE_FIELD_FIELD,
    RESPONDENT_GROUP_FIELD,
    Problem,
    check_submission,
    field_name,
)
from surveyapp.questionnaires.definition import Question, QuestionnaireDefinition, QuestionType
from surveyapp.services.audit import record_action
from surveyapp.services.official_units import read_unit_code, split_reason
from surveyapp.services.quotas import count_imported
from surveyapp.services.responses import local_today, response_row
from surveyapp.services.results.raw_layout import (
    DATE,
    DATE_FORMAT,
    FIELD,
    GROUP,
    MODE,
    MULTI_SEPARATOR,
    QUESTIONNAIRE,
    UNIT,
    VERSION,
    column_names,
)
from surveyapp.services.units import is_unit_code, normalise_unit_code
from surveyapp.tables.formulas import restore
from surveyapp.tables.reading import ProblemList, Row, RowProblem, RowsRejected, read_table

REQUIRED_COLUMNS = (QUESTIONNAIRE, UNIT)


@dataclass(frozen=True)
class ImportedResponses:
    """How many responses were stored, per questionnaire code."""

    stored: Counter[str]

    @property
    def total(self) -> int:
        """All responses stored."""
        return sum(self.stored.values())


class _RowChecker:
    """Checks the rows of one file against one campaign, collecting every problem."""

    def __init__(self, campaign: Campaign, today: dt.date, names: dict[str, str]) -> None:
        self.campaign = campaign
        self.today = today
        self.questionnaire_column = names[QUESTIONNAIRE]  # as the file names it (maybe a former name)
        self.questionnaires = {q.code: q for q in campaign.questionnaires}
        self.units = {unit.code: unit for unit in campaign.units}
        self.problems = ProblemList()

    def refuse(self, line: int, column: str, value: str, reason: str) -> None:
        self.problems.add(RowProblem(line, column, value, reason))

    def questionnaire(self, line: int, row: Row) -> Questionnaire | None:
        code = row.get(self.questionnaire_column, "")
        questionnaire = self.questionnaires.get(code)
        if questionnaire is None:
            self.refuse(line, self.questionnaire_column, code, _("không phải phiếu của đợt điều tra"))
            return None
        version = row.get(VERSION, "")
        if version and version != str(questionnaire.version):
            self.refuse(
                line, VERSION, version, _("đợt điều tra dùng phiên bản %(version)s", version=questionnaire.version)
            )
        return questionnaire

    def mode(self, line: int, row: Row) -> ResponseMode | None:
        value = row.get(MODE, "") or ResponseMode.PAPER.value
        try:
            return ResponseMode(value)
        except ValueError:
            allowed = ", ".join(mode.value for mode in ResponseMode)
            self.refuse(line, MODE, value, _("phải là một trong: %(allowed)s", allowed=allowed))
            return None

    def date(self, line: int, row: Row) -> dt.date | None:
        value = row.get(DATE, "")
        if not value:
            return self.today
        try:
            day = dt.datetime.strptime(value, DATE_FORMAT).date()
        except ValueError:
            self.refuse(line, DATE, value, _("không phải ngày hợp lệ (dd/mm/yyyy)"))
            return None
        if day > self.today:
            self.refuse(line, DATE, value, _("là ngày trong tương lai"))
            return None
        return day

    def response(self, line: int, row: Row) -> dict | None:
        """The response of one row, ready to insert, or ``None`` after reporting its problems."""
        before = len(self.problems)
        questionnaire = self.questionnaire(line, row)
        read = read_unit_code(normalise_unit_code(row.get(UNIT, "")), self.units)
        code, unit = read.code, self.units.get(read.code)
        if not is_unit_code(code):
            self.refuse(line, UNIT, code, _("mã đơn vị chỉ gồm chữ cái A–Z, chữ số và các dấu - _ ."))
        elif read.split_among:
            self.refuse(line, UNIT, code, split_reason(read))
        elif unit is None:
            self.refuse(line, UNIT, code, _("không phải đơn vị của đợt điều tra"))
        elif questionnaire is not None and unit not in self.campaign.units_for(questionnaire):
            self.refuse(line, UNIT, unit.code, _("phiếu này không dùng cho loại đơn vị %(kind)s", kind=unit.kind))
        mode, day = self.mode(line, row), self.date(line, row)
        if questionnaire is None or unit is None or len(self.problems) > before:
            return None
        definition = questionnaire.definition
        unit_key = unit.code if definition.is_matrix else None
        form = MultiDict()
        if row.get(GROUP) or definition.asks_respondent_group:
            form.add(RESPONDENT_GROUP_FIELD, row.get(GROUP, ""))
        if definition.asks_procedure_field:
            form.add(PROCEDURE_FIELD_FIELD, row.get(FIELD, ""))
        columns = {}
        for question in definition.questions:
            name = field_name(question, unit_key if question.per_unit else None)
            columns[name] = question.code
            text = restore(row.get(question.code, ""))
            values = text.split(MULTI_SEPARATOR) if question.type is QuestionType.MULTI else [text]
            for value in values:
                form.add(name, value)
        check = check_submission(definition, form, [unit_key] if unit_key else [])
        submission = check.submission
        if submission is not None and row.get(GROUP) and submission.respondent_group != row[GROUP]:
            self.refuse(line, GROUP, row[GROUP], _reason(Problem.NOT_AN_OPTION, _group_codes(definition)))
            return None
        if submission is None:
            for name, problem in check.problems.items():
                if name == RESPONDENT_GROUP_FIELD:
                    column, allowed = GROUP, _group_codes(definition)
                elif name == PROCEDURE_FIELD_FIELD:
                    column, allowed = FIELD, ", ".join(definition.procedure_fields)
                else:
                    column = columns[name]
                    allowed = _option_values(definition.question(column))
                self.refuse(line, column, row.get(column, ""), _reason(problem, allowed))
            return None
        return response_row(
            campaign=self.campaign,
            unit=unit,
            questionnaire=questionnaire,
            respondent_group=submission.respondent_group,
            mode=mode,
            procedure_field=submission.procedure_field,
            submitted_on=day,
            answers=submission.answers_for(unit_key),
        )


def _group_codes(definition: QuestionnaireDefinition) -> str:
    return ", ".join(group.code for group in definition.respondent_groups)


def _option_values(question: Question) -> str:
    return ", ".join(option.key for option in question.choices)


def _reason(problem: Problem, allowed: str) -> str:
    """Why a cell is refused, in the officer's words, with the values the column accepts."""
    if problem is Problem.REQUIRED:
        return _("bị trống, mà câu hỏi bắt buộc trả lời")
    if problem is Problem.TOO_LONG:
        return _("nội dung quá dài")
    if problem is Problem.SEVERAL_VALUES:
        return _("chỉ được một giá trị")
    return _("không phải giá trị hợp lệ; giá trị hợp lệ: %(allowed)s", allowed=allowed)


BATCH = 1000  # responses inserted at a time


def import_responses(campaign: Campaign, file_name: str, source: bytes | BinaryIO) -> ImportedResponses:
    """Store the responses of an uploaded CSV or XLSX file in the raw export's layout.

    Raises ``RowsRejected`` listing every bad row, ``UnreadableTable`` for a file that is not
    a table and ``TableTooLarge`` beyond the upload limits. The file is read a row at a time
    and good rows are inserted in batches until a bad one is found: after an error the session
    must be rolled back (nothing is committed here). Imported responses count toward the
    quota cells of their unit and group without being turned away: they were collected
    already. The session is flushed, not committed.
    """
    table = read_table(file_name, source)
    names = column_names(table.header)
    missing = [column for column in REQUIRED_COLUMNS if names[column] not in table.header]
    if missing:
        raise RowsRejected([RowProblem(1, column, "", _("thiếu cột này ở dòng tiêu đề")) for column in missing])
    checker = _RowChecker(campaign, local_today(), names)
    cells: Counter[tuple[int, int, str]] = Counter()
    by_id = {q.id: q.code for q in campaign.questionnaires}
    stored: Counter[str] = Counter()
    batch: list[dict] = []
    for line, row in table:
        response = checker.response(line, row)
        if response is None or checker.problems:
            continue  # once the file is refused, its rows are only checked
        batch.append(response)
        cells[response["questionnaire_id"], response["unit_id"], response["respondent_group"]] += 1
        stored[by_id[response["questionnaire_id"]]] += 1
        if len(batch) == BATCH:
            db.session.execute(insert(Response), batch)
            batch = []
    if not checker.problems and not stored:
        raise RowsRejected([RowProblem(2, QUESTIONNAIRE, "", _("tệp không có dòng phiếu nào"))])
    if checker.problems:
        raise RowsRejected(checker.problems)
    if batch:
        db.session.execute(insert(Response), batch)
    count_imported(campaign, cells)
    record_action(AuditAction.RESPONSES_IMPORTED, campaign, file=file_name, stored=dict(stored))
    db.session.flush()
    return ImportedResponses(stored)
