"""Allocating a number of forms over strata (units, groups, fields, sub-groups).

Three methods (METHODOLOGY.md section 3): a fixed number per stratum, or a total shared in
proportion to the strata's populations with a minimum per stratum, either as a floor under
the proportional share (``allocate_proportional``) or given first with the rest shared in
proportion (``allocate_minimum_then_proportional``). Both keep the population as a cap and
round by largest remainder, so that the quotas always add up to the total exactly.

>>> plan = allocate_proportional(100, [Stratum("T01", 50), Stratum("T02", 30), Stratum("T03", 20)])
>>> dict(plan.quotas), plan.total
({'T01': 50, 'T02': 30, 'T03': 20}, 100)
>>> allocate_fixed([Stratum(f"PB{n:02d}") for n in range(1, 14)], per_stratum=56).total
728
"""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from types import MappingProxyType

from sampling._checks import check_count


class AllocationMethod(enum.Enum):
    """How a plan's quotas were decided."""

    FIXED_PER_STRATUM = "fixed"
    PROPORTIONAL = "proportional"
    MINIMUM_THEN_PROPORTIONAL = "minimum_then_proportional"


@dataclass(frozen=True)
class Stratum:
    """A group to allocate to: a unit, a respondent group, a field, a sub-group.

    ``population`` is its frame size, ``None`` when unknown (a fixed plan does not need it).
    ``minimum`` is the fewest forms a proportional plan gives it (lowered to its population
    when the stratum is smaller); a fixed plan does not use it.

    >>> Stratum("21172-T01", population=120, minimum=10)
    Stratum(key='21172-T01', population=120, minimum=10)
    """

    key: str
    population: int | None = None
    minimum: int = 0

    def __post_init__(self) -> None:
        if self.population is not None:
            check_count(f"population of stratum {self.key!r}", self.population)
        check_count(f"minimum of stratum {self.key!r}", self.minimum)


@dataclass(frozen=True)
class Allocation:
    """Quotas per stratum key, in the order the strata were given, and how they were made.

    ``quotas`` is read-only. ``capped`` names, in the same order, the strata held to their
    population: in a fixed plan, those smaller than the fixed quota (their quota was cut);
    in a proportional plan (either kind), those taken whole (a census of the stratum).
    """

    quotas: Mapping[str, int]
    method: AllocationMethod
    capped: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        object.__setattr__(self, "quotas", MappingProxyType(dict(self.quotas)))
        object.__setattr__(self, "capped", tuple(self.capped))

    @property
    def total(self) -> int:
        """The sum of the quotas."""
        return sum(self.quotas.values())


def _check_strata(strata: Sequence[Stratum]) -> None:
    if not all(isinstance(stratum, Stratum) for stratum in strata):
        raise TypeError("strata must be a sequence of Stratum")
    duplicates = sorted(key for key, count in Counter(stratum.key for stratum in strata).items() if count > 1)
    if duplicates:
        raise ValueError(f"strata: the key(s) {', '.join(duplicates)} appear more than once")


def allocate_fixed(strata: Sequence[Stratum], per_stratum: int) -> Allocation:
    """Give every stratum ``per_stratum`` forms (seed 001: "15 per commune").

    A stratum whose known population is smaller gets its whole population (a census) and is
    named in ``capped``; a stratum of unknown population gets ``per_stratum``.

    >>> plan = allocate_fixed([Stratum("A", 100), Stratum("B", 8), Stratum("C")], per_stratum=10)
    >>> dict(plan.quotas), plan.capped, plan.total
    ({'A': 10, 'B': 8, 'C': 10}, ('B',), 28)
    """
    check_count("per_stratum", per_stratum)
    _check_strata(strata)
    quotas, capped = {}, []
    for stratum in strata:
        quota = per_stratum
        if stratum.population is not None and stratum.population < per_stratum:
            quota = stratum.population
            capped.append(stratum.key)
        quotas[stratum.key] = quota
    return Allocation(quotas=quotas, method=AllocationMethod.FIXED_PER_STRATUM, capped=tuple(capped))


