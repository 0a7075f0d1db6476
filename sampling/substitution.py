"""Filling a quota from sub-groups in order of preference, reporting the substitution.

Seed 001, form CX4: "if there are not enough businesses or production units in the commune,
take additional citizens' opinions". The report must show the shortfall and how it was filled.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

from sampling._checks import check_count


@dataclass(frozen=True)
class Substitution:
    """How a quota was filled: read-only ``counts`` per sub-group, in order of preference.

    ``substituted`` is how many places of the preferred sub-group (the first) went to the
    others; ``unfilled`` is what even the substitutes could not cover. So
    ``sum(counts.values()) + unfilled == quota`` and ``shortfall == substituted + unfilled``.
    """

    quota: int
    counts: Mapping[str, int]
    substituted: int
    unfilled: int

    def __post_init__(self) -> None:
        object.__setattr__(self, "counts", MappingProxyType(dict(self.counts)))

    @property
    def preferred(self) -> str:
        """The sub-group the quota is meant for (the first of the order of preference)."""
        return next(iter(self.counts))

    @property
    def shortfall(self) -> int:
        """How many the preferred sub-group lacked, whether substituted or left unfilled."""
        return self.quota - self.counts[self.preferred]


def fill_quota(quota: int, available: Mapping[str, int], preference: Sequence[str]) -> Substitution:
    """Take the first sub-group of ``preference`` as far as it goes, then the next ones in turn.

    ``available`` gives how many of each sub-group can be asked (sub-groups it names that
    ``preference`` does not are not used).

    >>> result = fill_quota(30, {"business": 12, "citizen": 200}, ["business", "citizen"])
    >>> dict(result.counts), result.shortfall, result.substituted, result.unfilled
    ({'business': 12, 'citizen': 18}, 18, 18, 0)
    >>> result = fill_quota(30, {"business": 12, "citizen": 10}, ["business", "citizen"])
    >>> dict(result.counts), result.shortfall, result.substituted, result.unfilled
    ({'business': 12, 'citizen': 10}, 18, 10, 8)
    """
    check_count("quota", quota)
    if isinstance(preference, str) or not preference:
        raise ValueError("preference must be a sequence naming at least one sub-group")
    if len(set(preference)) != len(preference):
        raise ValueError("preference names a sub-group more than once")
    missing = [group for group in preference if group not in available]
    if missing:
        raise ValueError(f"available has no count for {', '.join(missing)}")
    for group in preference:
        check_count(f"available[{group!r}]", available[group])
    counts, left = {}, quota
    for group in preference:
        counts[group] = min(left, available[group])
        left -= counts[group]
    return Substitution(
        quota=quota,
        counts=counts,
        substituted=quota - counts[preference[0]] - left,
        unfilled=left,
    )
