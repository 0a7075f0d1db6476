"""Reading uploaded tables (CSV or XLSX) and reporting their bad rows."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from dataclasses import dataclass

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException


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
    """The upload is not a CSV or XLSX table that can be read."""


Row = dict[str, str]


def read_table(file_name: str, data: bytes) -> list[tuple[int, Row]]:
    """The rows of a CSV (UTF-8) or XLSX (first sheet) upload as ``(line, {header: text})``.

    Line numbers are those a person sees in a spreadsheet: the header is line 1. Dates in an
    XLSX cell become ``dd/mm/yyyy`` text, as one-stop systems export them to CSV.
    """
    name = file_name.lower()
    if name.endswith(".csv"):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise UnreadableTable("not UTF-8 text") from error
        reader = csv.DictReader(io.StringIO(text))
        return [(line, {k: (v or "").strip() for k, v in row.items() if k}) for line, row in enumerate(reader, 2)]
    if name.endswith(".xlsx"):
        try:
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except (zipfile.BadZipFile, InvalidFileException, OSError, KeyError, ValueError, TypeError) as error:
            raise UnreadableTable("not an XLSX workbook") from error
        rows = workbook.worksheets[0].iter_rows(values_only=True)
        header = [str(cell).strip() if cell is not None else "" for cell in next(rows, ())]
        table = []
        for line, values in enumerate(rows, start=2):
            cells = [_cell_text(value) for value in values]
            if any(cells):
                table.append((line, {key: text for key, text in zip(header, cells, strict=False) if key}))
        workbook.close()
        return table
    raise UnreadableTable("only .csv and .xlsx files are accepted")


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime | dt.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()
