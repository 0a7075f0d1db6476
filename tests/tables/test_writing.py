"""Tables written as a workbook and as CSV: one convention for each kind of column in both."""

from __future__ import annotations

import csv
import io

import pandas as pd
from openpyxl import load_workbook

from surveyapp.tables.writing import Column, Kind, Table, csv_bytes, write_xlsx

COLUMNS = [
    Column("Chỉ số (%)", Kind.PERCENT),
    Column("Chỉ tiêu (%)", Kind.PERCENT),
    Column("Điểm", Kind.POINTS),
    Column("Số câu trả lời hợp lệ", Kind.COUNT),
    Column("Đạt chỉ tiêu", Kind.MARK),
]


def table() -> Table:
    # Percentages come in percent: an index of 76.9%, a target of 90% (an object column, as
    # targets are where some rows have none).
    frame = pd.DataFrame(
        {
            0: [76.9, 100.0, None],
            1: pd.Series([90, 90.0, None], dtype=object),
            2: [3.5, 1 / 3, None],
            3: [116, 7, 0],
            4: pd.Series([False, True, None], dtype=object),
        }
    )
    return Table("sipas", "SIPAS", COLUMNS, [frame])


def test_percentages_are_fractions_in_the_percent_format_in_the_workbook(app) -> None:
    buffer = io.BytesIO()
    with app.test_request_context():
        write_xlsx([table()], buffer)
    rows = list(load_workbook(buffer)["SIPAS"].iter_rows(min_row=2))
    assert [cell.value for cell in rows[0]] == [0.769, 0.9, 3.5, 116, "Không"]
    assert [cell.value for cell in rows[2]] == [None, None, None, 0, None]
    assert [cell.number_format for cell in rows[0]] == ["0.00%", "0.00%", "0.00", "#,##0", "General"]


def test_percentages_and_points_have_two_decimals_in_csv(app) -> None:
    with app.test_request_context():
        text = csv_bytes(table()).decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(text))) == [
        [column.header for column in COLUMNS],
        ["76.90", "90.00", "3.50", "116", "Không"],
        ["100.00", "90.00", "0.33", "7", "Có"],
        ["", "", "", "0", ""],
    ]
