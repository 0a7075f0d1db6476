"""The streaming XLSX writer, read back as an officer's spreadsheet program would: openpyxl and pandas."""

from __future__ import annotations

import io
import re
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from surveyapp.tables import xlsx_writer
from surveyapp.tables.xlsx_writer import Sheet, SheetColumn, write_workbook

VIETNAMESE = "Phường Trương Quang Trọng – Đạt"
MODULE = Path(xlsx_writer.__file__)
ILLEGAL_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def workbook_bytes(*sheets: Sheet) -> io.BytesIO:
    buffer = io.BytesIO()
    write_workbook(buffer, sheets)
    buffer.seek(0)
    return buffer


def only_sheet(*frames: pd.DataFrame, columns: list[SheetColumn] | None = None) -> Worksheet:
    """The first sheet of a workbook written from ``frames``, loaded by openpyxl."""
    columns = columns or [SheetColumn(str(name)) for name in frames[0].columns]
    return load_workbook(workbook_bytes(Sheet("Data", columns, frames))).worksheets[0]


def data_rows(sheet: Worksheet) -> list[tuple]:
    return list(sheet.iter_rows(min_row=2, values_only=True))


def test_the_header_row_is_bold_and_frozen() -> None:
    sheet = only_sheet(
        pd.DataFrame({"unit": ["Xã A"], "index": [0.5]}), columns=[SheetColumn("Đơn vị"), SheetColumn("Chỉ số")]
    )
    assert [cell.value for cell in sheet[1]] == ["Đơn vị", "Chỉ số"]
    assert all(cell.font.b for cell in sheet[1])
    assert not any(cell.font.b for cell in sheet[2])
    assert sheet.freeze_panes == "A2"


def test_a_heading_stands_above_the_header_and_leaves_other_sheets_as_they_were() -> None:
    frame = pd.DataFrame({"n": [1], "amount": [10000]})
    columns = [SheetColumn("STT"), SheetColumn("Số tiền (đ)", number_format="#,##0")]
    heading = ["DANH SÁCH KÝ NHẬN", "Đơn vị: " + VIETNAMESE]
    titled, plain = load_workbook(
        workbook_bytes(Sheet("Có tiêu đề", columns, [frame], heading), Sheet("Bảng", columns, [frame]))
    ).worksheets
    assert list(titled.values) == [
        (heading[0], None),
        (heading[1], None),
        (None, None),
        ("STT", "Số tiền (đ)"),
        (1, 10000),
    ]
    assert titled["A1"].font.b and not titled["A1"].alignment.wrap_text and not titled["A2"].font.b
    assert titled["B5"].number_format == "#,##0" and titled.freeze_panes == "A5"
    assert list(plain.values) == [("STT", "Số tiền (đ)"), (1, 10000)] and plain.freeze_panes == "A2"
    # A workbook without a heading keeps the styles it always had (and a published workbook its bytes).
    with zipfile.ZipFile(workbook_bytes(Sheet("Bảng", columns, [frame]))) as archive:
        assert archive.read("xl/styles.xml").decode().count("<xf ") == 4


def widths(sheet: Worksheet) -> list[float]:
    """The widths of the sheet's columns, as openpyxl reads them back."""
    return [sheet.column_dimensions[cell.column_letter].width for cell in sheet[1]]


