"""The streaming XLSX writer against openpyxl's write-only mode and XlsxWriter's constant-memory mode.

Builds 187,000 rows × 13 columns in memory (no database), like the results' item sheet: 6 text
columns of repeated labels, 20 to 80 Vietnamese characters each (questionnaire, slice, unit among
3,300, item among 44, element, group), 2 small counts, 5 floats with about 10% NaN (an index, its
confidence bounds, a mean score, a target). Times ``write_workbook`` (best of ``--repeat``) with
the table in one frame and in chunks of 10,000 rows; then openpyxl's write-only mode as the
export used it, on ``--openpyxl-rows`` rows, scaled to the whole table; then XlsxWriter in
constant-memory mode on the whole table (best of ``--xlsxwriter-repeat``). Every writer gets the
same cells: a bold header, text as text (XlsxWriter's ``write_string``, never ``write``, which
would make text starting with ``=`` a formula), numbers with their column's number format, no
cell for NaN. Every workbook is checked: its rows counted, its zip's CRCs, and its first rows read
back with openpyxl (values, number formats, bold header). Last, under tracemalloc, the peak memory
of writing 50,000 rows in chunks, then 4× as many chunks, for ``write_workbook`` and XlsxWriter:
it should not grow (XlsxWriter's rows wait in a temporary file on disk, which is not counted).
Times and memory of the others are also given as ratios to ``write_workbook`` in the same run.
CPU time is printed too: on a shared machine it is steadier than the clock.
Target: the 2.4 million cells in under 1.5 s.
Usage: ``python bench/xlsx_writer.py [--rows 187000] [--repeat 3] [--openpyxl-rows 20000]
[--xlsxwriter-repeat 2]``.
"""

from __future__ import annotations

import argparse
import io
import itertools
import math
import time
import tracemalloc
import zipfile
from collections.abc import Callable, Iterable, Iterator
from typing import BinaryIO

import numpy as np
import pandas as pd
import xlsxwriter
from _support import print_machine, verdict
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from surveyapp.tables.xlsx_writer import Sheet, SheetColumn, write_workbook

TARGET_SECONDS = 1.5
CHUNK_ROWS = 10_000
MEMORY_ROWS = 50_000
CHECKED_ROWS = 50  # of each workbook read back with openpyxl (a read-only sheet is read from its start)
PHRASES = (  # the words of the labels
    "Ủy ban nhân dân phường xã thị trấn huyện quận tỉnh Quảng Ngãi Bình Sơn Trương Quang Trọng Đạt "
    "mức độ hài lòng của người dân đối với sự phục vụ công chức tiếp nhận hồ sơ thủ tục hành chính "
    "kết quả giải quyết đúng hẹn thông tin hướng dẫn công khai đầy đủ dễ hiểu"
)
WORDS = PHRASES.split()
TEXT_COLUMNS = {  # header: how many distinct labels
    "Mẫu phiếu": 4,
    "Lát cắt": 7,
    "Giá trị": 3_300,
    "Nội dung": 44,
    "Yếu tố": 12,
    "Đối tượng": 9,
}
COLUMNS = [
    *(SheetColumn(header) for header in TEXT_COLUMNS),
    SheetColumn("Không biết / không trả lời", "#,##0"),
    SheetColumn("Số câu trả lời hợp lệ", "#,##0"),
    SheetColumn("Điểm trung bình (1–5)", "0.00"),
    SheetColumn("Chỉ số (%)", "0.00%"),
    SheetColumn("Cận dưới KTC 95% (%)", "0.00%"),
    SheetColumn("Cận trên KTC 95% (%)", "0.00%"),
    SheetColumn("Chỉ tiêu (%)", "0.00"),
]


def labels(rng: np.random.Generator, count: int) -> np.ndarray:
    """``count`` distinct labels of 20 to 80 characters made of Vietnamese words."""
    made = []
    for number in range(1, count + 1):
        length = int(rng.integers(20, 81))
        words = [str(number)]
        while len(" ".join(words)) < length:
            words.insert(-1, WORDS[rng.integers(len(WORDS))])
        made.append(" ".join(words)[-length:].strip())
    return np.array(made, dtype=object)


def item_sheet(rows: int) -> pd.DataFrame:
    """The invented item sheet: text, counts and floats in the columns of ``COLUMNS``."""
    rng = np.random.default_rng(2026)
    data: dict[str, object] = {
        header: pd.Series(labels(rng, distinct)[rng.integers(0, distinct, rows)], dtype="str")
        for header, distinct in TEXT_COLUMNS.items()
    }
    data["unknown"] = rng.integers(0, 60, rows)
    data["valid"] = rng.integers(0, 500, rows)
    for name, scale in (("mean", 5.0), ("index", 1.0), ("low", 1.0), ("high", 1.0), ("target", 100.0)):
        values = rng.random(rows) * scale
        values[rng.random(rows) < 0.1] = np.nan
        data[name] = values
    return pd.DataFrame(data)


