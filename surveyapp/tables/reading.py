"""Reading uploaded tables (CSV or XLSX) and reporting their bad rows."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import math
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO, Any, BinaryIO

from flask import current_app, has_app_context, has_request_context
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


def column_length(attribute: Any) -> int:
    """The length of a model's string column (``FrameContact.name`` → 200): what an imported value may hold."""
    return attribute.property.columns[0].type.length


def too_long(line: int, column: str, value: str, attribute: Any) -> RowProblem | None:
    """The problem of a value longer than the model column ``attribute`` holds, or ``None``."""
    limit = column_length(attribute)
    if len(value) <= limit:
        return None
    return RowProblem(
        line,
        column,
        value,
        _("dài %(length)d ký tự, quá giới hạn %(limit)d ký tự của cột", length=len(value), limit=limit),
    )


@dataclass(frozen=True)
class RowProblem:
    """One bad value of an imported file: where it is, what it holds, and why it is refused."""

    line: int
    column: str
    value: str
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}, column {self.column} ({self.value!r}): {self.reason}"


SHOWN_PROBLEMS = 50  # bad values listed on the page; every one is in the downloadable list
SHOWN_VALUE = 100  # characters of a bad value kept in the list


class ProblemList:
    """The bad values of an upload, as they are found: all of them counted and kept in a
    temporary file (a hostile file has millions), the first ``SHOWN_PROBLEMS`` also in memory
    for the page. ``rows`` counts the distinct lines with a problem."""

    def __init__(self, problems: Iterable[RowProblem] = ()) -> None:
        self.first: list[RowProblem] = []
        self.count = 0
        self.rows = 0
        self._last_line: int | None = None
        self._spool: IO[str] | None = None
        self._writer: Any = None
        self.extend(problems)

    def add(self, problem: RowProblem) -> None:
        """Count ``problem`` and keep it (a long value shortened: the line and column find it)."""
        if len(problem.value) > SHOWN_VALUE:
            problem = dataclasses.replace(problem, value=problem.value[:SHOWN_VALUE] + "…")
        self.count += 1
        if problem.line != self._last_line:
            self.rows += 1
            self._last_line = problem.line
        if len(self.first) < SHOWN_PROBLEMS:
            self.first.append(problem)
            return
        if self._spool is None:
            self._spool = tempfile.TemporaryFile("w+", encoding="utf-8", newline="")  # noqa: SIM115 (closed with the list)
            self._writer = csv.writer(self._spool)
        self._writer.writerow((problem.line, problem.column, problem.value, problem.reason))

    def extend(self, problems: Iterable[RowProblem]) -> None:
        """Count and keep each of ``problems``."""
        for problem in problems:
            self.add(problem)

    def __bool__(self) -> bool:
        return self.count > 0

    def __len__(self) -> int:
        return self.count

    def __iter__(self) -> Iterator[RowProblem]:
        """Every problem, in the order found (the spooled ones are read back from the file)."""
        yield from self.first
        if self._spool is not None:
            self._spool.flush()
            self._spool.seek(0)
            for line, column, value, reason in csv.reader(self._spool):
                yield RowProblem(int(line), column, value, reason)
            self._spool.seek(0, io.SEEK_END)

    def close(self) -> None:
        """Delete the temporary file (it is deleted anyway when the list is collected)."""
        if self._spool is not None:
            self._spool.close()
            self._spool = None


class RowsRejected(ValueError):
    """The file has bad rows and nothing was stored.

    ``problems`` holds the first ``SHOWN_PROBLEMS`` of them, ``count`` how many there are and
    ``found`` every one of them (iterate it for the full list).
    """

    def __init__(self, problems: list[RowProblem] | ProblemList) -> None:
        self.found = problems if isinstance(problems, ProblemList) else ProblemList(problems)
        self.problems = self.found.first
        self.count = self.found.count
        super().__init__()

    def __str__(self) -> str:
        return "\n".join(str(problem) for problem in self.found)


class UnreadableTable(ValueError):
    """The upload is not a CSV or XLSX table that can be read; the message says why, to the user."""


class TableTooLarge(UnreadableTable):
    """The upload is larger than a limit of ``UploadLimits``; the message names the limit and what was found."""


