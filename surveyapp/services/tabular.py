"""Reading uploaded tables (CSV or XLSX) and reporting their bad rows."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass

from flask import has_request_context
from flask_babel import gettext
from openpyxl import load_workbook


def _(message: str, **variables: object) -> str:
    """``message`` in the page's language during a request; the Vietnamese source elsewhere (CLI).

    The language is chosen from the request, so translating outside one (a command, a
    script) would fail; the ``_`` name keeps the messages in the catalogue.
    """
    if has_request_context():
        return gettext(message, **variables)
    return message % variables if variables else message


@dataclass(frozen=True)
class RowProblem:
    """One bad value of an imported file: where it is, what it holds, and why it is refused."""

    line: int
    column: str
    value: str
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}, column {self.column} ({self.value!r}): {self.reason}"


class RowsRejected(ValueError):
    """The file has bad rows and nothing was stored; ``problems`` lists every one of them."""

    def __init__(self, problems: list[RowProblem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(problem) for problem in problems))


class UnreadableTable(ValueError):
    """The upload is not a CSV or XLSX table that can be read; the message says why, to the user."""


Row = dict[str, str]


def read_table(file_name: str, data: bytes) -> list[tuple[int, Row]]:
    """The rows of a CSV (UTF-8) or XLSX (first sheet) upload as ``(line, {header: text})``.

    Line numbers are those a person sees in a spreadsheet: the header is line 1. Dates in an
    XLSX cell become ``dd/mm/yyyy`` text, as one-stop systems export them to CSV. Only these two
    types are read, whatever the browser claims: the extension chooses the reader, and content
    that the reader cannot parse raises ``UnreadableTable`` (the size is capped earlier, by
    ``MAX_CONTENT_LENGTH``).
    """
    name = file_name.lower()
    if name.endswith(".csv"):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise UnreadableTable(_("tệp CSV không phải văn bản UTF-8; hãy lưu tệp dưới dạng “CSV UTF-8”.")) from error
        if "\x00" in text:  # no text file holds one, and PostgreSQL refuses to store it
            raise UnreadableTable(
                _("tệp CSV chứa ký tự NUL nên không phải văn bản; hãy lưu tệp dưới dạng “CSV UTF-8”.")
            )
        reader = csv.DictReader(io.StringIO(text))
        try:
            return [(line, {k: (v or "").strip() for k, v in row.items() if k}) for line, row in enumerate(reader, 2)]
        except csv.Error as error:  # a cell longer than the csv module's limit (131,072 characters)
            raise UnreadableTable(
                _("tệp CSV không đọc được ở dòng %(line)d: một ô quá dài hoặc sai định dạng.", line=reader.line_num + 1)
            ) from error
    if name.endswith(".xlsx"):
        try:
            return _read_xlsx(data)
        except Exception as error:  # a damaged file fails anywhere in openpyxl: zip, XML, a missing part
            raise UnreadableTable(_("tệp không phải bảng tính XLSX đọc được.")) from error
    raise UnreadableTable(_("Chỉ nhận tệp .csv hoặc .xlsx."))


def _read_xlsx(data: bytes) -> list[tuple[int, Row]]:
    """The rows of the first sheet; the sheet is read lazily, so a damaged part may fail while iterating."""
    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        rows = workbook.worksheets[0].iter_rows(values_only=True)
        header = [str(cell).strip() if cell is not None else "" for cell in next(rows, ())]
        table = []
        for line, values in enumerate(rows, start=2):
            cells = [_cell_text(value) for value in values]
            if any(cells):
                table.append((line, {key: text for key, text in zip(header, cells, strict=False) if key}))
        return table
    finally:
        workbook.close()


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime | dt.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()
