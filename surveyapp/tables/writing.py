"""Writing tables to files: one workbook sheet or one CSV file per ``Table``.

A ``Table`` has Vietnamese headers and typed columns, and its rows come as data frames, a
chunk at a time: the writers format whole columns at once (``xlsx_writer``, ``csv_writer``),
so a table of a million rows is written in seconds and in constant memory. Text that people
typed is neutralised against formula injection (``formulas``) in every file.
"""

from __future__ import annotations

import datetime as dt
import enum
import io
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, BinaryIO

import numpy as np
import pandas as pd
from flask_babel import gettext as _

from surveyapp.tables.csv_writer import csv_lines
from surveyapp.tables.formulas import neutralise, neutralise_column
from surveyapp.tables.xlsx_writer import MAX_ROWS, Sheet, SheetColumn, sheet_title, write_workbook


class Kind(enum.Enum):
    """How a column's values are written: as text, a code, a count, a percentage, points or a yes/no mark."""

    TEXT = "text"
    CODE = "code"  # a value the service wrote (option values, codes, dates): never a formula
    COUNT = "count"
    PERCENT = "percent"
    POINTS = "points"
    MARK = "mark"


@dataclass(frozen=True)
class Column:
    """A column of an exported table."""

    header: str
    kind: Kind = Kind.TEXT


@dataclass(frozen=True)
class Table:
    """One exported table: a sheet of a workbook, or one CSV file.

    ``frames`` yields the rows in chunks; column ``n`` of every chunk holds ``columns[n]``.
    ``heading`` (none by default) is what a printed list has above its table, a title line
    then what it is about (campaign, unit, rate): a workbook sheet shows it above the header
    row; a CSV file holds the table only, as it is read back by programs.
    """

    key: str
    title: str
    columns: Sequence[Column]
    frames: Iterable[pd.DataFrame]
    heading: Sequence[str] = ()


def table_of_rows(
    key: str, title: str, columns: Sequence[Column], rows: Sequence[Sequence[Any]], heading: Sequence[str] = ()
) -> Table:
    """A small table given row by row."""
    frame = pd.DataFrame(list(rows), columns=range(len(columns)), dtype=object)
    return Table(key, title, columns, [frame], heading)


class ExportTooLarge(ValueError):
    """The table has more rows than a spreadsheet holds; the message points to CSV."""


def _column_values(column: Column, values: pd.Series, *, for_csv: bool) -> pd.Series:
    """A column as it is written: marks as words, text neutralised, missing stays missing.

    Percentages are given in percent (76.9 for 76.9%, a target of 90 for 90%): the workbook
    holds them as fractions in its percent format (shown 76.90%), a CSV file as the percent
    with two decimals (76.90), as it does points.
    """
    if column.kind is Kind.MARK:
        return values.map({True: _("Có"), False: _("Không")}).astype(object)
    if column.kind is Kind.TEXT:
        return neutralise_column(values)
    if column.kind is Kind.CODE:
        return values
    numbers = pd.to_numeric(values, errors="coerce")
    if column.kind is Kind.COUNT:
        return numbers.astype("Int64")
    if for_csv:
        return _two_decimals(numbers)
    return numbers / 100 if column.kind is Kind.PERCENT else numbers


def _two_decimals(numbers: pd.Series) -> pd.Series:
    """Numbers as text with two decimals (90 → "90.00"), each distinct number formatted once."""
    codes, uniques = pd.factorize(numbers)  # missing numbers get code -1: the None at the end
    texts = np.array([*(f"{number:.2f}" for number in uniques.tolist()), None], dtype=object)
    return pd.Series(texts[codes], index=numbers.index, dtype=object)


def _written_frames(table: Table, *, for_csv: bool) -> Iterator[pd.DataFrame]:
    """The table's chunks with every column as it is written."""
    for frame in table.frames:
        if frame.shape[1] != len(table.columns):
            raise ValueError(f"table {table.key!r} has {len(table.columns)} columns, a chunk {frame.shape[1]}")
        yield pd.DataFrame(
            {n: _column_values(column, frame.iloc[:, n], for_csv=for_csv) for n, column in enumerate(table.columns)}
        )


NUMBER_FORMATS = {Kind.PERCENT: "0.00%", Kind.POINTS: "0.00", Kind.COUNT: "#,##0"}


def check_fits_spreadsheet(rows: int) -> None:
    """Refuse, before anything is written, a table of ``rows`` rows that a spreadsheet cannot hold."""
    if rows + 1 > MAX_ROWS:
        raise ExportTooLarge(
            _(
                "Bảng có %(rows)s dòng, nhiều hơn giới hạn %(limit)s dòng của bảng tính. Hãy tải tệp CSV.",
                rows=f"{rows:,}".replace(",", "."),
                limit=f"{MAX_ROWS - 1:,}".replace(",", "."),
            )
        )


def write_xlsx(tables: Sequence[Table], target: BinaryIO, *, stamped_at: dt.datetime | None = None) -> None:
    """A workbook with one sheet per table, bold headers and formatted numbers, written to
    ``target`` as the rows are read (a large table does not grow the memory); its parts carry
    the time ``stamped_at`` (else now)."""
    sheets = [
        Sheet(
            sheet_title(table.title),
            [SheetColumn(column.header, NUMBER_FORMATS.get(column.kind)) for column in table.columns],
            _written_frames(table, for_csv=False),
            [neutralise(line) for line in table.heading],
        )
        for table in tables
    ]
    write_workbook(target, sheets, stamped_at)


def csv_chunks(table: Table) -> Iterator[bytes]:
    """One table as UTF-8 CSV, a chunk at a time (percentages and points with two decimals).

    The file starts with a byte-order mark, which spreadsheet programs need to read Vietnamese.
    """
    header = pd.DataFrame([[column.header for column in table.columns]])
    yield ("\ufeff" + csv_lines(header)).encode("utf-8")
    for frame in _written_frames(table, for_csv=True):
        yield csv_lines(frame).encode("utf-8")


def csv_bytes(table: Table) -> bytes:
    """One table as a whole CSV file (see ``csv_chunks``)."""
    return b"".join(csv_chunks(table))


def csv_zip(tables: Sequence[Table], stem: str) -> bytes:
    """Several tables as one ZIP of CSV files named ``<stem>_<table>.csv``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for table in tables:
            archive.writestr(f"{stem}_{table.key}.csv", csv_bytes(table))
    return buffer.getvalue()
