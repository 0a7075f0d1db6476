"""Fixed SQL statements sent straight to the database driver, past SQLAlchemy's execution path.

A public submission runs the same five statements every time (the point's state, the
allowance, the receipt, the quota place, the response). Through ``Connection.execute`` each
cost several times what the database spent on it: the compiled cache's lookup, an execution
context, parameter processing and a result object, a fifth of the CPU of a submission
(``bench/README.md``). A ``DriverStatement`` is compiled once per dialect by SQLAlchemy, with
the bind processors of its columns' types (JSON, enums, dates), and then runs on the DBAPI
cursor of the connection it is given: in that connection's transaction, committed or rolled
back with it (``Session.commit``). What it gives back is the driver's cursor: plain tuples.

Only for statements with no ORM object involved, on a path measured hot. A driver error
reaches the caller as the driver raised it; a lost connection is invalidated first, as
SQLAlchemy's own execution path would, so that the pool does not hand it out again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.sql import ClauseElement


@dataclass(frozen=True)
class _Compiled:
    """A statement as one dialect's driver takes it."""

    sql: str
    # Parameter names in the order of the driver's placeholders; None when it takes names.
    positions: tuple[str, ...] | None
    # The values the statement holds itself (literals, a LIMIT).
    fixed: Mapping[str, object]
    # The bind processor of each parameter whose type converts its value (JSON, enum, date...).
    processors: Mapping[str, Callable[[Any], Any]]

    def parameters(self, values: Mapping[str, object]) -> Sequence[object] | Mapping[str, object]:
        """What the driver takes for ``values`` (by parameter name)."""
        values = {**self.fixed, **values}
        for name, process in self.processors.items():
            if name in values:
                values[name] = process(values[name])
        if self.positions is None:
            return values
        return tuple(values[name] for name in self.positions)


class DriverStatement:
    """``statement`` (a ``text()`` clause, or an INSERT of ``column_keys``) run on the driver."""

    def __init__(self, statement: ClauseElement, *, column_keys: Sequence[str] | None = None) -> None:
        self.statement = statement
        self.column_keys = list(column_keys) if column_keys is not None else None
        self._by_dialect: dict[str, _Compiled] = {}

    def execute(self, connection: Connection, parameters: Mapping[str, object]) -> Any:
        """Run the statement once in ``connection``'s transaction; the driver's cursor."""
        compiled = self._compiled(connection.dialect)
        return _run(connection, compiled.sql, compiled.parameters(parameters), many=False)

    def execute_many(self, connection: Connection, rows: Sequence[Mapping[str, object]]) -> Any:
        """Run the statement for each of ``rows`` in ``connection``'s transaction."""
        compiled = self._compiled(connection.dialect)
        return _run(connection, compiled.sql, [compiled.parameters(row) for row in rows], many=True)

    def _compiled(self, dialect: Dialect) -> _Compiled:
        compiled = self._by_dialect.get(dialect.name)
        if compiled is None:
            compiled = self._by_dialect[dialect.name] = _compile(self.statement, dialect, self.column_keys)
        return compiled


def _compile(statement: ClauseElement, dialect: Dialect, column_keys: list[str] | None) -> _Compiled:
    compiled = statement.compile(dialect=dialect, column_keys=column_keys)
    if "POSTCOMPILE" in compiled.string:
        raise ValueError(f"a statement with expanding or literal-rendered parameters: {compiled.string}")
    processors, fixed = {}, {}
    for name, bind in compiled.binds.items():
        processor = bind.type.dialect_impl(dialect).bind_processor(dialect)
        if processor is not None:
            processors[name] = processor
        if not bind.required and bind.value is not None:
            fixed[name] = bind.value
    positions = tuple(compiled.positiontup) if compiled.positional else None
    return _Compiled(compiled.string, positions, fixed, processors)


def _run(connection: Connection, sql: str, parameters: Any, *, many: bool) -> Any:
    """``sql`` on a new cursor of ``connection``'s driver connection; that cursor."""
    with driver_cursor(connection) as cursor:
        if many:
            cursor.executemany(sql, parameters)
        else:
            cursor.execute(sql, parameters)
    return cursor


@contextmanager
def driver_cursor(connection: Connection) -> Iterator[Any]:
    """A new cursor of ``connection``'s driver connection, in its transaction.

    A driver error raised inside reaches the caller as the driver raised it; a lost
    connection is invalidated first, as SQLAlchemy's own execution path would.
    """
    driver_connection = connection.connection.dbapi_connection
    cursor = driver_connection.cursor()
    try:
        yield cursor
    except connection.dialect.loaded_dbapi.Error as error:
        if connection.dialect.is_disconnect(error, driver_connection, cursor):
            connection.invalidate(error)
        raise
