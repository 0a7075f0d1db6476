"""Many rows written to one table at once, the fastest way each database takes them.

A sampling frame of up to ``UPLOAD_MAX_ROWS`` records, each with its contact, is stored in
the request that uploads it, and must be stored well within a worker's 30 seconds
(gunicorn's timeout, after which the officer gets an error and nothing is stored). Through
SQLAlchemy, psycopg (our PostgreSQL driver) sends a many-row INSERT one statement per row,
and parses a thousand-row INSERT .. RETURNING anew each time: 100,000 records and contacts
took 21 s on PostgreSQL, against 4 s on SQLite, whose driver runs the same statements in C.
Through psycopg the rows go by COPY instead, and the new records' ids are taken from the
table's sequence beforehand (``bench/README.md``, "Importing a frame"); any other driver gets
SQLAlchemy's statements. Either way the rows are written in the connection's transaction,
committed or rolled back with it.

The values are those the driver takes as they are (numbers, text, dates): no column type's
bind processor runs here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlalchemy import Table, insert
from sqlalchemy.engine import Connection

from surveyapp.driver_statements import driver_cursor

Rows = Sequence[Mapping[str, object]]


def insert_rows(connection: Connection, table: Table, rows: Rows) -> None:
    """Insert ``rows`` (each a mapping of column name to value, all with the same columns)."""
    if not rows:
        return
    if not _copies(connection):
        connection.execute(insert(table), rows)
        return
    columns = list(rows[0])
    preparer = connection.dialect.identifier_preparer
    names = ", ".join(preparer.quote(column) for column in columns)
    with (
        driver_cursor(connection) as cursor,
        cursor.copy(f"COPY {preparer.format_table(table)} ({names}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row([row[column] for column in columns])


def insert_rows_returning_ids(connection: Connection, table: Table, rows: Rows) -> list[int]:
    """Insert ``rows`` into ``table`` (an integer ``id`` primary key it assigns); their ids, in order."""
    if not rows:
        return []
    if not _copies(connection):
        statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
        return list(connection.execute(statement, rows).scalars())
    with driver_cursor(connection) as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            (table.fullname, len(rows)),
        )
        ids = [id_ for (id_,) in cursor]
    insert_rows(connection, table, [{"id": id_, **row} for id_, row in zip(ids, rows, strict=True)])
    return ids


def _copies(connection: Connection) -> bool:
    """Whether ``connection``'s driver takes rows by PostgreSQL's COPY (psycopg's ``Cursor.copy``)."""
    return connection.dialect.name == "postgresql" and connection.dialect.driver == "psycopg"
