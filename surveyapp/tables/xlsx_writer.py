"""A fast, streaming XLSX writer for large tables of text and numbers.

Why it exists: openpyxl builds an object and an XML element per cell even in write-only mode,
so the results workbook, 187,000 rows × 13 columns (2.4 million cells), took 30 s; on that
table ``bench/xlsx_writer.py`` measures openpyxl's write-only mode at about 23 times this
module's time and XlsxWriter's constant-memory mode at about 9.5 times (2 Dec 2026). This module
builds the XML of a whole block of rows at once from the columns of a DataFrame (numbers
formatted column by column, each distinct text escaped once) and streams it into the zip
entry while a second thread deflates the previous block (zlib and the CRC release the GIL),
so memory stays flat however many chunks a sheet has. ``bench/xlsx_writer.py`` measures it:
those 2.4 million cells in about 1 s on two free cores, 1.5 s when one core is busy elsewhere
(deflating the 190 MB of XML is half of the work).

What it writes: one sheet per ``Sheet``, optionally a heading above its table (lines of text
in the first column, the first bold, then an empty row: a title, what the sheet is about), a
bold header row frozen above the data (long headers wrap), numbers (``<v>``, the shortest text
that reads back as the same double), text as inline strings, one number format per column
(``"0.00%"``, ``"#,##0"``...) and a width per column: the column's own, or one fitted to its
header and to the first ``WIDTH_SAMPLE`` rows (the chunks that hold them are read before the
sheet starts; the rest are not looked at). A missing value (``None``, NaN, ``pd.NA``, ``NaT``)
is no cell at all, as are infinities (a spreadsheet cannot hold them) and text that is empty
once the characters XML 1.0 forbids are removed. Text is never read as a formula, whatever it
starts with.

What it does not: formulas, dates, booleans (callers turn them into text or numbers first),
shared strings, merged cells, rich text, hyperlinks, images, charts. No
``<dimension>`` either (the size is unknown while streaming): openpyxl's read-only mode then
reports no ``max_row`` and ends each row at its last cell (pandas pads the rows). Excel's own
``_xHHHH_`` escapes are not applied, exactly as openpyxl does not apply them: a text that
happens to contain ``_x0041_`` shows as ``A`` in Excel.

>>> import io
>>> buffer = io.BytesIO()
>>> frame = pd.DataFrame({"unit": ["Phường 1", "Xã Đông Sơn"], "index": [0.8125, np.nan]})
>>> columns = [SheetColumn("Đơn vị"), SheetColumn("Chỉ số", number_format="0.00%")]
>>> write_workbook(buffer, [Sheet("Chỉ số", columns, [frame])])
>>> from openpyxl import load_workbook
>>> list(load_workbook(buffer)["Chỉ số"].values)
[('Đơn vị', 'Chỉ số'), ('Phường 1', 0.8125), ('Xã Đông Sơn', None)]
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import math
import queue
import re
import threading
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import BinaryIO, Protocol

import numpy as np
import pandas as pd

MAX_ROWS = 1_048_576  # of a worksheet, the header included
MAX_COLUMNS = 16_384
MAX_TITLE_LENGTH = 31
COMPRESS_LEVEL = 1  # zlib's fastest: deflating is most of the writing time, and level 6 saves a fifth of the bytes
CELLS_PER_BLOCK = 26_000  # the XML of one block is about 2 MB: small enough for the caches, large enough to vectorise
BLOCKS_IN_FLIGHT = 4  # between the thread that makes XML and the one that deflates it
KNOWN_TEXTS = 20_000  # distinct texts of a sheet kept escaped from one chunk to the next
REPEAT_SAMPLE = 1_000  # rows of a numeric column looked at to decide whether its numbers repeat
WIDTH_SAMPLE = 1_000  # rows of a sheet whose texts a fitted column width is made for
# Fitted widths, in characters of the default font: a header wraps over lines of at least
# HEADER_LINE characters; any number fits in NUMBER_WIDTH; longer texts are cut at MAX_WIDTH.
MIN_WIDTH, MAX_WIDTH, HEADER_LINE, NUMBER_WIDTH, WIDTH_PADDING = 8.0, 60.0, 16, 10, 2.0

_EMPTY = b""
_ILLEGAL_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_TO_CLEAN_OR_ESCAPE = re.compile("[\x00-\x08\x0b-\x1f\ud800-\udfff\ufffe\uffff&<>]")
_FORBIDDEN_IN_TITLE = re.compile(r"[\[\]:*?/\\]")
_XML_WHITESPACE = " \t\n\r"

_MAIN_NAMESPACE = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PACKAGE_RELATIONSHIPS = "http://schemas.openxmlformats.org/package/2006/relationships"
_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml"
_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'

_HEADER_STYLE = 1  # cellXfs: 0 is General, 1 the bold header, then one per number format
_TEXT_MID = b'" t="inlineStr"><is><t>'
_TEXT_MID_PRESERVED = b'" t="inlineStr"><is><t xml:space="preserve">'
_TEXT_CLOSE = b"</t></is></c>"
_NUMBER_CLOSE = b"</v></c>"
_ROW_OPEN = b'<row r="'
_ROW_CLOSE = b"</row>"


@dataclass(frozen=True)
class SheetColumn:
    """One column of a sheet: its header, for numbers an Excel number format (None = General),
    and its width (None = fitted to the header and the first rows)."""

    header: str
    number_format: str | None = None
    width: float | None = None  # in characters of the default font; None = fitted (see the module)


@dataclass(frozen=True)
class Sheet:
    """A sheet: its title, its columns, its rows as DataFrame chunks, and the lines of its heading.

    Column ``i`` of every frame is ``columns[i]`` (by position; the frames' column names are
    ignored). ``frames`` is read once, chunk by chunk, so it may be a generator. ``heading``
    lines (none by default) are written above the header row, the first one bold, with an
    empty row between them and the table.
    """

    title: str
    columns: Sequence[SheetColumn]
    frames: Iterable[pd.DataFrame]
    heading: Sequence[str] = ()


def write_workbook(target: BinaryIO, sheets: Iterable[Sheet], stamped_at: dt.datetime | None = None) -> None:
    """Write an .xlsx to ``target`` (a binary file object, e.g. BytesIO or an open file).

    Its parts carry the time ``stamped_at`` (else now): the same sheets stamped alike give
    the same bytes, as a published version's workbook must.

    Sheets come in the given order. Raises ``ValueError`` for no sheet, a duplicate or invalid
    title (Excel compares titles without case), a frame whose width is not its sheet's, or a
    sheet longer than Excel's 1,048,576 rows; ``TypeError`` for a value that is neither text
    nor a number (booleans and dates included). An error met while writing rows leaves
    ``target`` incomplete.
    """
    sheets = list(sheets)
    _check_sheets(sheets)
    number_formats = list(dict.fromkeys(c.number_format for s in sheets for c in s.columns if c.number_format))
    style_of_format = {code: _HEADER_STYLE + 1 + index for index, code in enumerate(number_formats)}
    # A heading's bold title does not wrap: it runs across the columns. Its style comes after
    # the number formats, and only in a workbook with a heading: the others are unchanged.
    has_heading = any(sheet.heading for sheet in sheets)
    heading_style = _HEADER_STYLE + 1 + len(number_formats)
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=COMPRESS_LEVEL) as archive:
        stamp = (stamped_at or dt.datetime.now()).timetuple()[:6]

        def part(name: str) -> zipfile.ZipInfo:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            # A part named by a ZipInfo takes its own level, not the archive's: without this it
            # is zlib's default 6, a third slower on the results workbook (bench/README.md).
            # (Public as ``compress_level`` from Python 3.13.)
            info._compresslevel = COMPRESS_LEVEL
            return info

        archive.writestr(part("[Content_Types].xml"), _content_types_xml(len(sheets)))
        archive.writestr(part("_rels/.rels"), _root_relationships_xml())
        archive.writestr(part("xl/workbook.xml"), _workbook_xml([sheet.title for sheet in sheets]))
        archive.writestr(part("xl/_rels/workbook.xml.rels"), _workbook_relationships_xml(len(sheets)))
        archive.writestr(part("xl/styles.xml"), _styles_xml(number_formats, has_heading=has_heading))
        for number, sheet in enumerate(sheets, start=1):
            # force_zip64: the entry's size is unknown when it is opened, and may pass 4 GB.
            with (
                archive.open(part(f"xl/worksheets/sheet{number}.xml"), "w", force_zip64=True) as entry,
                _BackgroundWriter(entry) as writer,
            ):
                for piece in _worksheet_xml(sheet, style_of_format, heading_style):
                    writer.write(piece)


def sheet_title(text: str) -> str:
    """``text`` made a valid sheet title: the characters Excel forbids become spaces, the length
    is cut to 31, and no apostrophe is left at either end.

    >>> sheet_title("Chỉ số tiêu chí: đơn vị/xã [2026] của huyện Bố Trạch")
    'Chỉ số tiêu chí  đơn vị xã  202'
    """
    return _FORBIDDEN_IN_TITLE.sub(" ", text)[:MAX_TITLE_LENGTH].strip("'")


def _column_letters(index: int) -> str:
    """The letters of the column at 0-based ``index``, as in cell references.

    >>> [_column_letters(i) for i in (0, 25, 26, 59, 701, 702, 16383)]
    ['A', 'Z', 'AA', 'BH', 'ZZ', 'AAA', 'XFD']
    """
    letters = ""
    number = index + 1
    while number:
        number, remainder = divmod(number - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


# Checks -------------------------------------------------------------------------------------


def _check_sheets(sheets: Sequence[Sheet]) -> None:
    if not sheets:
        raise ValueError("a workbook needs at least one sheet")
    seen: set[str] = set()
    for sheet in sheets:
        title = sheet.title
        if not 0 < len(title) <= MAX_TITLE_LENGTH or _FORBIDDEN_IN_TITLE.search(title) or "'" in (title[0], title[-1]):
            raise ValueError(
                f"invalid sheet title {title!r}: 1 to {MAX_TITLE_LENGTH} characters, none of []:*?/\\, "
                "no apostrophe at either end"
            )
        if title.casefold() in seen:
            raise ValueError(f"duplicate sheet title {title!r}")
        seen.add(title.casefold())
        if len(sheet.columns) > MAX_COLUMNS:
            raise ValueError(f"sheet {title!r} has {len(sheet.columns)} columns, more than Excel's {MAX_COLUMNS}")


# The worksheet ------------------------------------------------------------------------------


def _worksheet_xml(sheet: Sheet, style_of_format: dict[str, int], heading_style: int) -> Iterator[bytes]:
    """The worksheet part, piece by piece: the head with the widths, the heading and the header
    row, then blocks of rows."""
    openings = [f'<c r="{_column_letters(index)}'.encode() for index in range(len(sheet.columns))]
    number_mids = [
        f'" s="{style_of_format[c.number_format]}"><v>'.encode() if c.number_format else b'"><v>' for c in sheet.columns
    ]
    first_frames, later_frames = _first_frames(sheet.frames, WIDTH_SAMPLE)
    header_row = len(sheet.heading) + 2 if sheet.heading else 1
    yield (
        (
            f'{_DECLARATION}<worksheet xmlns="{_MAIN_NAMESPACE}" xmlns:r="{_RELATIONSHIPS}">'
            '<sheetViews><sheetView workbookViewId="0">'
            f'<pane ySplit="{header_row}" topLeftCell="A{header_row + 1}" activePane="bottomLeft" state="frozen"/>'
            f"</sheetView></sheetViews>{_columns_xml(sheet.columns, first_frames)}<sheetData>"
        ).encode()
        + _heading_xml(sheet.heading, heading_style)
        + _header_row_xml(sheet.columns, openings, header_row)
    )
    next_row = header_row + 1
    known_texts: dict[str, tuple[bytes, bytes]] = {}  # the sheet's texts already escaped, for the next chunks
    for frame in itertools.chain(first_frames, later_frames):
        if frame.shape[1] != len(sheet.columns):
            raise ValueError(f"sheet {sheet.title!r} has {len(sheet.columns)} columns, a frame has {frame.shape[1]}")
        if next_row + len(frame) - 1 > MAX_ROWS:
            raise ValueError(f"sheet {sheet.title!r} has more than {MAX_ROWS - 1:,} rows of data, Excel's limit")
        encoders = [
            _column_encoder(frame.iloc[:, index], number_mids[index], known_texts, sheet.title, column.header)
            for index, column in enumerate(sheet.columns)
        ]
        rows_per_block = max(1, CELLS_PER_BLOCK // max(1, len(encoders)))
        for start in range(0, len(frame), rows_per_block):
            stop = min(start + rows_per_block, len(frame))
            cells = [encoder.cells(start, stop) for encoder in encoders]
            yield _rows_xml(next_row + start, stop - start, list(zip(openings, cells, strict=True)))
        next_row += len(frame)
    yield b"</sheetData></worksheet>"


def _first_frames(frames: Iterable[pd.DataFrame], rows: int) -> tuple[list[pd.DataFrame], Iterator[pd.DataFrame]]:
    """The first chunks, until they hold ``rows`` rows (or there are no more), and the rest."""
    rest = iter(frames)
    first: list[pd.DataFrame] = []
    count = 0
    while count < rows:
        frame = next(rest, None)
        if frame is None:
            break
        first.append(frame)
        count += len(frame)
    return first, rest


def _columns_xml(columns: Sequence[SheetColumn], frames: list[pd.DataFrame]) -> str:
    """The ``<cols>`` element: every column's width, given or fitted to its header and ``frames``."""
    # A chunk of the wrong width is refused when its rows are written; here it is passed over.
    frames = [frame.iloc[:WIDTH_SAMPLE] for frame in frames if frame.shape[1] == len(columns)]
    widths = [
        column.width if column.width is not None else _fitted_width(column.header, [f.iloc[:, n] for f in frames])
        for n, column in enumerate(columns)
    ]
    return (
        "<cols>"
        + "".join(
            f'<col min="{n}" max="{n}" width="{width:.6g}" customWidth="1"/>' for n, width in enumerate(widths, start=1)
        )
        + "</cols>"
    )


