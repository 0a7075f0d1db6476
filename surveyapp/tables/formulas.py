"""Formula injection: text a spreadsheet would run as a formula is written with a leading
apostrophe, and read back without it."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """Text that a spreadsheet would run as a formula gets a leading apostrophe.

    >>> neutralise('=HYPERLINK("http://x")'), neutralise("-1"), neutralise("Tốt"), neutralise(5)
    ('\\'=HYPERLINK("http://x")', "'-1", 'Tốt', 5)
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def neutralise_column(values: pd.Series) -> pd.Series:
    """``neutralise`` applied to a whole column at once (the raw export writes millions of cells).

    >>> neutralise_column(pd.Series(["=1+1", "Tốt", "@x"])).tolist()
    ["'=1+1", 'Tốt', "'@x"]
    >>> neutralise_column(pd.Series([None])).isna().tolist()  # an empty cell stays empty
    [True]
    """
    codes, uniques = pd.factorize(values)  # each distinct text is looked at once; missing → -1
    neutralised = np.array([*(neutralise(value) for value in uniques), None], dtype=object)
    return pd.Series(neutralised[codes], index=values.index)


def restore(text: str) -> str:
    """Undo ``neutralise`` on a value read back from an exported file.

    >>> restore("'=1+1"), restore("'bình thường")
    ('=1+1', "'bình thường")
    """
    if text.startswith("'") and text[1:].startswith(FORMULA_PREFIXES):
        return text[1:]
    return text
