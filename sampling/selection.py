"""Drawing the sample from a frame: systematic within each stratum, with a reserve list.

Selection is reproducible: the same frame, quotas and recorded seed give the same sample and
the same reserves. Each stratum draws from its own seed, derived from the recorded seed and the
stratum's key (SHA-256, stable across Python runs), so adding a stratum changes no other.
"""

from __future__ import annotations

import hashlib
import math
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Generic, TypeVar

Record = TypeVar("Record")


@dataclass(frozen=True)
class Selection(Generic[Record]):
    """The records drawn from one stratum, in frame order, and the ordered reserve list.

    ``shortfall`` is how many the stratum lacked to meet its quota (everyone was taken).
    """

    selected: tuple[Record, ...]
    reserve: tuple[Record, ...]
    shortfall: int = 0


def _rng(seed: int | str) -> random.Random:
    """A generator seeded from the text of ``seed``, the same on every machine and run."""
    return random.Random(int.from_bytes(hashlib.sha256(str(seed).encode("utf-8")).digest()[:8], "big"))


def select_systematic(
    frame: Sequence[Record], sample_size: int, seed: int | str, reserve_size: int = 0
) -> Selection[Record]:
    """Systematic sample of ``sample_size`` records, with ``reserve_size`` reserves.

    The step is k = N / n (a fraction, so every record has the same chance n/N); from a
    random start r in [0, k) the records at positions floor(r + i·k) are taken. Reserves are
    the records not selected, in a random order drawn from the same seed: a refusal is
    replaced by the first reserve not yet used.

    >>> frame = [f"HS{n:03d}" for n in range(1, 101)]
    >>> picked = select_systematic(frame, 10, seed=2022, reserve_size=3)
    >>> len(picked.selected), len(picked.reserve), picked == select_systematic(frame, 10, seed=2022, reserve_size=3)
    (10, 3, True)
    """
    if sample_size < 0:
        raise ValueError(f"sample_size must not be negative, got {sample_size}")
    if reserve_size < 0:
        raise ValueError(f"reserve_size must not be negative, got {reserve_size}")
    population = len(frame)
    rng = _rng(seed)
    if sample_size >= population:
        return Selection(selected=tuple(frame), reserve=(), shortfall=sample_size - population)
    if sample_size == 0:
        positions: list[int] = []
    else:
        step = Fraction(population, sample_size)
        start = Fraction(rng.randrange(step.numerator), step.denominator)  # uniform over [0, k) in 1/n steps
        positions = [math.floor(start + i * step) for i in range(sample_size)]
    chosen = set(positions)
    others = [record for position, record in enumerate(frame) if position not in chosen]
    rng.shuffle(others)
    return Selection(selected=tuple(frame[p] for p in positions), reserve=tuple(others[:reserve_size]))


def select_stratified(
    frame: Sequence[Record],
    stratum_of: Callable[[Record], str],
    quotas: Mapping[str, int],
    seed: int | str,
    reserve_per_stratum: int = 0,
) -> dict[str, Selection[Record]]:
    """A systematic sample in every stratum named by ``quotas``, each from its own seed.

    Records keep their frame order within a stratum. A quota for a stratum that has no
    record in the frame selects nothing and reports the whole quota as its shortfall.

    >>> frame = [("T01", n) for n in range(40)] + [("T02", n) for n in range(5)]
    >>> drawn = select_stratified(frame, lambda r: r[0], {"T01": 10, "T02": 10}, seed="2022-08")
    >>> len(drawn["T01"].selected), len(drawn["T02"].selected), drawn["T02"].shortfall
    (10, 5, 5)
    """
    if reserve_per_stratum < 0:
        raise ValueError(f"reserve_per_stratum must not be negative, got {reserve_per_stratum}")
    negative = sorted(key for key, quota in quotas.items() if quota < 0)
    if negative:
        raise ValueError(f"quotas must not be negative, got one for {', '.join(negative)}")
    by_stratum: dict[str, list[Record]] = {key: [] for key in quotas}
    for record in frame:
        key = stratum_of(record)
        if key in by_stratum:
            by_stratum[key].append(record)
    return {
        key: select_systematic(records, quotas[key], _stratum_seed(seed, key), reserve_per_stratum)
        for key, records in by_stratum.items()
    }


def _stratum_seed(seed: int | str, stratum_key: str) -> str:
    return hashlib.sha256(f"{seed}:{stratum_key}".encode()).hexdigest()
