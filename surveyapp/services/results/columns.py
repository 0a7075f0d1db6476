"""Reading a million rows as a few columns: one aggregate query, one long string per column.

Fetching rows one tuple at a time makes the driver build a Python object for every value
(seven million for a million responses), which took longer than all the scoring. Here the
database concatenates each column over the matching rows (``group_concat`` in SQLite,
``string_agg`` in PostgreSQL) and returns one row; Python splits each string once, in C.
Every aggregate of one query sees the rows in the same order, so the columns stay aligned
(which order that is does not matter to callers that only count). Readers that need the rows
in order, a batch at a time (the raw export), use ``stream_plain_rows``: the driver's tuples
without ORM or type processing.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import NamedTuple

from sqlalchemy import ColumnElement, Select, String, Text, cast, func, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import GenericFunction

from surveyapp.extensions import db

# Joins the values of a column: the ASCII unit separator cannot occur in what is read this way
# (unit ids, codes of respondent groups, modes and procedure fields from questionnaire files, dates).
SEPARATOR = "\x1f"


class concatenated(GenericFunction):
    """``concatenated(text, separator)``: the values of ``text`` over the rows, joined."""

    type = Text()
    inherit_cache = True


@compiles(concatenated, "sqlite")
def _group_concat(element: concatenated, compiler, **kw) -> str:
    return f"group_concat({compiler.process(element.clauses, **kw)})"


@compiles(concatenated, "postgresql")
def _string_agg(element: concatenated, compiler, **kw) -> str:
    return f"string_agg({compiler.process(element.clauses, **kw)})"


class Columns(NamedTuple):
    """What ``read_columns`` read."""

    count: int  # rows read
    separated: list[list[str]]  # each separated column's values, as text
    joined: str  # the fixed-width values of the joined column, run together
    left_out: int  # rows left out because their joined value is NULL


def read_columns(
    separated: Sequence[ColumnElement], joined: ColumnElement[str], criteria: Sequence[ColumnElement[bool]]
) -> Columns:
    """The rows meeting ``criteria`` whose ``joined`` value is not NULL, a column at a time.

    ``separated`` values must not be NULL (wrap them in ``coalesce``).
    """
    present = joined.is_not(None)
    count, *texts, run, left_out = db.session.execute(
        select(
            func.count(joined),
            *(concatenated(cast(column, String), SEPARATOR).filter(present) for column in separated),
            concatenated(joined, ""),
            func.count() - func.count(joined),
        ).where(*criteria)
    ).one()
    if not count:
        return Columns(0, [[] for _ in separated], "", left_out or 0)
    columns = [text.split(SEPARATOR) for text in texts]
    if any(len(values) != count for values in columns):
        raise ValueError("a column read with read_columns holds its separator or a NULL value")
    return Columns(count, columns, run, left_out)


def stream_plain_rows(statement: Select, batch: int) -> Iterator[list[tuple]]:
    """The rows of ``statement`` as the database driver returns them, without ORM or type
    processing, ``batch`` at a time from one execution: for reading many rows in order, where
    ``read_columns`` does not fit. On PostgreSQL the rows wait in a server-side cursor, so
    memory holds one batch whatever the total; SQLite's cursor steps through the result."""
    connection = db.session.connection()
    sql = str(statement.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True}))
    driver = connection.connection.dbapi_connection
    cursor = driver.cursor(name="stream_plain_rows") if connection.dialect.name == "postgresql" else driver.cursor()
    try:
        cursor.execute(sql)
        while rows := cursor.fetchmany(batch):
            yield rows
    finally:
        cursor.close()