def chunks(frame: pd.DataFrame, times: int = 1) -> Iterator[pd.DataFrame]:
    """``frame`` in chunks of ``CHUNK_ROWS`` rows, ``times`` over."""
    for _ in range(times):
        for start in range(0, len(frame), CHUNK_ROWS):
            yield frame.iloc[start : start + CHUNK_ROWS]


Writer = Callable[[BinaryIO, Iterable[pd.DataFrame]], None]


def ours_write(target: BinaryIO, frames: Iterable[pd.DataFrame]) -> None:
    """``write_workbook``, as the exports call it."""
    write_workbook(target, [Sheet("Câu hỏi", COLUMNS, frames)])


def xlsxwriter_write(target: BinaryIO, frames: Iterable[pd.DataFrame]) -> None:
    """XlsxWriter in constant-memory mode (each row goes to a temporary file once the next begins),
    cell by cell as its API goes, with the cells ``write_workbook`` writes: a bold header frozen
    above the data, text through ``write_string`` (``write`` would turn text starting with ``=`` into
    a formula and URLs into links), numbers through ``write_number`` with their column's format,
    no cell for NaN."""
    workbook = xlsxwriter.Workbook(target, {"constant_memory": True})
    sheet = workbook.add_worksheet("Câu hỏi")
    bold = workbook.add_format({"bold": True})
    formats = [workbook.add_format({"num_format": c.number_format}) if c.number_format else None for c in COLUMNS]
    for index, column in enumerate(COLUMNS):
        sheet.write_string(0, index, column.header, bold)
    sheet.freeze_panes(1, 0)
    row = 1
    for frame in frames:
        writers = [
            sheet.write_number if pd.api.types.is_numeric_dtype(dtype) else sheet.write_string for dtype in frame.dtypes
        ]
        cells = list(zip(range(len(COLUMNS)), writers, formats, strict=True))
        for values in zip(*(frame.iloc[:, index].tolist() for index in range(frame.shape[1])), strict=True):
            for (column, write, cell_format), value in zip(cells, values, strict=True):
                if value == value:  # not NaN
                    write(row, column, value, cell_format)
            row += 1
    workbook.close()


def timed_write(write: Writer, frames: Iterable[pd.DataFrame]) -> tuple[float, float, bytes]:
    """Seconds elapsed, CPU seconds of every thread, and the workbook."""
    buffer = io.BytesIO()
    started, cpu_started = time.perf_counter(), time.process_time()
    write(buffer, frames)
    return time.perf_counter() - started, time.process_time() - cpu_started, buffer.getvalue()


def best_of(
    write: Writer, frames: Callable[[], Iterable[pd.DataFrame]], repeat: int
) -> tuple[float, float, str, bytes]:
    """The best time (elapsed and CPU) of ``repeat`` runs, every run's time as text, and the last workbook."""
    timings = []
    for _ in range(repeat):
        seconds, cpu_seconds, workbook = timed_write(write, frames())
        timings.append((seconds, cpu_seconds))
    best, best_cpu = min(timings)
    return best, best_cpu, ", ".join(f"{seconds:.2f}" for seconds, _ in timings), workbook


def rows_in(workbook: bytes) -> int:
    """Rows of the sheet, counted in its XML (the archive's CRCs are checked on the way)."""
    with zipfile.ZipFile(io.BytesIO(workbook)) as archive:
        assert archive.testzip() is None, "a damaged zip entry"
        return archive.read("xl/worksheets/sheet1.xml").count(b"</row>")


def check(workbook: bytes, frame: pd.DataFrame, who: str) -> None:
    """All the rows are there, and openpyxl reads back the first ones: values (floats to 15 digits:
    XlsxWriter writes 16 significant digits, not the shortest exact form), number formats, bold header."""
    assert rows_in(workbook) == len(frame) + 1, f"{who}: rows lost"
    book = load_workbook(io.BytesIO(workbook), read_only=True)
    read = list(itertools.islice(book.worksheets[0].iter_rows(), CHECKED_ROWS + 1))
    book.close()
    assert [cell.value for cell in read[0]] == [column.header for column in COLUMNS], f"{who}: header"
    assert all(cell.font.b for cell in read[0]), f"{who}: header not bold"
    for cells, expected in zip(read[1:], frame.head(CHECKED_ROWS).itertuples(index=False), strict=True):
        for position, (column, value) in enumerate(zip(COLUMNS, expected, strict=True)):
            cell = cells[position] if position < len(cells) else None  # a row may end at its last cell
            got = None if cell is None else cell.value
            if isinstance(value, str):
                assert got == value, f"{who}: {column.header!r} reads {got!r}, not {value!r}"
            elif math.isnan(value):
                assert got is None, f"{who}: {column.header!r} reads {got!r} for NaN"
            else:
                assert math.isclose(got, value, rel_tol=1e-15), f"{who}: {column.header!r} reads {got!r}, not {value!r}"
                assert cell.number_format == column.number_format, f"{who}: {column.header!r} {cell.number_format!r}"


