"""Drawing the sample from a frame: systematic within each stratum, with a reserve list.

Selection is reproducible: the same frame (in the same order), quotas and recorded seed give
the same sample and the same reserves, on any machine and, as far as Python promises it, in
any later Python version. The seed is read as text (``2022`` and ``"2022"`` draw the same),
hashed with SHA-256 into a ``random.Random``, and only ``Random.random()`` is used: it is the
one method whose sequence Python guarantees not to change for a given seed. Each stratum draws
from its own seed, the SHA-256 of ``f"{seed}:{stratum key}"``, so adding or removing a
stratum changes no other stratum's sample.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Generic, TypeVar

from sampling._checks import check_count, check_seed

Record = TypeVar("Record")


@dataclass(frozen=True)
class Selection(Generic[Record]):
    """The records drawn from one stratum, in frame order, and the ordered reserve list.

    A refusal or an unreachable respondent is replaced by the first reserve not yet used.
    ``shortfall`` is how many the stratum lacked to meet its sample size (then everyone in
    it was selected and there is no reserve).
    """

    selected: tuple[Record, ...]
    reserve: tuple[Record, ...]
    shortfall: int = 0


def _rng(seed: int | str) -> random.Random:
    """A generator seeded from the text of ``seed``, the same on every machine and run."""
    return random.Random(int.from_bytes(hashlib.sha256(str(seed).encode("utf-8")).digest()[:8], "big"))


def _below(rng: random.Random, n: int) -> int:
    """A whole number in [0, n), from ``Random.random()`` only (see the module docstring)."""
    return min(int(rng.random() * n), n - 1)


def _systematic_positions(population: int, sample_size: int, start: int) -> list[int]:
    """Positions floor(r + i·k) for k = N / n = p / q and the random start r = start / q.

    ``start`` lies in [0, p), so r runs over [0, k) in steps of 1/q. Over the p possible
    starts each position is taken exactly q times: every record has the chance n / N.
    """
    step = Fraction(population, sample_size)
    return [(start + i * step.numerator) // step.denominator for i in range(sample_size)]


def select_systematic(
    frame: Sequence[Record], sample_size: int, seed: int | str, reserve_size: int = 0
) -> Selection[Record]:
    """A systematic sample of ``sample_size`` records of one stratum, with ``reserve_size`` reserves.

    The step is k = N / n, kept as a fraction (the fractional interval method), so the
    sample has exactly n records spread evenly over the whole frame and every record has the
    same chance n / N. From a random start r in [0, k) the records at positions
    floor(r + i·k), i = 0 … n-1, are taken; they come back in frame order. Sort the frame
    first (e.g. by return date) to spread the sample over that order too.

    The reserves are the records not selected, in a random order drawn after the start from
    the same generator (a Fisher–Yates shuffle), cut to ``reserve_size``. The sample does not
    depend on ``reserve_size``, and a longer reserve list only adds to the end of a shorter one.
    When n ≥ N everyone is selected, the reserve is empty and ``shortfall`` is n - N.

    >>> frame = [f"HS{n:03d}" for n in range(1, 101)]
    >>> drawn = select_systematic(frame, 10, seed="2022-08", reserve_size=3)
    >>> drawn.selected  # k = 10, random start 6.x: positions 6, 16, ..., 96
    ('HS007', 'HS017', 'HS027', 'HS037', 'HS047', 'HS057', 'HS067', 'HS077', 'HS087', 'HS097')
    >>> drawn.reserve, drawn.shortfall
    (('HS065', 'HS060', 'HS009'), 0)
    >>> drawn == select_systematic(frame, 10, seed="2022-08", reserve_size=3)
    True
    >>> select_systematic(["HS001", "HS002"], 5, seed=1, reserve_size=3)
    Selection(selected=('HS001', 'HS002'), reserve=(), shortfall=3)
    """
    check_count("sample_size", sample_size)
    check_count("reserve_size", reserve_size)
    check_seed(seed)
    population = len(frame)
    if sample_size >= population:
        return Selection(selected=tuple(frame), reserve=(), shortfall=sample_size - population)
    rng = _rng(seed)
    if sample_size == 0:
        positions: list[int] = []
    else:
        step = Fraction(population, sample_size)
        positions = _systematic_positions(population, sample_size, _below(rng, step.numerator))
    chosen = set(positions)
    others = [record for position, record in enumerate(frame) if position not in chosen]
    for last in range(len(others) - 1, 0, -1):
        swap = _below(rng, last + 1)
        others[last], others[swap] = others[swap], others[last]
    return Selection(selected=tuple(frame[p] for p in positions), reserve=tuple(others[:reserve_size]))


def select_stratified(
    frame: Sequence[Record],
    stratum_of: Callable[[Record], str],
    quotas: Mapping[str, int],
    seed: int | str,
    reserve_per_stratum: int = 0,
) -> dict[str, Selection[Record]]:
    """A systematic sample (see ``select_systematic``) in every stratum named by ``quotas``.

    ``stratum_of`` gives a record's stratum key. Records keep their frame order within a
    stratum; records of strata that ``quotas`` does not name are not drawn. Each stratum
    draws from its own seed derived from ``seed`` and its key, so its sample does not depend
    on the other strata. A stratum smaller than its quota is taken whole and reports the
    difference as its shortfall; a stratum with no record in the frame (say, a residential
    group where nobody completed a procedure in the period) reports its whole quota.

    >>> frame = [("T01", n) for n in range(40)] + [("T02", n) for n in range(5)]
    >>> drawn = select_stratified(frame, lambda record: record[0], {"T01": 10, "T02": 10}, seed="2022-08")
    >>> len(drawn["T01"].selected), drawn["T01"].shortfall, len(drawn["T02"].selected), drawn["T02"].shortfall
    (10, 0, 5, 5)
    """
    check_count("reserve_per_stratum", reserve_per_stratum)
    check_seed(seed)
    for key, quota in quotas.items():
        check_count(f"quotas[{key!r}]", quota)
    by_stratum: dict[str, list[Record]] = {key: [] for key in quotas}
    for record in frame:
        key = stratum_of(record)
        if key in by_stratum:
            by_stratum[key].append(record)
    return {
        key: select_systematic(records, quotas[key], stratum_seed(seed, key), reserve_per_stratum)
        for key, records in by_stratum.items()
    }


def stratum_seed(seed: int | str, stratum_key: str) -> str:
    """The seed a stratum draws from: SHA-256 of ``"{seed}:{stratum_key}"``, in hexadecimal.

    Stable across runs and machines (unlike ``hash()``), so a report can show it and anyone
    can repeat one stratum's draw with ``select_systematic``.

    >>> stratum_seed("2022-08", "21172-T01")[:16]
    'ff94c7c2871a9cb1'
    """
    check_seed(seed)
    return hashlib.sha256(f"{seed}:{stratum_key}".encode()).hexdigest()