def allocate_proportional(total: int, strata: Sequence[Stratum]) -> Allocation:
    """Share ``total`` in proportion to the strata's populations, within their bounds.

    The minimum is a floor, not an addition: each stratum's exact share is
    ``max(λ·N, minimum)`` (a minimum above the population is lowered to it), with the one
    ``λ`` that makes the shares add up to ``total``. The strata above their floor thus keep
    exactly proportional shares, and the ones a proportional share would leave too small are
    raised to their minimum at the others' expense. Since ``total`` never exceeds the summed
    population, ``λ ≤ 1`` and no share exceeds its population, so the cap needs no second pass.

    Shares are rounded by largest remainder (Hamilton): every stratum gets the whole part of
    its share, and the forms left over go one each to the largest fractional parts (ties:
    the larger population, then the order given). Quotas therefore add up to ``total``
    exactly, each lies within one form of its exact share, and rounding never breaks a bound.

    >>> strata = [Stratum(key, size, minimum=1) for key, size in [("a", 1), ("b", 1), ("c", 1), ("d", 97)]]
    >>> dict(allocate_proportional(10, strata).quotas)
    {'a': 1, 'b': 1, 'c': 1, 'd': 7}
    >>> dict(allocate_proportional(100, [Stratum("x", 1000), Stratum("y", 100, minimum=30)]).quotas)
    {'x': 70, 'y': 30}
    >>> allocate_proportional(10, [Stratum("x", 1), Stratum("y", 1), Stratum("z", 1)])
    Traceback (most recent call last):
    ...
    ValueError: total 10 exceeds the strata's population of 3
    >>> allocate_proportional(5, [Stratum("x", 50, minimum=3), Stratum("y", 50, minimum=3)])
    Traceback (most recent call last):
    ...
    ValueError: total 5 is below the 6 forms that the strata's minimums need
    """
    populations, floors = _check_shared_total(total, strata)

    # Water-filling for λ: strata whose proportional share falls below their floor are fixed
    # at it and λ is recomputed over the rest. λ only decreases, so a stratum once at its
    # floor stays there, and each round fixes at least one more stratum or stops.
    at_floor: set[str] = set()
    while True:
        free_population = sum(size for key, size in populations.items() if key not in at_floor)
        rest = total - sum(floors[key] for key in at_floor)
        scale = Fraction(rest, free_population) if free_population else Fraction(0)
        below = {key for key in populations if key not in at_floor and scale * populations[key] < floors[key]}
        if not below:
            break
        at_floor |= below
    shares = {key: Fraction(floors[key]) if key in at_floor else scale * populations[key] for key in populations}
    return _rounded(total, strata, populations, shares, AllocationMethod.PROPORTIONAL)


