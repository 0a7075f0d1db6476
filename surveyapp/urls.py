"""URL converters of the application."""

from __future__ import annotations

from typing import Any

from werkzeug.routing import IntegerConverter, Map

# The largest value of the database's INTEGER (PostgreSQL's 4-byte ``integer``): every id fits.
MAX_ID = 2**31 - 1


class BoundedIntConverter(IntegerConverter):
    """``<int:...>`` that matches only ids the database can hold, so a huge number is a 404.

    Without the bound, ``/r/99999999999999999999/CX4`` reaches the database, which fails with
    an overflow (a 500 page) instead of finding nothing.
    """

    def __init__(self, url_map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(url_map, *args, **kwargs)
