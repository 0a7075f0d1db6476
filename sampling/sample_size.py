"""How many to ask: Slovin's formula with the methodology's bounds."""

from __future__ import annotations

import math
from fractions import Fraction


def slovin_sample_size(population: int, margin_of_error: float = 0.05, minimum: int = 30) -> int:
    """Sample size n = N / (1 + N·e²), rounded up, at least ``minimum`` and at most N.

    Rounding up keeps the margin of error at or below ``e``. A frame of ``minimum`` people
    or fewer is asked whole (a census). The defaults are the methodology's: e = 0.05 (Ministry
    of Home Affairs training material) and a floor of 30.

    >>> slovin_sample_size(1000)
    286
    >>> slovin_sample_size(40), slovin_sample_size(31), slovin_sample_size(20), slovin_sample_size(0)
    (37, 30, 20, 0)
    """
    if population < 0:
        raise ValueError(f"population must not be negative, got {population}")
    if not 0 < margin_of_error < 1:
        raise ValueError(f"margin_of_error must lie strictly between 0 and 1, got {margin_of_error}")
    if minimum < 1:
        raise ValueError(f"minimum must be at least 1, got {minimum}")
    error = Fraction(str(margin_of_error))
    exact = Fraction(population) / (1 + population * error * error)
    return min(population, max(minimum, math.ceil(exact)))
