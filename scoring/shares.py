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


def slice_index(responses: pd.DataFrame, by: Sequence[str]) -> tuple[np.ndarray, pd.DataFrame]:
    """Each response's slice number, and the slices' key values in order (one row per slice).

    Empty values form a slice of their own, labelled "".
    """
    if not by:
        return np.zeros(len(responses), dtype=np.int64), pd.DataFrame(index=[0])
    codes, uniques = [], []
    for column in by:
        numbers, values = pd.factorize(responses[column], sort=True)
        labels = np.asarray(values, dtype=object).astype(str)
        if (numbers < 0).any():  # missing values join the empty text's slice, or make it
            empty = np.flatnonzero(labels == "")
            if not empty.size:
                empty, labels = [len(labels)], np.append(labels, "")
            numbers = np.where(numbers < 0, empty[0], numbers)
        codes.append(numbers.astype(np.int64))
        uniques.append(labels)
    combined = np.ravel_multi_index(codes, [len(labels) for labels in uniques])
    observed, numbers = np.unique(combined, return_inverse=True)
    positions = np.unravel_index(observed, [len(labels) for labels in uniques])
    slices = pd.DataFrame(
        {column: labels[position] for column, labels, position in zip(by, uniques, positions, strict=True)}
    )
    return numbers.astype(np.int64), slices


def tally_shares(
    responses: pd.DataFrame,
    items: Sequence[ShareItem],
    by: Sequence[str],
    slicing: tuple[np.ndarray, pd.DataFrame] | None = None,
) -> pd.DataFrame:
    """Per slice and item: valid answers, hits, "không biết" answers, blanks and the sum of levels.

    One row per (slice, item) for every slice with at least one response, slices in order and
    items in the questionnaire's order within each. Each answer column is read as categories
    (a categorical column is used as it is): the counting is one ``bincount`` per item over the
    responses, whatever their number. ``slicing`` is ``slice_index(responses, by)`` when the
    caller has it already.
    """
    by = list(by)
    if not items:
        return pd.DataFrame(columns=[*by, "item", *COUNT_COLUMNS])
    numbers, slices = slicing or slice_index(responses, by)
    size = len(slices)
    measures = {
        name: np.zeros((size, len(items)), dtype=np.float64 if name == "score_sum" else np.int64)
        for name in COUNT_COLUMNS
    }
    for position, item in enumerate(items):
        column = responses[item.code]
        categorical = column.array if isinstance(column.dtype, pd.CategoricalDtype) else pd.Categorical(column)
        categories = pd.Index(categorical.categories)
        width = len(categories) + 1  # position 0: no value at all
        counts = np.bincount(numbers * width + (categorical.codes + 1), minlength=size * width).reshape(size, width)
        valid = np.r_[False, categories.isin(matching(item.valid_values))]
        hits = valid & np.r_[False, categories.isin(matching(item.hit_values))]
        no_answer = np.r_[False, categories.isin(matching(item.no_answer_values))]
        blank = np.r_[True, categories.astype(str).str.strip() == ""]
        levels = np.r_[0.0, pd.to_numeric(pd.Series(categories, dtype=object), errors="coerce").fillna(0).to_numpy()]
        for name, selected in (("valid", valid), ("hits", hits), ("no_answer", no_answer), ("blank", blank)):
            measures[name][:, position] = counts @ selected.astype(np.int64)
        measures["score_sum"][:, position] = counts @ (levels * valid)
    long = (
        slices.loc[slices.index.repeat(len(items))].reset_index(drop=True)
        if by
        else pd.DataFrame(index=range(size * len(items)))
    )
    long["item"] = np.tile([item.code for item in items], size)
    for name, values in measures.items():
        long[name] = values.ravel()  # row-major: slice by slice, items in order within each
    return long


def in_item_order(table: pd.DataFrame, by: Sequence[str], items: Sequence[ShareItem]) -> pd.DataFrame:
    """Rows sorted by slice, then by the items' order in the questionnaire."""
    order = {item.code: position for position, item in enumerate(items)}
    table = table.sort_values([*by, "item"], key=lambda s: s.map(order) if s.name == "item" else s, kind="stable")
    return table.reset_index(drop=True)


def regroup(counts: pd.DataFrame, by: Sequence[str], items: Sequence[ShareItem]) -> pd.DataFrame:
    """Counts of finer slices summed into the slices ``by`` (counts add up; indices do not)."""
    summed = counts.groupby([*by, "item"], sort=False)[list(COUNT_COLUMNS)].sum().reset_index()
    return in_item_order(summed, by, items)


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
    The standard error of each member is its ``se`` column when it has one (a mean of this
    function: its interval is clipped to 0–100, its standard error is not), else its
    interval's half-width / 1.96; the mean's variance is the weighted sum of the members'
    variances (as if independent). The result carries its own ``se`` for the next level.
    """
    half_width_se = (table["ci_high"] - table["ci_low"]) / (2 * Z_95)
    frame = table.assign(
        _weight=member_weight.to_numpy(dtype=float),
        _se=table["se"] if "se" in table.columns else half_width_se,
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
        result["se"] = np.sqrt(result["_wse2"]) / weight
    result["ci_low"] = (result["index"] - Z_95 * result["se"]).clip(0, 100)
    result["ci_high"] = (result["index"] + Z_95 * result["se"]).clip(0, 100)
    return result.drop(columns=["_w", "_wx", "_wse2"])
