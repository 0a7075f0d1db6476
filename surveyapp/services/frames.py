"""Importing the sampling frame: the one-stop system's list of completed, returned records.

Expected columns (Vietnamese headers, as one-stop systems export them): Mã hồ sơ, Lĩnh vực,
Mã đơn vị, Ngày tiếp nhận, Ngày trả kết quả, Trạng thái, Người nộp, Số điện thoại. Every bad
row is reported (line, column, value, reason); a file with bad rows stores nothing unless the
officer asks to skip them. A commune code of before 1 July 2025 that the campaign does not
know is read as today's commune it became, or refused naming the communes it was split among
(``official_units.read_unit_code``).
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from typing import BinaryIO

from flask_babel import gettext as _
from sqlalchemy import delete, func, select

from surveyapp.bulk_rows import insert_rows, insert_rows_returning_ids
from surveyapp.extensions import db
from surveyapp.models import AuditAction, Campaign, FrameContact, FrameRecord, SampleEntry
from surveyapp.services.audit import record_action
from surveyapp.services.official_units import ReadCode, read_unit_code, split_reason
from surveyapp.services.units import is_unit_code, normalise_unit_code
from surveyapp.tables.reading import ProblemList, Row, RowProblem, RowsRejected, read_table, too_long

RECORD, FIELD, UNIT, RECEIVED, RETURNED = "Mã hồ sơ", "Lĩnh vực", "Mã đơn vị", "Ngày tiếp nhận", "Ngày trả kết quả"
STATUS, NAME, PHONE = "Trạng thái", "Người nộp", "Số điện thoại"
REQUIRED_COLUMNS = (RECORD, FIELD, UNIT, RECEIVED, RETURNED, STATUS, NAME, PHONE)
RETURNED_STATUS = "Đã trả kết quả"
DATE_FORMAT = "%d/%m/%Y"


@dataclass(frozen=True)
class FrameImportResult:
    """How many records were stored, and the bad rows that were skipped at the officer's request;
    ``converted`` rows gave a commune code of before 1 July 2025, read as today's commune."""

    stored: int
    skipped: ProblemList
    converted: int = 0


class FrameAlreadySampled(ValueError):
    """The sample has been drawn from the frame, which therefore cannot change any more."""


@functools.lru_cache(maxsize=4096)
def _parse_date(text: str) -> dt.date:
    """A dd/mm/yyyy date (``ValueError`` if it is not one). A frame holds a few hundred distinct
    days in 100,000 rows, and ``strptime`` was a third of an import's time: each is parsed once."""
    return dt.datetime.strptime(text, DATE_FORMAT).date()


@dataclass(frozen=True)
class _Reasons:
    """The fixed reasons a row is bad, translated once per import: looked up per problem, the
    translations were most of the time of a refused file (700,000 of them for 100,000 rows)."""

    empty: str
    not_a_date: str
    unit_characters: str
    not_campaign_unit: str
    not_returned: str
    before_received: str

    @classmethod
    def translated(cls) -> _Reasons:
        return cls(
            empty=_("bị trống"),
            not_a_date=_("không phải ngày hợp lệ (dd/mm/yyyy)"),
            unit_characters=_("mã đơn vị chỉ gồm chữ cái A–Z, chữ số và các dấu - _ ."),
            not_campaign_unit=_("không phải đơn vị của đợt điều tra"),
            not_returned=_("hồ sơ chưa trả kết quả nên không thuộc khung chọn mẫu"),
            before_received=_("trước ngày tiếp nhận"),
        )


def _date(row: Row, column: str, line: int, problems: list[RowProblem], reasons: _Reasons) -> dt.date | None:
    try:
        return _parse_date(row.get(column, ""))
    except ValueError:
        problems.append(RowProblem(line, column, row.get(column, ""), reasons.not_a_date))
        return None


# Columns stored as text, with the model column that bounds each value's length.
STORED_COLUMNS = {
    RECORD: FrameRecord.record_code,
    FIELD: FrameRecord.procedure_field,
    NAME: FrameContact.name,
    PHONE: FrameContact.phone,
}
BATCH = 2000  # rows inserted at a time: a frame of 100,000 rows never sits in memory whole


def _check_row(
    line: int, row: Row, read: ReadCode, units: dict[str, int], seen: dict[str, dict[str, int]], reasons: _Reasons
) -> list[RowProblem]:
    problems: list[RowProblem] = []
    for column in (RECORD, FIELD, UNIT, NAME, PHONE):
        if not row.get(column):
            problems.append(RowProblem(line, column, "", reasons.empty))
    for column, attribute in STORED_COLUMNS.items():
        if problem := too_long(line, column, row.get(column, ""), attribute):
            problems.append(problem)
    code, unit, phone = row.get(RECORD, ""), row.get(UNIT, ""), row.get(PHONE, "")
    if code and code in seen["record"]:
        problems.append(RowProblem(line, RECORD, code, _("trùng với dòng %(line)d", line=seen["record"][code])))
    if unit and not is_unit_code(unit):
        problems.append(RowProblem(line, UNIT, unit, reasons.unit_characters))
    elif unit and unit not in units:
        reason = split_reason(read) if read.split_among else reasons.not_campaign_unit
        problems.append(RowProblem(line, UNIT, unit, reason))
    if row.get(STATUS) != RETURNED_STATUS:
        problems.append(RowProblem(line, STATUS, row.get(STATUS, ""), reasons.not_returned))
    received = _date(row, RECEIVED, line, problems, reasons)
    returned = _date(row, RETURNED, line, problems, reasons)
    if received and returned and returned < received:
        problems.append(RowProblem(line, RETURNED, row[RETURNED], reasons.before_received))
    if phone and phone in seen["phone"]:
        problems.append(
            RowProblem(
                line,
                PHONE,
                phone,
                _("cùng người nộp với dòng %(line)d (mỗi người chỉ một lần)", line=seen["phone"][phone]),
            )
        )
    return problems