def allocate_minimum_then_proportional(total: int, strata: Sequence[Stratum]) -> Allocation:
    """Give every stratum its minimum first, then share the rest in proportion to population.

    The minimum is an addition, not a floor: each stratum's exact share is
    ``min(m + λ·N, N)``, where ``m`` is its minimum lowered to its population ``N``, with the
    one ``λ`` that makes the shares add up to ``total``. While no stratum reaches its
    population, ``λ = (total − Σm) / ΣN``: the rest goes in proportion to the strata's *whole*
    populations ("theo tỷ lệ quy mô"), not to the people left after the minimums, so an
    officer can check it with the frame sizes alone. A stratum whose share
    would pass its population is taken whole (the cap), and what it cannot take goes to the
    others by the same rule: ``λ`` is recomputed over the strata not yet taken whole.
    ``λ ≤ 1`` always (at ``λ = 1`` every stratum is taken whole), and ``λ`` only grows as
    strata are capped, so a stratum once capped stays capped.

    Compared with ``allocate_proportional``, small strata get more and large ones less: a
    stratum's minimum comes on top of its proportional part instead of replacing it.

    Worked example: 100 forms over four residential groups of 600, 300, 90 and 10 people,
    minimum 10 each. The minimums take 4 × 10 = 40, the rest is 60, ``λ = 60 / 1000``:
    600 → 10 + 36 = 46, 300 → 10 + 18 = 28, 90 → 10 + 5.4 = 15.4, 10 → 10 + 0.6 = 10.6, more
    than its 10 people. That group is taken whole (10); the other three share
    100 − 10 − 30 = 60 by ``λ = 60 / 990``: 46.36, 28.18 and 15.45. Whole parts 46 + 28 + 15
    + 10 = 99; the form left goes to the largest fraction (.45), so the quotas are
    46, 28, 16, 10. (``allocate_proportional`` gives 53, 27, 10, 10.)

    >>> strata = [Stratum(key, size, minimum=10) for key, size in [("T1", 600), ("T2", 300), ("T3", 90), ("T4", 10)]]
    >>> plan = allocate_minimum_then_proportional(100, strata)
    >>> dict(plan.quotas), plan.capped, plan.method.value
    ({'T1': 46, 'T2': 28, 'T3': 16, 'T4': 10}, ('T4',), 'minimum_then_proportional')
    >>> dict(allocate_proportional(100, strata).quotas)
    {'T1': 53, 'T2': 27, 'T3': 10, 'T4': 10}

    Rounding, the order of ties and the errors are those of ``allocate_proportional``:

    >>> allocate_minimum_then_proportional(5, [Stratum("x", 50, minimum=3), Stratum("y", 50, minimum=3)])
    Traceback (most recent call last):
    ...
    ValueError: total 5 is below the 6 forms that the strata's minimums need
    >>> allocate_minimum_then_proportional(101, [Stratum("x", 50, minimum=3), Stratum("y", 50, minimum=3)])
    Traceback (most recent call last):
    ...
    ValueError: total 101 exceeds the strata's population of 100
    """
    populations, floors = _check_shared_total(total, strata)

    # Water-filling for λ from the other side: strata whose share would pass their population
    # are fixed at it and λ is recomputed over the rest. Capping a stratum hands the others
    # more than it held back, so λ only grows and a capped stratum stays capped.
    capped: set[str] = set()
    while True:
        free = [key for key in populations if key not in capped]
        free_population = sum(populations[key] for key in free)
        rest = total - sum(populations[key] for key in capped) - sum(floors[key] for key in free)
        scale = Fraction(rest, free_population) if free_population else Fraction(0)
        above = {key for key in free if floors[key] + scale * populations[key] > populations[key]}
        if not above:
            break
        capped |= above
    shares = {
        key: Fraction(populations[key]) if key in capped else floors[key] + scale * populations[key]
        for key in populations
    }
    return _rounded(total, strata, populations, shares, AllocationMethod.MINIMUM_THEN_PROPORTIONAL)


def _check_shared_total(total: int, strata: Sequence[Stratum]) -> tuple[dict[str, int], dict[str, int]]:
    """The populations and the floors (minimums lowered to the population) of a total to share."""
    check_count("total", total)
    _check_strata(strata)
    unknown = [stratum.key for stratum in strata if stratum.population is None]
    if unknown:
        raise ValueError(f"strata: proportional allocation needs the population of {', '.join(unknown)}")
    populations = {stratum.key: stratum.population or 0 for stratum in strata}
    floors = {stratum.key: min(stratum.minimum, populations[stratum.key]) for stratum in strata}
    available = sum(populations.values())
    if total > available:
        raise ValueError(f"total {total} exceeds the strata's population of {available}")
    if sum(floors.values()) > total:
        raise ValueError(f"total {total} is below the {sum(floors.values())} forms that the strata's minimums need")
    return populations, floors


def _rounded(
    total: int,
    strata: Sequence[Stratum],
    populations: Mapping[str, int],
    shares: Mapping[str, Fraction],
    method: AllocationMethod,
) -> Allocation:
    """Exact shares (adding up to ``total``, each within its bounds) rounded by largest remainder.

    Every stratum gets the whole part of its share, and the forms left over go one each to
    the largest fractional parts (ties: the larger population, then the order given). A bound
    that is a whole number is never crossed: a share at or above it keeps its whole part, and
    a share below it is rounded up at most to it.
    """
    quotas = {key: int(share) for key, share in shares.items()}
    order = {stratum.key: position for position, stratum in enumerate(strata)}
    by_remainder = sorted(shares, key=lambda key: (-(shares[key] - quotas[key]), -populations[key], order[key]))
    for key in by_remainder[: total - sum(quotas.values())]:
        quotas[key] += 1
    capped = tuple(key for key, quota in quotas.items() if quota == populations[key] and quota > 0)
    return Allocation(quotas=quotas, method=method, capped=capped)
