"""Counting shares of answers per slice, and averaging indices with their uncertainty.

Every SIPAS figure is a share (satisfied, positive, top level) of valid answers, or a
weighted mean of such shares. This module does that arithmetic once, on whole columns.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from scoring.schema import matching
from scoring.settings import ShareItem

Z_95 = 1.959963984540054
COUNT_COLUMNS = ("valid", "hits", "no_answer", "blank", "score_sum")


def tally_shares(responses: pd.DataFrame, items: Sequence[ShareItem], by: Sequence[str]) -> pd.DataFrame:
    """Per slice and item: valid answers, hits, "không biết" answers, blanks and the sum of levels.

    One row per (slice, item) that has at least one response in the slice.
    """
    by = list(by)
    if not items:
        return pd.DataFrame(columns=[*by, "item", *COUNT_COLUMNS])
    measures: dict[tuple[str, str], pd.Series] = {}
    for item in items:
        column = responses[item.code]
        valid = column.isin(matching(item.valid_values))
        measures[(item.code, "valid")] = valid
        measures[(item.code, "hits")] = column.isin(matching(item.hit_values)) & valid
        measures[(item.code, "no_answer")] = column.isin(matching(item.no_answer_values))
        measures[(item.code, "blank")] = column.isna() | (column.astype("string").str.strip() == "")
        measures[(item.code, "score_sum")] = pd.to_numeric(column.where(valid), errors="coerce").fillna(0)
    wide = pd.DataFrame(measures, index=responses.index)
    wide.columns = pd.MultiIndex.from_tuples(wide.columns, names=["item", "measure"])
    if by:
        keys = [responses[column].fillna("").astype(str).rename(column) for column in by]
        sums = wide.groupby(keys, sort=True).sum()
    else:
        sums = wide.sum().to_frame().T
    long = sums.stack("item", future_stack=True).reset_index()
    long = long.drop(columns=[c for c in long.columns if c not in [*by, "item", *COUNT_COLUMNS]])
    for measure in COUNT_COLUMNS[:-1]:
        long[measure] = long[measure].astype("int64")
    order = {item.code: position for position, item in enumerate(items)}
    long = long.sort_values([*by, "item"], key=lambda s: s.map(order) if s.name == "item" else s, kind="stable")
    return long.reset_index(drop=True)


def add_share_index(table: pd.DataFrame, min_valid_answers: int) -> pd.DataFrame:
    """Add ``index`` (100 × hits / valid), its 95% Wilson interval, ``mean_score`` and ``flagged``."""
    table = table.copy()
    valid = table["valid"].to_numpy(dtype=float)
    hits = table["hits"].to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(valid > 0, hits / valid, np.nan)
        denominator = 1 + Z_95**2 / valid
        centre = (share + Z_95**2 / (2 * valid)) / denominator
        half = Z_95 * np.sqrt(share * (1 - share) / valid + Z_95**2 / (4 * valid**2)) / denominator
        table["index"] = 100 * share
        table["ci_low"] = np.clip(100 * (centre - half), 0, 100)
        table["ci_high"] = np.clip(100 * (centre + half), 0, 100)
        table["mean_score"] = np.where(valid > 0, table["score_sum"].to_numpy(dtype=float) / valid, np.nan)
    table["flagged"] = table["valid"] < min_valid_answers
    return table.drop(columns=["score_sum"])


def weighted_means(
    table: pd.DataFrame, by: Sequence[str], group: str, member_weight: pd.Series, valid_column: str = "valid"
) -> pd.DataFrame:
    """Average ``index`` over the members of each ``group`` per slice, with weights.

    Members without an index (no valid answer) are left out of the mean and flag the result.
    The standard error of each member is its interval's half-width / 1.96, and the mean's
    variance is the weighted sum of the members' variances (as if independent).
    """
    frame = table.assign(
        _weight=member_weight.to_numpy(dtype=float),
        _se=(table["ci_high"] - table["ci_low"]) / (2 * Z_95),
    )
    has_index = frame["index"].notna()
    frame["_w"] = frame["_weight"].where(has_index, 0.0)
    frame["_wx"] = (frame["_w"] * frame["index"]).where(has_index, 0.0)
    frame["_wse2"] = (frame["_w"] ** 2 * frame["_se"] ** 2).where(has_index, 0.0)
    frame["_flag"] = frame["flagged"] | ~has_index
    grouped = frame.groupby([*by, group], sort=False)
    result = grouped.agg(
        members=("_weight", "size"),
        valid=(valid_column, "sum"),
        _w=("_w", "sum"),
        _wx=("_wx", "sum"),
        _wse2=("_wse2", "sum"),
        flagged=("_flag", "any"),
    ).reset_index()
    with np.errstate(invalid="ignore", divide="ignore"):
        weight = result["_w"].where(result["_w"] > 0)
        result["index"] = result["_wx"] / weight
        half = Z_95 * np.sqrt(result["_wse2"]) / weight
    result["ci_low"] = (result["index"] - half).clip(0, 100)
    result["ci_high"] = (result["index"] + half).clip(0, 100)
    return result.drop(columns=["_w", "_wx", "_wse2"])