def _insert(campaign: Campaign, units: dict[str, int], rows: list[Row]) -> None:
    """Store a batch of good rows: the records, then their contacts under the new records' ids."""
    if not rows:
        return
    records = [
        {
            "campaign_id": campaign.id,
            "unit_id": units[row[UNIT]],
            "record_code": row[RECORD],
            "procedure_field": row[FIELD],
            "returned_on": _parse_date(row[RETURNED]),
        }
        for row in rows
    ]
    connection = db.session.connection()
    ids = insert_rows_returning_ids(connection, FrameRecord.__table__, records)
    contacts = [
        {"record_id": record_id, "name": row[NAME], "phone": row[PHONE]}
        for record_id, row in zip(ids, rows, strict=True)
    ]
    insert_rows(connection, FrameContact.__table__, contacts)


def import_frame(
    campaign: Campaign, file_name: str, source: bytes | BinaryIO, *, skip_bad_rows: bool
) -> FrameImportResult:
    """Replace the campaign's frame with the rows of an uploaded CSV or XLSX file.

    Raises ``RowsRejected`` listing every bad row unless ``skip_bad_rows``, ``UnreadableTable``
    for a file that is not a table and ``TableTooLarge`` beyond the upload limits. People are
    de-duplicated by phone: a later record of the same person is a bad row. The file is read
    a row at a time and good rows are inserted in batches as they come: after an error the
    session holds part of the new frame and must be rolled back (nothing is committed here).
    Unit codes are read as ``normalise_unit_code`` writes them.
    """
    if db.session.scalar(select(func.count()).select_from(SampleEntry).filter_by(campaign_id=campaign.id)):
        raise FrameAlreadySampled(_("Đã chọn mẫu từ khung này nên không thể nhập lại."))
    table = read_table(file_name, source)
    missing = [column for column in REQUIRED_COLUMNS if column not in table.header]
    if missing:
        raise RowsRejected([RowProblem(1, column, "", _("thiếu cột này ở dòng tiêu đề")) for column in missing])
    units = {unit.code: unit.id for unit in campaign.units}
    seen: dict[str, dict[str, int]] = {"record": {}, "phone": {}}
    problems = ProblemList()
    reasons = _Reasons.translated()
    db.session.execute(delete(FrameRecord).where(FrameRecord.campaign_id == campaign.id))
    batch: list[Row] = []
    stored = converted = 0
    for line, row in table:
        read = read_unit_code(normalise_unit_code(row.get(UNIT, "")), units)
        row[UNIT] = read.code
        converted += read.converted_from is not None
        row_problems = _check_row(line, row, read, units, seen, reasons)
        seen["record"].setdefault(row.get(RECORD, ""), line)
        seen["phone"].setdefault(row.get(PHONE, ""), line)
        problems.extend(row_problems)
        if row_problems or (problems and not skip_bad_rows):
            continue  # once the file is refused, its rows are only checked
        batch.append(row)
        if len(batch) == BATCH:
            _insert(campaign, units, batch)
            stored += len(batch)
            batch = []
    if problems and not skip_bad_rows:
        raise RowsRejected(problems)
    _insert(campaign, units, batch)
    result = FrameImportResult(stored=stored + len(batch), skipped=problems, converted=converted)
    record_action(
        AuditAction.FRAME_IMPORTED, campaign, file=file_name, stored=result.stored, skipped=result.skipped.rows
    )
    db.session.flush()
    return result


def count_frame(campaign: Campaign) -> dict[int, int]:
    """Frame records per unit id."""
    rows = db.session.execute(
        select(FrameRecord.unit_id, func.count())
        .where(FrameRecord.campaign_id == campaign.id)
        .group_by(FrameRecord.unit_id)
    )
    return dict(rows.all())


def purge_contacts(campaign: Campaign) -> int:
    """Delete every contact of the campaign's frame (names and phones); returns how many.
    Recorded in the audit log."""
    record_ids = select(FrameRecord.id).where(FrameRecord.campaign_id == campaign.id)
    removed = db.session.execute(delete(FrameContact).where(FrameContact.record_id.in_(record_ids))).rowcount
    record_action(AuditAction.CONTACTS_PURGED, campaign, removed=removed)
    return removed