def _fitted_width(header: str, samples: list[pd.Series]) -> float:
    """A width for ``header`` (wrapped over lines of ``HEADER_LINE``, never within a word) and
    the values of ``samples``: texts by their length, numbers ``NUMBER_WIDTH``.

    >>> _fitted_width("Đơn vị", [pd.Series(["Phường Trương Quang Trọng (21172)", None])])
    35.0
    >>> _fitted_width("Ít hơn ngưỡng câu trả lời hợp lệ", [pd.Series(["Có", "Không"])])
    18.0
    >>> _fitted_width("Chỉ số (%)", [pd.Series([0.769, np.nan])]), _fitted_width("Mã", [])
    (12.0, 8.0)
    """
    widest = max([len(word) for word in header.split()] + [min(len(header), HEADER_LINE)])
    for values in samples:
        if pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values.dtype):
            widest = max(widest, NUMBER_WIDTH if values.notna().any() else 0)
            continue
        present = values.dropna()
        is_text = present.map(type).eq(str)
        if (~is_text).any():  # numbers in an object column
            widest = max(widest, NUMBER_WIDTH)
        if is_text.any():
            widest = max(widest, int(present[is_text].str.len().max()))
    return min(MAX_WIDTH, max(MIN_WIDTH, widest + WIDTH_PADDING))


