"""SIPAS: item, element, part and overall satisfaction indices (METHODOLOGY.md section 5).

>>> import pandas as pd
>>> from scoring.settings import ShareItem, SipasElement, SipasPart, SipasSettings
>>> settings = SipasSettings(
...     questionnaire="DEMO", version=1,
...     satisfaction_items=(ShareItem("Q1", (1, 2, 3, 4, 5), (4, 5), (0,), element="1"),),
...     elements=(SipasElement("1", "Tiếp cận", "service"),), parts=(SipasPart("service", "Dịch vụ"),))
>>> result = compute_sipas(pd.DataFrame({"unit": ["X", "X", "X", "X"], "Q1": [5, 4, 2, 0]}), settings, by=["unit"])
>>> result.overall.round(2)[["unit", "index", "valid"]].to_dict("records")
[{'unit': 'X', 'index': 66.67, 'valid': 3}]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from scoring.schema import SchemaError, require_columns
from scoring.settings import ShareItem, SipasCombination, SipasSettings
from scoring.shares import add_share_index, regroup, slice_index, tally_shares, weighted_means


@dataclass(frozen=True)
class SipasResult:
    """The SIPAS tables of one slicing, and the settings they were computed with.

    Every table starts with the slice columns ``by``; every figure has the number of valid
    answers behind it (``valid``), its 95% interval and a ``flagged`` mark when it rests on
    fewer valid answers than the settings' minimum.
    """

    by: tuple[str, ...]
    items: pd.DataFrame
    elements: pd.DataFrame
    parts: pd.DataFrame
    overall: pd.DataFrame
    assessment: pd.DataFrame
    expectation: pd.DataFrame
    settings: dict[str, Any]


@dataclass(frozen=True)
class SipasCounts:
    """Answer counts per slice ``by`` and item, for the three kinds of SIPAS items.

    Counts add up, so counts of fine slices (unit × field × group …) give every coarser
    slicing without reading the responses again (``compute_sipas_from_counts``).
    """

    by: tuple[str, ...]
    satisfaction: pd.DataFrame
    assessment: pd.DataFrame
    expectation: pd.DataFrame


def count_sipas_answers(responses: pd.DataFrame, settings: SipasSettings, by: Sequence[str] = ()) -> SipasCounts:
    """Count the answers of ``responses`` (see ``scoring.schema``) per slice ``by`` and item."""
    by = tuple(by)
    all_items = (*settings.satisfaction_items, *settings.assessment_items, *settings.expectation_items)
    require_columns(responses, by, (item.code for item in all_items))
    slicing = slice_index(responses, by)
    return SipasCounts(
        by=by,
        satisfaction=tally_shares(responses, settings.satisfaction_items, by, slicing),
        assessment=tally_shares(responses, settings.assessment_items, by, slicing),
        expectation=tally_shares(responses, settings.expectation_items, by, slicing),
    )


def compute_sipas(responses: pd.DataFrame, settings: SipasSettings, by: Sequence[str] = ()) -> SipasResult:
    """Compute every SIPAS figure of ``responses`` (see ``scoring.schema``) per slice ``by``.

    - item index = 100 × satisfied / valid answers, with the mean score (1–5) of valid answers;
    - element index = weighted mean of its items' indices (equal weights by default);
    - part index (service delivery, policy) = weighted mean of its elements' indices;
    - SIPAS (``overall``) = the parts combined by ``settings.combination`` (``SipasCombination``):
      mean of the parts, their weighted mean, or the mean of all items pooled; with one part
      and no pooling, that part's index;
    - assessment index = % positive answers; expectation index = % top level.
    """
    return compute_sipas_from_counts(count_sipas_answers(responses, settings, by), settings, by)


def compute_sipas_from_counts(counts: SipasCounts, settings: SipasSettings, by: Sequence[str] = ()) -> SipasResult:
    """``compute_sipas`` from answer counts of the same or finer slices (``by`` ⊆ ``counts.by``)."""
    by = tuple(by)
    if not set(by) <= set(counts.by):
        raise SchemaError(f"counts per {', '.join(counts.by) or 'nothing'} cannot be sliced by {', '.join(by)}")
    minimum = settings.min_valid_answers

    def figures(table: pd.DataFrame, items: Sequence[ShareItem]) -> pd.DataFrame:
        # Counts of finer slices are summed first; counts of these very slices are used as they are.
        return add_share_index(table if counts.by == by else regroup(table, by, items), minimum)

    items = figures(counts.satisfaction, settings.satisfaction_items)
    item_element = {item.code: item.element for item in settings.satisfaction_items}
    item_weight = {item.code: item.weight for item in settings.satisfaction_items}
    items.insert(len(by), "element", items["item"].map(item_element))

    elements = weighted_means(items, by, "element", items["item"].map(item_weight))
    element_part = {element.code: element.part for element in settings.elements}
    element_weight = {element.code: element.weight for element in settings.elements}
    elements.insert(len(by), "part", elements["element"].map(element_part))
    elements = _in_settings_order(elements, by, "element", [element.code for element in settings.elements])

    parts = weighted_means(elements, by, "part", elements["element"].map(element_weight))
    parts = _in_settings_order(parts, by, "part", [part.code for part in settings.parts])
    overall = _combine(items, parts, by, settings).drop(columns=["_all"])

    return SipasResult(
        by=by,
        items=items,
        elements=elements.drop(columns="se"),
        parts=parts.drop(columns="se"),
        overall=overall.drop(columns="se"),
        assessment=figures(counts.assessment, settings.assessment_items),
        expectation=figures(counts.expectation, settings.expectation_items),
        settings=settings.to_record(),
    )


def sipas_points(max_points: float, sipas_index: float) -> float:
    """The PAR points a SIPAS index earns: maximum × SIPAS / 100 (METHODOLOGY.md section 5).

    >>> round(sipas_points(2.0, 85.11), 2)
    1.7
    """
    return max_points * sipas_index / 100


def _combine(items: pd.DataFrame, parts: pd.DataFrame, by: tuple[str, ...], settings: SipasSettings) -> pd.DataFrame:
    """SIPAS per slice by the settings' combination rule, with the interval of that rule.

    The parts' means carry their ``se`` (elements' variances added, as if independent); pooled
    items start again from the items' Wilson half-widths, added the same way, each item once.
    """
    if settings.combination is SipasCombination.POOLED_ITEMS:
        return weighted_means(items.assign(_all="SIPAS"), by, "_all", pd.Series(1.0, index=items.index))
    if settings.combination is SipasCombination.WEIGHTED_PARTS:
        part_weight = {part.code: part.weight for part in settings.parts}
        weights = parts["part"].map(part_weight)
    else:
        weights = pd.Series(1.0, index=parts.index)
    return weighted_means(parts.assign(_all="SIPAS"), by, "_all", weights)


def _in_settings_order(table: pd.DataFrame, by: tuple[str, ...], column: str, order: list[str]) -> pd.DataFrame:
    position = {code: n for n, code in enumerate(order)}
    return table.sort_values(
        [*by, column], key=lambda s: s.map(position) if s.name == column else s, kind="stable"
    ).reset_index(drop=True)
