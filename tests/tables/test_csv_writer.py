"""The column-wise CSV writer reads back, with any spreadsheet's CSV reader, as what was written."""

from __future__ import annotations

import csv
import io

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from surveyapp.tables.csv_writer import csv_lines

texts = st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=12)
cells = st.one_of(st.none(), texts, st.integers(-(10**9), 10**9), st.floats(allow_nan=False, allow_infinity=False))


def read_back(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


@given(st.integers(1, 4).flatmap(lambda width: st.lists(st.lists(cells, min_size=width, max_size=width), min_size=1)))
def test_any_table_reads_back_cell_for_cell(rows):
    frame = pd.DataFrame(rows, dtype=object)

    expected = [["" if value is None else str(value) for value in row] for row in rows]
    assert read_back(csv_lines(frame)) == expected


def test_writes_what_the_csv_module_writes():
    frame = pd.DataFrame(
        {
            "unit": ["Phường Trương Quang Trọng", 'Xã "Đông", Sơn', "dòng 1\ndòng 2"],
            "index": [82.76, np.nan, 100.0],
            "count": pd.array([3, None, 12], dtype="Int64"),
        }
    )
    stream = io.StringIO()
    csv.writer(stream).writerows(
        [["Phường Trương Quang Trọng", 82.76, 3], ['Xã "Đông", Sơn', "", ""], ["dòng 1\ndòng 2", 100.0, 12]]
    )

    assert csv_lines(frame) == stream.getvalue()


def test_an_empty_frame_writes_nothing():
    assert csv_lines(pd.DataFrame(columns=[0, 1])) == ""