def _heading_xml(lines: Sequence[str], title_style: int) -> bytes:
    """The heading's rows from row 1, one line each in column A, the first in ``title_style``."""
    rows = []
    for number, line in enumerate(lines, start=1):
        text = _text_cell(line)
        cell = _EMPTY
        if text is not None:
            style = b' s="%d"' % title_style if number == 1 else _EMPTY
            cell = b'<c r="A%d"' % number + style + text[0][1:] + text[1] + _TEXT_CLOSE
        rows.append(_ROW_OPEN + b'%d">' % number + cell + _ROW_CLOSE)
    return _EMPTY.join(rows)


def _header_row_xml(columns: Sequence[SheetColumn], openings: list[bytes], row: int) -> bytes:
    cells = []
    for opening, column in zip(openings, columns, strict=True):
        text = _text_cell(column.header)
        if text is not None:
            mid, value = text
            cells.append(opening + b'%d" s="%d' % (row, _HEADER_STYLE) + mid + value + _TEXT_CLOSE)
    return _ROW_OPEN + b'%d">' % row + _EMPTY.join(cells) + _ROW_CLOSE


@dataclass(frozen=True)
class _Cells:
    """The XML of one column over a block of rows, as pieces in row order.

    A cell is ``<c r="`` + letters + row number + ``mid`` + ``value`` + ``close``. ``values`` and
    any per-row ``mids`` or ``closes`` are already empty where ``missing`` is true; constant
    pieces are blanked there by ``_rows_xml``. ``missing`` is None when every row has a cell.
    """

    mids: bytes | list[bytes]
    values: list[bytes]
    closes: bytes | list[bytes]
    missing: np.ndarray | None


