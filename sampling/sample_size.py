"""How many to ask: Slovin's formula with the methodology's bounds (METHODOLOGY.md section 3)."""

from __future__ import annotations

import math
from fractions import Fraction

from sampling._checks import check_count


def slovin_sample_size(population: int, margin_of_error: float = 0.05, minimum: int = 30) -> int:
    """Sample size n = N / (1 + N·e²), rounded up, at least ``minimum`` and at most N.

    Rounding is upwards, so the margin of error of the sample is at most ``e``; the formula
    is computed in exact fractions (``e`` is read from its decimal text), so a float such as
    0.05 never tips a whole result to the next integer. A frame of ``minimum`` people or fewer
    is asked whole (a census). The defaults are the methodology's: e = 0.05 (Ministry of Home
    Affairs training material) and a floor of 30 (a **DEFAULT**: a campaign setting).

    >>> slovin_sample_size(1000)
    286
    >>> slovin_sample_size(400), slovin_sample_size(40), slovin_sample_size(20), slovin_sample_size(0)
    (200, 37, 20, 0)
    >>> slovin_sample_size(1000, margin_of_error=0.1, minimum=100)
    100
    >>> slovin_sample_size(1000, margin_of_error=5)
    Traceback (most recent call last):
    ...
    ValueError: margin_of_error must lie strictly between 0 and 1, got 5
    """
    check_count("population", population)
    check_count("minimum", minimum, minimum=1)
    if isinstance(margin_of_error, bool) or not 0 < margin_of_error < 1:  # also refuses NaN
        raise ValueError(f"margin_of_error must lie strictly between 0 and 1, got {margin_of_error!r}")
    error = Fraction(str(margin_of_error))
    exact = Fraction(population) / (1 + population * error * error)
    return min(population, max(minimum, math.ceil(exact)))
