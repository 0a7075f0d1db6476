"""Argument checks shared by the public functions: each error names the argument at fault."""

from __future__ import annotations


def check_count(name: str, value: object, minimum: int = 0) -> int:
    """``value`` as a count of people or forms: an ``int`` (not a ``bool``) of at least ``minimum``.

    >>> check_count("total", 12)
    12
    >>> check_count("total", 2.5)
    Traceback (most recent call last):
    ...
    TypeError: total must be a whole number, got 2.5
    """
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be a whole number, got {value!r}")
    if value < minimum:
        bound = "must not be negative" if minimum == 0 else f"must be at least {minimum}"
        raise ValueError(f"{name} {bound}, got {value}")
    return value


def check_seed(seed: object) -> int | str:
    """A recorded seed: an ``int`` or a non-empty ``str`` (``None`` would mean "unrecorded").

    >>> check_seed("2022-08")
    '2022-08'
    >>> check_seed("")
    Traceback (most recent call last):
    ...
    ValueError: seed must not be empty
    """
    if isinstance(seed, bool) or not isinstance(seed, int | str):
        raise TypeError(f"seed must be an int or a str, got {seed!r}")
    if seed == "":
        raise ValueError("seed must not be empty")
    return seed