class _ColumnEncoder(Protocol):
    def cells(self, start: int, stop: int) -> _Cells: ...


def _rows_xml(first_row: int, count: int, columns: list[tuple[bytes, _Cells]]) -> bytes:
    """``count`` rows from ``first_row``: pieces laid out row by row in one list, then joined once."""
    row_numbers = list(map(b"%d".__mod__, range(first_row, first_row + count)))
    row_number_array: np.ndarray | None = None
    pieces: list[bytes | list[bytes]] = [row_numbers, b'">']
    for opening, cells in columns:
        if cells.missing is None:
            pieces += [opening, row_numbers, cells.mids, cells.values, cells.closes]
            continue
        if row_number_array is None:
            row_number_array = np.array(row_numbers, dtype=object)
        pieces += [
            _blanked(opening, cells.missing),
            _blanked(row_number_array, cells.missing),
            _blanked(cells.mids, cells.missing) if isinstance(cells.mids, bytes) else cells.mids,
            cells.values,
            _blanked(cells.closes, cells.missing) if isinstance(cells.closes, bytes) else cells.closes,
        ]
    # Each row ends with "</row><row r=" so that one constant joins a row to the next.
    pieces.append(_ROW_CLOSE + _ROW_OPEN)
    merged: list[bytes | list[bytes]] = []
    for piece in pieces:
        if isinstance(piece, bytes) and merged and isinstance(merged[-1], bytes):
            merged[-1] += piece
        else:
            merged.append(piece)
    stride = len(merged)
    layout: list[bytes] = [_EMPTY] * (count * stride + 1)
    layout[0] = _ROW_OPEN
    for offset, piece in enumerate(merged, start=1):
        layout[offset::stride] = [piece] * count if isinstance(piece, bytes) else piece
    layout[-1] = merged[-1].removesuffix(_ROW_OPEN)  # the last row opens no other
    return _EMPTY.join(layout)


