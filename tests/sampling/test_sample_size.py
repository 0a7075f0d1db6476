"""Slovin's sample size with the methodology's bounds."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sampling import slovin_sample_size


@pytest.mark.parametrize(
    "population, margin, minimum, expected",
    [
        (1000, 0.05, 30, 286),  # 1000 / 3.5 = 285.71, rounded up
        (400, 0.05, 30, 200),  # exactly 200: exact arithmetic, no float spill to 201
        (10_000, 0.05, 30, 385),  # 384.6
        (1_000_000, 0.05, 30, 400),  # tends to 1 / e² = 400
        (40, 0.05, 30, 37),  # 36.36
        (31, 0.05, 30, 30),  # 28.4, raised to the floor of 30
        (30, 0.05, 30, 30),  # census
        (20, 0.05, 30, 20),  # census: never more than the frame
        (0, 0.05, 30, 0),
        (1000, 0.1, 30, 91),  # 90.9
        (1000, 0.1, 100, 100),
    ],
)
def test_hand_calculated_sizes(population, margin, minimum, expected) -> None:
    assert slovin_sample_size(population, margin_of_error=margin, minimum=minimum) == expected


errors = st.sampled_from([0.01, 0.03, 0.05, 0.07, 0.1, 0.2])


@settings(max_examples=300, deadline=None)
@given(population=st.integers(0, 10**6), error=errors, minimum=st.integers(1, 100))
def test_the_size_is_slovin_rounded_up_within_its_bounds(population, error, minimum) -> None:
    n = slovin_sample_size(population, margin_of_error=error, minimum=minimum)
    e = Fraction(str(error))
    assert n == min(population, max(minimum, math.ceil(population / (1 + population * e * e))))
    assert min(population, minimum) <= n <= population
    assert n <= max(minimum, math.ceil(1 / (e * e)))
    if n:  # rounding up keeps the achieved margin, sqrt((N - n) / (N·n)), within e
        assert Fraction(population - n, population * n) <= e * e


@settings(max_examples=200, deadline=None)
@given(population=st.integers(0, 10**5), error=errors)
def test_a_larger_frame_never_gives_a_smaller_sample(population, error) -> None:
    assert slovin_sample_size(population, error) <= slovin_sample_size(population + 1, error)


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"population": -5}, ValueError, "population must not be negative, got -5"),
        ({"population": 12.5}, TypeError, "population must be a whole number"),
        ({"population": 100, "margin_of_error": 0}, ValueError, "margin_of_error must lie strictly between 0 and 1"),
        ({"population": 100, "margin_of_error": 1}, ValueError, "margin_of_error"),
        ({"population": 100, "margin_of_error": math.nan}, ValueError, "margin_of_error"),
        ({"population": 100, "minimum": 0}, ValueError, "minimum must be at least 1, got 0"),
    ],
)
def test_bad_arguments_are_named(kwargs, error, message) -> None:
    with pytest.raises(error, match=message):
        slovin_sample_size(**kwargs)


def test_the_defaults_are_a_five_percent_margin_and_a_floor_of_30() -> None:
    # e = 0.05: 1000 / (1 + 1000 · 0.0025) = 285.71 → 286; a frame of a million tends to 1 / e² = 400.
    assert slovin_sample_size(1000) == 286
    assert slovin_sample_size(1_000_000) == 400
    # The floor of 30: 31 / (1 + 31 · 0.0025) = 28.77 is raised to 30; 30 people or fewer are all asked.
    assert [slovin_sample_size(n) for n in (31, 30, 29)] == [30, 30, 29]