def test_columns_get_their_width_or_one_fitted_to_their_header_and_first_rows() -> None:
    unit = "Phường Trương Quang Trọng, thành phố Quảng Ngãi (21172)"
    # The first chunk is one row, as the overall slice of the indices: the fit reads on.
    chunks = [
        pd.DataFrame({"code": ["SIPAS-2017"], "unit": ["Toàn bộ"], "flag": ["Có"], "index": [0.769], "note": ["x"]}),
        pd.DataFrame({"code": ["SIPAS-2017"], "unit": [unit], "flag": ["Không"], "index": [1.0], "note": ["y"]}),
    ]
    columns = [
        SheetColumn("Mẫu phiếu"),
        SheetColumn("Giá trị"),
        SheetColumn("Ít hơn ngưỡng câu trả lời hợp lệ"),
        SheetColumn("Chỉ số (%)", "0.00%"),
        SheetColumn("Ghi chú", width=42.5),
    ]
    sheet = load_workbook(workbook_bytes(Sheet("Data", columns, chunks))).worksheets[0]
    code, name, flag, index, note = widths(sheet)
    assert note == 42.5  # its own
    assert len(unit) < name <= xlsx_writer.MAX_WIDTH and name > 2 * code  # unit names wider than codes
    assert len("SIPAS-2017") < code < 16
    assert 10 < index < 16 and flag < len("Ít hơn ngưỡng câu trả lời hợp lệ")  # a long header wraps
    assert all(cell.alignment.wrap_text for cell in sheet[1])
    xml = zipfile.ZipFile(workbook_bytes(Sheet("Data", columns, chunks))).read("xl/worksheets/sheet1.xml").decode()
    assert xml.index("</sheetViews><cols>") < xml.index("</cols><sheetData>")
    assert xml.count('customWidth="1"') == 5