def _blanked(piece: bytes | np.ndarray, missing: np.ndarray) -> list[bytes]:
    """``piece`` (one for every row, or one per row) with the missing rows' pieces empty."""
    if isinstance(piece, bytes):  # np.full would copy the bytes into every row
        return np.array([piece, _EMPTY], dtype=object)[missing.view(np.uint8)].tolist()
    return np.where(missing, _EMPTY, piece).tolist()


# Columns ------------------------------------------------------------------------------------


def _column_encoder(
    series: pd.Series, number_mid: bytes, known_texts: dict[str, tuple[bytes, bytes]], title: str, header: str
) -> _ColumnEncoder:
    """The encoder of one column of a chunk, chosen by its dtype (object columns by their values)."""
    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype):
        raise TypeError(f"sheet {title!r}, column {header!r}: booleans are not written; convert them to text")
    if pd.api.types.is_integer_dtype(dtype):
        numpy_type = np.uint64 if pd.api.types.is_unsigned_integer_dtype(dtype) else np.int64
        missing = series.isna().to_numpy()
        return _NumberColumn(
            series.to_numpy(dtype=numpy_type, na_value=0), missing if missing.any() else None, number_mid, b"%d"
        )
    if pd.api.types.is_float_dtype(dtype):
        values = series.to_numpy(dtype=np.float64, na_value=np.nan)
        missing = ~np.isfinite(values)
        return _NumberColumn(values, missing if missing.any() else None, number_mid, b"%r")
    values = series.to_numpy(dtype=object)
    if pd.api.types.infer_dtype(values, skipna=True) in ("string", "empty"):
        return _TextColumn(values, known_texts)
    return _MixedColumn(values, number_mid, title, header)