@dataclass(frozen=True)
class UploadLimits:
    """How large an uploaded table may be: data rows, and the XLSX's parts once unzipped (bytes).

    Files are refused on these before they are parsed (as far as the file declares its size)
    and while they are read, so that a small zip bomb or a file of millions of rows cannot keep
    a worker busy or fill its memory. The size of the upload itself is capped earlier, by the
    request's ``max_content_length`` (``UPLOAD_MAX_BYTES`` for officers' upload forms).
    """

    max_rows: int = 200_000
    max_xlsx_bytes: int = 32 * 1024 * 1024

    @classmethod
    def from_config(cls) -> UploadLimits:
        """The limits of the application's settings, or the defaults outside one (a script)."""
        if not has_app_context():
            return cls()
        config = current_app.config
        return cls(max_rows=config["UPLOAD_MAX_ROWS"], max_xlsx_bytes=config["UPLOAD_MAX_XLSX_BYTES"])


Row = dict[str, str]
# Columns read from a table: no import has more (the raw layout has one per question). Cells
# beyond it are ignored, so that a cell placed at column XFD does not make every row 16,384 wide.
MAX_COLUMNS = 500
# The longest physical line of a CSV file read at once (a real row is well under a kilobyte).
MAX_CSV_LINE = 1024 * 1024


@dataclass(frozen=True)
class UploadedTable:
    """A table being read: its header, and its data rows as ``(line, {header: text})`` one at a time.

    Iterating reads the file; it raises ``UnreadableTable`` where the file stops being
    readable and ``TableTooLarge`` when it has more data rows than allowed.
    """

    header: tuple[str, ...]
    rows: Iterator[tuple[int, Row]]

    def __iter__(self) -> Iterator[tuple[int, Row]]:
        return self.rows


def read_table(file_name: str, source: bytes | BinaryIO, limits: UploadLimits | None = None) -> UploadedTable:
    """A CSV (UTF-8) or XLSX (first sheet) upload, read as it is iterated.

    Line numbers are those a person sees in a spreadsheet: the header is line 1. Dates in an
    XLSX cell become ``dd/mm/yyyy`` text, as one-stop systems export them to CSV; empty XLSX
    rows are skipped. Only these two types are read, whatever the browser claims: the
    extension chooses the reader, and content that the reader cannot parse raises
    ``UnreadableTable``. ``limits`` (the application's settings by default) are checked before
    parsing (an XLSX's declared sizes and row count) and while reading (every row is counted).
    """
    limits = limits or UploadLimits.from_config()
    stream = io.BytesIO(source) if isinstance(source, bytes) else source
    name = file_name.lower()
    if name.endswith(".csv"):
        return _read_csv(stream, limits)
    if name.endswith(".xlsx"):
        _check_declared_size(stream, limits)
        try:
            workbook = load_workbook(stream, read_only=True, data_only=True)
        except Exception as error:  # a damaged file fails anywhere in openpyxl: zip, XML, a missing part
            raise UnreadableTable(_("tệp không phải bảng tính XLSX đọc được.")) from error
        return _read_xlsx(workbook, limits)
    raise UnreadableTable(_("Chỉ nhận tệp .csv hoặc .xlsx."))


def _number(value: int) -> str:
    """An integer as Vietnamese write it: 200.000."""
    return f"{value:,}".replace(",", ".")


def _too_many_rows(limits: UploadLimits, found: str) -> TableTooLarge:
    return TableTooLarge(
        _(
            "tệp có %(found)s dòng dữ liệu, vượt giới hạn tối đa %(limit)s dòng; hãy chia tệp thành nhiều phần.",
            found=found,
            limit=_number(limits.max_rows),
        )
    )


def _counted(rows: Iterator[tuple[int, Row]], limits: UploadLimits) -> Iterator[tuple[int, Row]]:
    """``rows``, refused with ``TableTooLarge`` as soon as there is one more than the limit."""
    for count, row in enumerate(rows, start=1):
        if count > limits.max_rows:
            raise _too_many_rows(limits, _("quá %(limit)s", limit=_number(limits.max_rows)))
        yield row


def _csv_lines(text: IO[str]) -> Iterator[str]:
    """The physical lines of ``text``, refusing one longer than ``MAX_CSV_LINE`` before it is all read."""
    while line := text.readline(MAX_CSV_LINE + 1):
        if len(line) > MAX_CSV_LINE and not line.endswith("\n"):
            raise UnreadableTable(
                _("tệp CSV có một dòng dài hơn %(limit)s ký tự nên không phải bảng.", limit=_number(MAX_CSV_LINE))
            )
        yield line


def _physical_lines(stream: BinaryIO) -> int:
    """How many lines the file has, counted in its bytes (fast: no decoding, no parsing)."""
    lines, last = 0, b"\n"
    while chunk := stream.read(1024 * 1024):
        lines += chunk.count(b"\n")
        last = chunk[-1:]
    stream.seek(0)
    return lines + (last != b"\n")