def openpyxl_write(frame: pd.DataFrame) -> tuple[float, bytes]:
    """openpyxl's write-only mode as the export used it: bold header, a number format per cell."""
    started = time.perf_counter()
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Câu hỏi")
    bold = Font(bold=True)
    header = []
    for column in COLUMNS:
        cell = WriteOnlyCell(sheet, value=column.header)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in frame.itertuples(index=False):
        cells = []
        for column, value in zip(COLUMNS, row, strict=True):
            cell = WriteOnlyCell(sheet, value=None if pd.isna(value) else value)
            if column.number_format:
                cell.number_format = column.number_format
            cells.append(cell)
        sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return time.perf_counter() - started, buffer.getvalue()


class Discard(io.RawIOBase):
    """A stream that forgets what it is given, so that only the writer's own memory is measured."""

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:
        return len(data)


def peak_memory_mb(write: Writer, frame: pd.DataFrame, times: int) -> float:
    """Peak of the memory allocated while writing ``times`` passes over ``frame`` in chunks (tracemalloc)."""
    tracemalloc.start()
    write(Discard(), chunks(frame, times))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--rows", type=int, default=187_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--openpyxl-rows", type=int, default=20_000)
    parser.add_argument("--xlsxwriter-repeat", type=int, default=2)
    options = parser.parse_args()
    print_machine()
    frame = item_sheet(options.rows)
    cells = frame.size
    print(f"{options.rows:,} rows × {len(COLUMNS)} columns = {cells:,} cells (6 text, 2 counts, 5 floats with NaN)")
    reference = reference_cpu = 0.0  # write_workbook's best time with the table in one frame
    for label, frames in (
        ("one frame", lambda: [frame]),
        (f"chunks of {CHUNK_ROWS:,} rows", lambda: chunks(frame)),
    ):
        best, best_cpu, every, workbook = best_of(ours_write, frames, options.repeat)
        check(workbook, frame, "write_workbook")
        reference, reference_cpu = reference or best, reference_cpu or best_cpu
        print(
            f"  write_workbook, {label:22s} best {best:5.2f} s (CPU {best_cpu:.2f} s; runs {every}), "
            f"{cells / best:10,.0f} cells/s, {len(workbook) / 1e6:.1f} MB → {verdict(best < TARGET_SECONDS)}",
            flush=True,
        )
    sample = frame.iloc[: options.openpyxl_rows]
    seconds, workbook = openpyxl_write(sample)
    check(workbook, sample, "openpyxl")
    scale = len(frame) / len(sample)
    print(
        f"  openpyxl write-only, {len(sample):,} rows  {seconds:5.2f} s, {sample.size / seconds:10,.0f} cells/s, "
        f"{len(workbook) / 1e6:.1f} MB; scaled to {options.rows:,} rows: {seconds * scale:.1f} s "
        f"({seconds * scale / reference:.1f}× write_workbook), {len(workbook) * scale / 1e6:.0f} MB",
        flush=True,
    )
    best, best_cpu, every, workbook = best_of(xlsxwriter_write, lambda: [frame], options.xlsxwriter_repeat)
    check(workbook, frame, "XlsxWriter")
    print(
        f"  XlsxWriter constant_memory, one frame best {best:5.2f} s (CPU {best_cpu:.2f} s; runs {every}), "
        f"{cells / best:10,.0f} cells/s, {len(workbook) / 1e6:.1f} MB: {best / reference:.1f}× write_workbook "
        f"(CPU {best_cpu / reference_cpu:.1f}×)",
        flush=True,
    )
    part = frame.iloc[:MEMORY_ROWS]
    print(f"  peak memory while writing {len(part):,} rows in chunks (tracemalloc, output discarded):", flush=True)
    reference_mb = peak_memory_mb(ours_write, part, 1)
    print(
        f"    write_workbook             {reference_mb:6.1f} MB, "
        f"{peak_memory_mb(ours_write, part, 4):.1f} MB for 4× as many chunks",
        flush=True,
    )
    one_pass = peak_memory_mb(xlsxwriter_write, part, 1)
    print(
        f"    XlsxWriter constant_memory {one_pass:6.1f} MB ({one_pass / reference_mb:.2f}× write_workbook), "
        f"{peak_memory_mb(xlsxwriter_write, part, 4):.1f} MB for 4× as many chunks",
        flush=True,
    )


if __name__ == "__main__":
    main()