class _NumberColumn:
    """A column of integers or finite floats (floats in their shortest form that reads back the same).

    Survey figures repeat (a share of a few hundred answers takes few values): when the first
    rows of the chunk show repeats, each distinct number is formatted once for the chunk;
    otherwise the numbers are formatted a block at a time.
    """

    def __init__(self, values: np.ndarray, missing: np.ndarray | None, mid: bytes, template: bytes) -> None:
        self._values = values
        self._missing = missing
        self._mid = mid
        self._format = template.__mod__
        self._codes: np.ndarray | None = None
        self._formatted = np.array([], dtype=object)
        sample = values[:REPEAT_SAMPLE]
        if len(pd.unique(sample)) * 2 <= len(sample):
            codes, uniques = pd.factorize(values)  # NaN gets code -1
            if missing is not None:
                codes[missing] = -1
            self._codes = codes
            # One more entry at the end, for code -1: a missing value.
            self._formatted = np.array([*map(self._format, uniques.tolist()), _EMPTY], dtype=object)

    def cells(self, start: int, stop: int) -> _Cells:
        if self._codes is not None:
            codes = self._codes[start:stop]
            missing = codes < 0
            return _Cells(self._mid, self._formatted[codes].tolist(), _NUMBER_CLOSE, missing if missing.any() else None)
        values = self._values[start:stop]
        missing = None if self._missing is None else self._missing[start:stop]
        if missing is None or not missing.any():
            return _Cells(self._mid, list(map(self._format, values.tolist())), _NUMBER_CLOSE, None)
        formatted = np.full(stop - start, _EMPTY, dtype=object)
        formatted[~missing] = np.array(list(map(self._format, values[~missing].tolist())), dtype=object)
        return _Cells(self._mid, formatted.tolist(), _NUMBER_CLOSE, missing)


class _TextColumn:
    """A column of text, each distinct text cleaned and escaped once.

    Once per sheet, in fact, while ``known`` holds at most ``KNOWN_TEXTS`` texts: unit names and
    questions recur in every chunk.
    """

    def __init__(self, values: np.ndarray, known: dict[str, tuple[bytes, bytes]]) -> None:
        codes, uniques = pd.factorize(values)  # missing values get code -1
        if len(known) > KNOWN_TEXTS:
            known.clear()
        cells = []
        for text in uniques:
            cell = known.get(text)
            if cell is None:
                cell = _text_cell(text)
                if cell is not None:
                    known[text] = cell
            cells.append(cell)
        # One more entry at the end, for code -1: a missing value.
        self._codes = codes
        self._values = np.array([cell[1] if cell else _EMPTY for cell in cells] + [_EMPTY], dtype=object)
        self._is_missing = np.array([cell is None for cell in cells] + [True])
        has_preserved = any(cell is not None and cell[0] is _TEXT_MID_PRESERVED for cell in cells)
        self._mids = (
            np.array([cell[0] if cell else _EMPTY for cell in cells] + [_EMPTY], dtype=object)
            if has_preserved
            else None
        )

    def cells(self, start: int, stop: int) -> _Cells:
        codes = self._codes[start:stop]
        missing = self._is_missing[codes]
        mids = _TEXT_MID if self._mids is None else self._mids[codes].tolist()
        return _Cells(mids, self._values[codes].tolist(), _TEXT_CLOSE, missing if missing.any() else None)


