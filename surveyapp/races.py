"""Two requests making the same first write at the same moment.

Two staff of a unit saving an item for the first time, or two appraisers appraising it, both
see no row yet and both insert one: the database keeps the first and refuses the second on
its unique constraint. The second request is then run again, once: it now sees the first's
row and changes it, as if it had come just after. Nothing typed is lost and nobody sees an
error page.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.exc import IntegrityError

from surveyapp.extensions import db

T = TypeVar("T")


def retried_after_a_race(write: Callable[[], T]) -> T:
    """``write()`` (a service call that flushes); when another request inserted the same row
    first, roll back and call it once more. A second refusal is not a race: it propagates."""
    try:
        return write()
    except IntegrityError:
        db.session.rollback()
        return write()
