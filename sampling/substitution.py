"""Filling a quota from sub-groups in order of preference, reporting the substitution.

Seed 001, form CX4: "if there are not enough businesses or production units in the commune,
take additional citizens' opinions".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Substitution:
    """How a quota was filled: ``counts`` per sub-group, in order of preference.

    ``substituted`` is how many places of the preferred sub-group went to the others;
    ``unfilled`` is what even the substitutes could not cover.
    """

    quota: int
    counts: Mapping[str, int]
    substituted: int
    unfilled: int


def fill_quota(quota: int, available: Mapping[str, int], preference: Sequence[str]) -> Substitution:
    """Take the first sub-group of ``preference`` as far as it goes, then the next ones.

    >>> result = fill_quota(30, {"business": 12, "citizen": 200}, ["business", "citizen"])
    >>> dict(result.counts), result.substituted, result.unfilled
    ({'business': 12, 'citizen': 18}, 18, 0)
    """
    if quota < 0:
        raise ValueError(f"quota must not be negative, got {quota}")
    if not preference:
        raise ValueError("preference must name at least one sub-group")
    if len(set(preference)) != len(preference):
        raise ValueError("preference names a sub-group more than once")
    missing = [group for group in preference if group not in available]
    if missing:
        raise ValueError(f"available has no count for {', '.join(missing)}")
    negative = [group for group in preference if available[group] < 0]
    if negative:
        raise ValueError(f"available must not be negative for {', '.join(negative)}")
    counts, left = {}, quota
    for group in preference:
        counts[group] = min(left, available[group])
        left -= counts[group]
    preferred = preference[0]
    return Substitution(
        quota=quota,
        counts=counts,
        substituted=quota - counts[preferred] - left,
        unfilled=left,
    )