class _MixedColumn:
    """An object column holding text and numbers together: each value's type decides its cell."""

    def __init__(self, values: np.ndarray, number_mid: bytes, title: str, header: str) -> None:
        self._values = values
        self._number_mid = number_mid
        self._where = f"sheet {title!r}, column {header!r}"

    def cells(self, start: int, stop: int) -> _Cells:
        mids: list[bytes] = []
        values: list[bytes] = []
        closes: list[bytes] = []
        for value in self._values[start:stop]:
            cell = self._cell(value)
            if cell is None:
                mids.append(_EMPTY)
                values.append(_EMPTY)
                closes.append(_EMPTY)
            else:
                mids.append(cell[0])
                values.append(cell[1])
                closes.append(cell[2])
        missing = np.array([not value for value in values], dtype=bool)
        return _Cells(mids, values, closes, missing if missing.any() else None)

    def _cell(self, value: object) -> tuple[bytes, bytes, bytes] | None:
        if isinstance(value, str):
            text = _text_cell(value)
            return None if text is None else (text[0], text[1], _TEXT_CLOSE)
        if isinstance(value, bool | np.bool_):
            raise TypeError(f"{self._where}: booleans are not written; convert them to text")
        if isinstance(value, int | np.integer):
            return self._number_mid, b"%d" % value, _NUMBER_CLOSE
        if isinstance(value, float | np.floating):
            return (self._number_mid, b"%r" % float(value), _NUMBER_CLOSE) if math.isfinite(value) else None
        if value is None or value is pd.NA or value is pd.NaT:
            return None
        raise TypeError(f"{self._where}: cannot write {type(value).__name__} {value!r}; give text or a number")


def _text_cell(text: str) -> tuple[bytes, bytes] | None:
    """The ``mid`` and escaped UTF-8 value of an inline string; None when nothing is left to write.

    XML 1.0 forbids most control characters, U+FFFE, U+FFFF and lone surrogates: they are
    dropped. A carriage return is written as a character reference, or the reader would turn
    it into a line feed.
    """
    if _TO_CLEAN_OR_ESCAPE.search(text) is None:  # most texts: nothing to do but encode
        cleaned = escaped = text
    else:
        cleaned = _ILLEGAL_IN_XML.sub("", text)
        escaped = cleaned.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")
    if not cleaned:
        return None
    preserved = cleaned[0] in _XML_WHITESPACE or cleaned[-1] in _XML_WHITESPACE
    return (_TEXT_MID_PRESERVED if preserved else _TEXT_MID), escaped.encode()


# The other parts of the package ---------------------------------------------------------------


