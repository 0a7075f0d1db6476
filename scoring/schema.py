"""The input the aggregator reads: one row per response, one column per question.

============================  =========================================================
column                        meaning
============================  =========================================================
``unit``                      code of the assessed unit the response is about
``parent_unit``               code of that unit's parent (district, province), if any
``respondent_group``          code of the respondent group (``citizen``, ``council_delegate``…)
``mode``                      ``desk_qr``, ``online_link``, ``interview`` or ``paper``
``procedure_field``           field of the procedure (*lĩnh vực*), SIPAS only; may be empty
``period``                    a period label such as ``2026-11`` (month of submission)
``<question code>``           the answer: the option's value as in the questionnaire file
                              (``5``, ``"A"``; also its text form ``"5"``); empty = blank
============================  =========================================================

Only the slice columns a computation groups by, and the question columns it scores, need to
be present. Anything else in the frame is ignored, so a raw export can be scored as it is.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import pandas as pd

SLICE_COLUMNS = ("unit", "parent_unit", "respondent_group", "mode", "procedure_field", "period")


class SchemaError(ValueError):
    """The responses frame lacks a column the computation needs; the message names them."""


def require_columns(responses: pd.DataFrame, by: Sequence[str], questions: Iterable[str]) -> None:
    """Raise ``SchemaError`` unless ``responses`` has every slice and question column needed."""
    unknown_slices = [column for column in by if column not in SLICE_COLUMNS]
    if unknown_slices:
        raise SchemaError(f"cannot slice by {', '.join(unknown_slices)}; slices are {', '.join(SLICE_COLUMNS)}")
    missing = [column for column in [*by, *questions] if column not in responses.columns]
    if missing:
        raise SchemaError(f"the responses lack the column(s) {', '.join(missing)}")


def matching(values: Iterable[Any]) -> list[Any]:
    """Values to compare a column with: each option value and its text form ("5" for 5).

    >>> matching([4, 5])
    [4, 5, '4', '5']
    """
    values = list(values)
    return values + [str(value) for value in values if not isinstance(value, str)]