def test_a_fitted_width_reads_only_the_first_rows(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(xlsx_writer, "WIDTH_SAMPLE", 3)
    chunks = [pd.DataFrame({"t": [text, text]}) for text in ("ab", "abc", "a long text after the sample")]
    sheet = load_workbook(workbook_bytes(Sheet("Data", [SheetColumn("t")], iter(chunks)))).worksheets[0]
    assert widths(sheet) == [xlsx_writer.MIN_WIDTH]  # "abc" and "t" fit in 8
    assert data_rows(sheet)[-1] == ("a long text after the sample",)
    empty = load_workbook(workbook_bytes(Sheet("Data", [SheetColumn("Số câu trả lời hợp lệ")], [])))
    assert widths(empty.worksheets[0]) == [18.0]  # the header, wrapped after 16 characters


def test_numbers_and_text_keep_their_types() -> None:
    frame = pd.DataFrame(
        {
            "count": np.array([3, -7], dtype=np.int64),
            "big": np.array([2**63 + 5, 0], dtype=np.uint64),
            "share": [0.1 + 0.2, 1e-300],
            "points": [3.0, 12345678.901234567],
            "nullable": pd.array([4, None], dtype="Int64"),
            "label": ["Xã A", "42"],
        }
    )
    rows = data_rows(only_sheet(frame))
    assert rows == [(3, 2**63 + 5, 0.1 + 0.2, 3.0, 4, "Xã A"), (-7, 0, 1e-300, 12345678.901234567, None, "42")]
    assert [type(value) for value in rows[0]] == [int, int, float, float, int, str]


def test_numeric_columns_carry_their_number_format() -> None:
    columns = [
        SheetColumn("Chỉ số (%)", "0.00%"),
        SheetColumn("Số câu trả lời", "#,##0"),
        SheetColumn("Điểm", "0.00"),
        SheetColumn("Tiền", '#,##0" đ"'),
        SheetColumn("Đơn vị"),
    ]
    frame = pd.DataFrame({"a": [0.8125], "b": [1200], "c": [3.5], "d": [5000], "e": ["Xã A"]})
    sheet = only_sheet(frame, columns=columns)
    assert [cell.number_format for cell in sheet[2]] == ["0.00%", "#,##0", "0.00", '#,##0" đ"', "General"]


def test_missing_values_are_empty_cells_and_not_written() -> None:
    frame = pd.DataFrame(
        {
            "float": [np.nan, 1.5, np.inf, 2.5, -np.inf, 3.5],
            "repeated": [0.5, 0.5, np.nan, 0.5, np.inf, 0.5],
            "text": pd.Series([None, "có", np.nan, "có", "", "x"], dtype="str"),
            "object": pd.Series([pd.NA, pd.NaT, None, np.nan, None, None], dtype=object),
            "nullable": pd.array([None, None, 1, None, None, None], dtype="Int64"),
        }
    )
    buffer = workbook_bytes(Sheet("Data", [SheetColumn(name) for name in frame.columns], [frame]))
    assert data_rows(load_workbook(buffer).worksheets[0]) == [
        (None, 0.5, None, None, None),
        (1.5, 0.5, "có", None, None),
        (None, None, None, None, 1),
        (2.5, 0.5, "có", None, None),
        (None, None, None, None, None),
        (3.5, 0.5, "x", None, None),
    ]
    xml = zipfile.ZipFile(buffer).read("xl/worksheets/sheet1.xml").decode()
    written = re.findall(r'<c r="([A-Z]+\d+)"', xml)
    assert written == ["A1", "B1", "C1", "D1", "E1", "B2", "A3", "B3", "C3", "E4", "A5", "B5", "C5", "A7", "B7", "C7"]


def test_text_is_escaped_and_never_a_formula() -> None:
    texts = ["<b>&amp; \"quoted\" 'single'</b>", VIETNAMESE, "a]]>b", "=1+1", "@SUM(A1)"]
    sheet = only_sheet(pd.DataFrame({"text": texts}))
    assert data_rows(sheet) == [(text,) for text in texts]
    assert {row[0].data_type for row in sheet.iter_rows(min_row=2)} == {"s"}


def test_characters_illegal_in_xml_are_dropped() -> None:
    frame = pd.DataFrame({"text": ["a\x00b\x0bc\x1fd\ufffee\uffff\ud800f", "\x01\x02", "tab\tnew line\n"]})
    assert data_rows(only_sheet(frame)) == [("abcdef",), (None,), ("tab\tnew line\n",)]


def test_leading_and_trailing_whitespace_is_kept() -> None:
    texts = ["  two spaces before", "after ", "\tboth\n", "windows\r\nline end", " ", "in the middle only"]
    frame = pd.DataFrame({"text": texts})
    buffer = workbook_bytes(Sheet("Data", [SheetColumn("text")], [frame]))
    assert data_rows(load_workbook(buffer).worksheets[0]) == [(text,) for text in texts]
    # Excel strips the ends of a text unless told to keep them (openpyxl keeps them anyway).
    xml = zipfile.ZipFile(buffer).read("xl/worksheets/sheet1.xml").decode()
    assert xml.count('<t xml:space="preserve">') == 4


def test_chunks_follow_each_other_with_their_row_numbers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(xlsx_writer, "CELLS_PER_BLOCK", 10)  # blocks of 2 rows: chunks cross several blocks
    rng = np.random.default_rng(7)
    sizes = (5, 0, 1, 8, 40)
    chunks = []
    for size in sizes:
        unique_floats = rng.random(size)
        unique_floats[rng.random(size) < 0.3] = np.nan
        texts = rng.choice(np.array([None, VIETNAMESE, " có ", "a < b", "Xã A"], dtype=object), size)  # recurring
        chunks.append(
            pd.DataFrame(
                {
                    "n": rng.integers(0, 10**9, size),
                    "x": unique_floats,
                    "count": pd.array(rng.choice(np.array([0, 7, None], dtype=object), size), dtype="Int64"),
                    "share": rng.choice([1 / 3, 0.5, np.nan, np.inf], size),  # figures that repeat
                    "t": pd.Series(texts, dtype="str"),
                }
            )
        )
    sheet = only_sheet(*chunks)
    whole = pd.concat(chunks, ignore_index=True).replace(np.inf, np.nan)
    expected = [tuple(None if pd.isna(value) else value for value in row) for row in whole.itertuples(index=False)]
    assert data_rows(sheet) == expected
    assert sheet.max_row == 1 + sum(sizes)
    assert [row[0].row for row in sheet.iter_rows(min_row=2)] == list(range(2, 2 + sum(sizes)))


def test_columns_beyond_z_land_in_their_places() -> None:
    width = 60
    frame = pd.DataFrame([[float(index) for index in range(width)], [f"row 3, column {i}" for i in range(width)]])
    sheet = only_sheet(frame.astype(object), columns=[SheetColumn(f"c{index}") for index in range(width)])
    assert [cell.value for cell in sheet[1]] == [f"c{index}" for index in range(width)]
    assert sheet["Z2"].value == 25.0
    assert sheet["AA2"].value == 26.0
    assert sheet["BH2"].value == 59.0
    assert sheet["BH3"].value == "row 3, column 59"
    assert sheet.max_column == width


def test_several_sheets_keep_their_order_and_titles() -> None:
    titles = ["Tổng hợp", "Đơn vị & cấp", "Câu hỏi"]
    sheets = [Sheet(title, [SheetColumn("Số")], [pd.DataFrame({"n": [index]})]) for index, title in enumerate(titles)]
    workbook = load_workbook(workbook_bytes(*sheets))
    assert workbook.sheetnames == titles
    assert [data_rows(sheet) for sheet in workbook.worksheets] == [[(0,)], [(1,)], [(2,)]]


def test_an_empty_sheet_still_has_its_header() -> None:
    columns = [SheetColumn("Đơn vị"), SheetColumn("Chỉ số", "0.00%")]
    empty = pd.DataFrame({"unit": pd.Series([], dtype="str"), "index": pd.Series([], dtype=float)})
    workbook = load_workbook(workbook_bytes(Sheet("No frames", columns, []), Sheet("Empty frames", columns, [empty])))
    for sheet in workbook.worksheets:
        assert list(sheet.values) == [("Đơn vị", "Chỉ số")]


def test_mixed_object_columns_decide_cell_by_cell() -> None:
    frame = pd.DataFrame({"mixed": pd.Series(["Xã A", 1, 2.5, None, np.int64(3), np.float32(0.5), " x"], dtype=object)})
    rows = data_rows(only_sheet(frame, columns=[SheetColumn("Giá trị", "0.00")]))
    assert rows == [("Xã A",), (1,), (2.5,), (None,), (3,), (0.5,), (" x",)]


def test_read_only_openpyxl_and_pandas_read_the_same_table() -> None:
    frame = pd.DataFrame(
        {
            "unit": [VIETNAMESE, "Xã B", None],
            "responses": [120, 7, 0],
            "index": [0.8125, np.nan, 0.5],
        }
    )
    columns = [SheetColumn("Đơn vị"), SheetColumn("Số câu trả lời", "#,##0"), SheetColumn("Chỉ số", "0.00%")]
    buffer = workbook_bytes(Sheet("Chỉ số", columns, [frame]))
    workbook = load_workbook(buffer, read_only=True)
    # Streamed, the sheet has no <dimension>: in read-only mode a row ends at its last cell.
    assert list(workbook["Chỉ số"].values)[1:] == [(VIETNAMESE, 120, 0.8125), ("Xã B", 7), (None, 0, 0.5)]
    workbook.close()
    read = pd.read_excel(buffer, sheet_name="Chỉ số")
    expected = frame.set_axis([column.header for column in columns], axis=1)
    pd.testing.assert_frame_equal(read, expected, check_dtype=False)


class OneWayStream(io.RawIOBase):
    """A stream that can neither seek nor tell, like a streamed HTTP response."""

    def __init__(self) -> None:
        self.received = bytearray()

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:
        self.received += data
        return len(data)


def test_a_stream_that_cannot_seek_receives_a_whole_workbook() -> None:
    stream = OneWayStream()
    write_workbook(stream, [Sheet("Data", [SheetColumn("x")], [pd.DataFrame({"x": [1.5, 2.5]})])])
    assert list(load_workbook(io.BytesIO(bytes(stream.received))).worksheets[0].values) == [("x",), (1.5,), (2.5,)]


class FlakyDisk(OneWayStream):
    """Fails once, past the first 10 kB, then writes again: the failure must not go unnoticed."""

    has_failed = False

    def write(self, data: bytes) -> int:
        if len(self.received) > 10_000 and not self.has_failed:
            self.has_failed = True
            raise OSError("No space left on device")
        return super().write(data)


def test_errors_while_writing_reach_the_caller() -> None:
    frame = pd.DataFrame({"x": np.arange(100_000) / 7})  # several blocks, deflated in the background

    def frames_until_the_database_fails() -> Iterator[pd.DataFrame]:
        yield frame
        raise RuntimeError("the database went away")

    with pytest.raises(OSError, match="No space left"):
        write_workbook(FlakyDisk(), [Sheet("Data", [SheetColumn("x")], [frame])])
    with pytest.raises(RuntimeError, match="went away"):
        write_workbook(io.BytesIO(), [Sheet("Data", [SheetColumn("x")], frames_until_the_database_fails())])


@pytest.mark.parametrize(
    "titles, message",
    [
        ([], "at least one sheet"),
        (["Đơn vị", "Câu hỏi", "đơn VỊ"], "duplicate sheet title 'đơn VỊ'"),
        (["a" * 32], "invalid sheet title"),
        (["Q1/2026"], "invalid sheet title"),
    ],
    ids=["no sheet", "duplicate, case aside", "too long", "forbidden character"],
)
def test_workbooks_excel_would_refuse_are_refused(titles: list[str], message: str) -> None:
    buffer = io.BytesIO()
    with pytest.raises(ValueError, match=re.escape(message)):
        write_workbook(buffer, [Sheet(title, [SheetColumn("x")], []) for title in titles])
    assert buffer.getvalue() == b""


def test_frames_that_do_not_fit_their_sheet_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    columns = [SheetColumn("x")]
    with pytest.raises(ValueError, match="a frame has 2"):
        write_workbook(io.BytesIO(), [Sheet("Data", columns, [pd.DataFrame({"a": [1], "b": [2]})])])
    with pytest.raises(TypeError, match="booleans"):
        write_workbook(io.BytesIO(), [Sheet("Data", columns, [pd.DataFrame({"a": [True]})])])
    with pytest.raises(TypeError, match="Timestamp"):
        write_workbook(io.BytesIO(), [Sheet("Data", columns, [pd.DataFrame({"a": [pd.Timestamp("2026-11-30")]})])])
    monkeypatch.setattr(xlsx_writer, "MAX_ROWS", 4)
    with pytest.raises(ValueError, match="more than 3 rows"):
        write_workbook(io.BytesIO(), [Sheet("Data", columns, [pd.DataFrame({"a": [1, 2]})] * 2)])


ODD_TEXT = st.text(
    st.one_of(
        st.characters(exclude_categories=()),  # every code point, lone surrogates included
        st.sampled_from(list("\ufffe\uffff\x00\x1f\r\n\t <>&\"'Đưọ–")),
    ),
    max_size=30,
)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(ODD_TEXT, st.floats(allow_nan=False, allow_infinity=False)), min_size=1, max_size=20))
def test_any_text_and_float_reads_back_as_written(rows: list[tuple[str, float]]) -> None:
    frame = pd.DataFrame(rows, columns=["text", "number"])
    read = data_rows(only_sheet(frame))
    expected = [(ILLEGAL_IN_XML.sub("", text) or None, number) for text, number in rows]
    assert read == expected


def test_the_module_stands_alone_without_flask_or_the_app() -> None:
    probe = f"""
import importlib.util, sys
spec = importlib.util.spec_from_file_location("xlsx_writer", {str(MODULE)!r})
module = sys.modules["xlsx_writer"] = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
print(",".join(sorted(name for name in sys.modules if name.split(".")[0] in ("flask", "sqlalchemy", "surveyapp"))))
"""
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == ""