def _attribute(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def _content_types_xml(sheet_count: int) -> str:
    sheets = "".join(
        f'<Override PartName="/xl/worksheets/sheet{number}.xml" ContentType="{_CONTENT_TYPE}.worksheet+xml"/>'
        for number in range(1, sheet_count + 1)
    )
    return (
        f'{_DECLARATION}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{_CONTENT_TYPE}.sheet.main+xml"/>'
        f'<Override PartName="/xl/styles.xml" ContentType="{_CONTENT_TYPE}.styles+xml"/>'
        f"{sheets}</Types>"
    )


def _root_relationships_xml() -> str:
    return (
        f'{_DECLARATION}<Relationships xmlns="{_PACKAGE_RELATIONSHIPS}">'
        f'<Relationship Id="rId1" Type="{_RELATIONSHIPS}/officeDocument" Target="xl/workbook.xml"/>'
        "</Relationships>"
    )


def _workbook_xml(titles: list[str]) -> str:
    sheets = "".join(
        f'<sheet name="{_attribute(title)}" sheetId="{number}" r:id="rId{number}"/>'
        for number, title in enumerate(titles, start=1)
    )
    return (
        f'{_DECLARATION}<workbook xmlns="{_MAIN_NAMESPACE}" xmlns:r="{_RELATIONSHIPS}">'
        f"<bookViews><workbookView/></bookViews><sheets>{sheets}</sheets></workbook>"
    )


def _workbook_relationships_xml(sheet_count: int) -> str:
    sheets = "".join(
        f'<Relationship Id="rId{number}" Type="{_RELATIONSHIPS}/worksheet" Target="worksheets/sheet{number}.xml"/>'
        for number in range(1, sheet_count + 1)
    )
    return (
        f'{_DECLARATION}<Relationships xmlns="{_PACKAGE_RELATIONSHIPS}">{sheets}'
        f'<Relationship Id="rId{sheet_count + 1}" Type="{_RELATIONSHIPS}/styles" Target="styles.xml"/>'
        "</Relationships>"
    )


def _styles_xml(number_formats: list[str], *, has_heading: bool = False) -> str:
    """Fonts regular and bold; cell formats General, bold header (wrapped), one per number format
    (ids from 164), then with ``has_heading`` the bold, unwrapped heading title."""
    font = '<sz val="11"/><name val="Calibri"/><family val="2"/>'
    formats = "".join(
        f'<numFmt numFmtId="{164 + index}" formatCode="{_attribute(code)}"/>'
        for index, code in enumerate(number_formats)
    )
    number_xfs = "".join(
        f'<xf numFmtId="{164 + index}" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
        for index in range(len(number_formats))
    )
    return (
        f'{_DECLARATION}<styleSheet xmlns="{_MAIN_NAMESPACE}">'
        + (f'<numFmts count="{len(number_formats)}">{formats}</numFmts>' if number_formats else "")
        + f'<fonts count="2"><font>{font}</font><font><b/>{font}</font></fonts>'
        '<fills count="2"><fill><patternFill patternType="none"/></fill>'
        '<fill><patternFill patternType="gray125"/></fill></fills>'
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
        f'<cellXfs count="{2 + len(number_formats) + has_heading}">'
        '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
        '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1" applyAlignment="1">'
        '<alignment vertical="top" wrapText="1"/></xf>'
        f"{number_xfs}"
        + ('<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>' if has_heading else "")
        + "</cellXfs>"
        '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
        "</styleSheet>"
    )


# Deflating in the background -------------------------------------------------------------------


class _BackgroundWriter:
    """Writes to ``stream`` from a second thread, so deflating one block overlaps making the next.

    At most ``BLOCKS_IN_FLIGHT`` blocks wait, which keeps memory flat. An error in the thread
    is raised at the next ``write`` or on leaving the ``with`` block.
    """

    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream
        self._blocks: queue.Queue[bytes | None] = queue.Queue(maxsize=BLOCKS_IN_FLIGHT)
        self._failure: BaseException | None = None
        self._thread = threading.Thread(target=self._drain, name="xlsx-deflate", daemon=True)

    def __enter__(self) -> _BackgroundWriter:
        self._thread.start()
        return self

    def write(self, data: bytes) -> None:
        """Queue ``data`` for the stream (waits while the queue is full)."""
        if self._failure is not None:
            raise self._failure
        self._blocks.put(data)

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self._blocks.put(None)
        self._thread.join()
        if self._failure is not None and error is None:
            raise self._failure

    def _drain(self) -> None:
        while True:
            blocks = [self._blocks.get()]
            # The blocks already waiting go in the same write: after each deflate, this thread waits
            # for the GIL (up to the 5 ms switch interval), so fewer, larger writes waste less time.
            with contextlib.suppress(queue.Empty):
                while blocks[-1] is not None and len(blocks) < BLOCKS_IN_FLIGHT:
                    blocks.append(self._blocks.get_nowait())
            is_last = blocks[-1] is None
            if is_last:
                blocks.pop()
            if blocks and self._failure is None:  # after a failure, keep taking blocks so that no writer waits forever
                try:
                    self._stream.write(_EMPTY.join(blocks))
                except BaseException as failure:
                    self._failure = failure
            if is_last:
                return