def _read_csv(stream: BinaryIO, limits: UploadLimits) -> UploadedTable:
    # Refused before parsing when its lines are too many: a frame's rows are one line each
    # (a quoted value spanning lines would count several, which no one-stop export writes).
    if stream.seekable() and (lines := _physical_lines(stream) - 1) > limits.max_rows:
        raise _too_many_rows(limits, _number(lines))
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    reader = csv.reader(_csv_lines(text))

    def records() -> Iterator[list[str]]:
        try:
            for record in reader:
                if any("\x00" in value for value in record):  # no text holds one; PostgreSQL refuses it
                    raise UnreadableTable(
                        _("tệp CSV chứa ký tự NUL nên không phải văn bản; hãy lưu tệp dưới dạng “CSV UTF-8”.")
                    )
                yield record
        except UnicodeDecodeError as error:
            raise UnreadableTable(_("tệp CSV không phải văn bản UTF-8; hãy lưu tệp dưới dạng “CSV UTF-8”.")) from error
        except csv.Error as error:  # a cell longer than the csv module's limit (131,072 characters)
            raise UnreadableTable(
                _("tệp CSV không đọc được ở dòng %(line)d: một ô quá dài hoặc sai định dạng.", line=reader.line_num)
            ) from error

    lines = records()
    header = tuple(value.strip() for value in next(lines, [])[:MAX_COLUMNS])

    def rows() -> Iterator[tuple[int, Row]]:
        for record in lines:
            if not record:  # a blank line
                continue
            # line_num counts physical lines: a quoted value may span several.
            yield reader.line_num, {key: value.strip() for key, value in zip(header, record, strict=False) if key}

    return UploadedTable(header, _counted(rows(), limits))


def _check_declared_size(stream: BinaryIO, limits: UploadLimits) -> None:
    """Refuse an XLSX whose parts, as its zip directory declares them, unzip beyond the limit.

    Python's zip reader never inflates a part beyond its declared size, so the declaration
    bounds what openpyxl will read.
    """
    try:
        with zipfile.ZipFile(stream) as archive:
            declared = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise UnreadableTable(_("tệp không phải bảng tính XLSX đọc được.")) from error
    finally:
        stream.seek(0)
    if declared > limits.max_xlsx_bytes:
        raise TableTooLarge(
            _(
                "Tệp XLSX khi giải nén chiếm %(found)s MB, vượt giới hạn %(limit)s MB; "
                "hãy lưu danh sách dưới dạng “CSV UTF-8” (đọc nhanh hơn nhiều) hoặc chia thành nhiều tệp.",
                found=_number(math.ceil(declared / 1024 / 1024)),
                limit=_number(limits.max_xlsx_bytes // 1024 // 1024),
            )
        )


def _read_xlsx(workbook: Any, limits: UploadLimits) -> UploadedTable:
    """The first sheet, refused first on the rows its ``<dimension>`` declares; then read lazily
    (a damaged part may fail while iterating), every row counted."""
    try:
        sheet = workbook.worksheets[0]
        if sheet.max_row is not None and sheet.max_row - 1 > limits.max_rows:
            raise _too_many_rows(limits, _number(sheet.max_row - 1))
        # A declared size is a claim: read every row there is, not only those it admits.
        sheet.reset_dimensions()
        first = next(sheet.iter_rows(max_row=1, values_only=True), ())
        header = tuple(str(cell).strip() if cell is not None else "" for cell in first[:MAX_COLUMNS])
        width = max((number + 1 for number, key in enumerate(header) if key), default=1)
    except UnreadableTable:
        workbook.close()
        raise
    except Exception as error:
        workbook.close()
        raise UnreadableTable(_("tệp không phải bảng tính XLSX đọc được.")) from error

    def rows() -> Iterator[tuple[int, Row]]:
        try:
            values = sheet.iter_rows(min_row=2, max_col=width, values_only=True)
            for line, cells in enumerate(values, start=2):
                texts = [_cell_text(value) for value in cells]
                yield line, {key: text for key, text in zip(header, texts, strict=False) if key}
        except UnreadableTable:
            raise
        except Exception as error:  # a damaged part fails while it is read
            raise UnreadableTable(_("tệp không phải bảng tính XLSX đọc được.")) from error
        finally:
            workbook.close()

    return UploadedTable(header, _non_empty(_counted(rows(), limits)))


def _non_empty(rows: Iterator[tuple[int, Row]]) -> Iterator[tuple[int, Row]]:
    """The rows with a value (a spreadsheet's formatted but empty rows are no data)."""
    return ((line, row) for line, row in rows if any(row.values()))


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime | dt.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()
