"""CSV lines from a data frame, built a column at a time.

``DataFrame.to_csv`` hands every row to Python's ``csv`` writer: for the raw export of a
million responses × 50 columns that was 12 s of the 14. Here each column's distinct values
are formatted (and quoted where needed) once, then the fields and separators of all rows are
laid out in one list and joined once. The output is what ``csv.writer`` writes with its
defaults: comma separated, CRLF line ends, a field quoted only when it holds a comma, a double
quote or a line break (quotes doubled inside). Missing values are empty fields; floats are
written as ``repr`` writes them.

>>> csv_lines(pd.DataFrame({"a": ["x", 'say "hi", twice'], "b": [1.5, None]}))
'x,1.5\\r\\n"say ""hi"", twice",\\r\\n'
"""

from __future__ import annotations

import numpy as np
import pandas as pd

LINE_END = "\r\n"
_NEEDS_QUOTES = (",", '"', "\r", "\n")


def csv_lines(frame: pd.DataFrame) -> str:
    """The rows of ``frame`` as CSV lines, without a header, each ending with CRLF."""
    count, width = frame.shape
    if not count or not width:
        return LINE_END * count
    # A line of one empty field would read back as no field at all: csv.writer writes "" then.
    empty = '""' if width == 1 else ""
    stride = 2 * width
    layout = [","] * (count * stride)
    for number in range(width):
        layout[2 * number :: stride] = _fields(frame.iloc[:, number], empty)
    layout[stride - 1 :: stride] = [LINE_END] * count
    return "".join(layout)


def _fields(values: pd.Series, empty: str) -> list[str]:
    """The CSV field of every value of a column, each distinct value formatted once."""
    if values.dtype == object and pd.api.types.infer_dtype(values, skipna=True) not in ("string", "empty"):
        # Mixed values: 1 and 1.0 are equal to factorize but written differently.
        missing = values.isna()
        return [empty if gap else _field(value, empty) for value, gap in zip(values, missing, strict=True)]
    codes, uniques = pd.factorize(values)  # missing values get code -1, the empty field at the end
    formatted = [_field(value, empty) for value in uniques]
    return np.array([*formatted, empty], dtype=object)[codes].tolist()


def _field(value: object, empty: str) -> str:
    text = value if isinstance(value, str) else str(value)
    if not text:
        return empty
    if any(character in text for character in _NEEDS_QUOTES):
        return '"' + text.replace('"', '""') + '"'
    return text
