"""Loading the unit tree from a CSV file (``code,name,kind,parent_code``), and the rule of unit codes.

A unit code is made of ASCII letters, digits, ``-``, ``_`` and ``.`` only (``W21172-T01``,
``000.00.21.H55``). Codes are trimmed and NFC-normalised first; anything else is refused, so
that look-alikes (a full-width ``Ｗ21172``, a zero-width space, ``A/B``) never become units
of their own.
"""

from __future__ import annotations

import csv
import io
import os
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import AuditAction, Unit
from surveyapp.services.audit import record_action
from surveyapp.tables.reading import RowProblem, RowsRejected, column_length

COLUMNS = ("code", "name", "kind", "parent_code")
REQUIRED = ("code", "name", "kind")
MAX_LENGTHS = {
    "code": column_length(Unit.code),
    "name": column_length(Unit.name),
    "kind": column_length(Unit.kind),
    "parent_code": column_length(Unit.code),
}
UNIT_CODE_CHARACTERS = "A-Z, a-z, 0-9, '-', '_', '.'"
_UNIT_CODE = re.compile(r"[A-Za-z0-9._-]+")


def normalise_unit_code(text: str) -> str:
    """A unit code as typed, trimmed and NFC-normalised: what ``is_unit_code`` judges."""
    return unicodedata.normalize("NFC", text.strip())


def is_unit_code(code: str) -> bool:
    """Whether ``code`` uses only the characters of unit codes (``UNIT_CODE_CHARACTERS``).

    >>> is_unit_code("W21172-T01"), is_unit_code("A/B"), is_unit_code("W21172\u200b"), is_unit_code("Ｗ21172")
    (True, False, False, False)
    """
    return bool(_UNIT_CODE.fullmatch(code))


class UnitImportError(RowsRejected):
    """The unit file has bad rows; nothing was stored. ``problems`` lists every one of them."""


@dataclass(frozen=True)
class UnitImportResult:
    """How many units an import added and updated."""

    added: int
    updated: int


def import_units_csv(source: str | os.PathLike[str] | bytes, file_name: str = "") -> UnitImportResult:
    """Load units from UTF-8 CSV (a BOM is allowed): a path, the file's bytes or its text.

    A ``str`` is the CSV text itself, unless it is a single line naming an existing file.
    ``file_name`` names the file in the audit log (a path's own name by default). See
    ``import_units`` for what is checked and stored.
    """
    if isinstance(source, str) and "\n" not in source and Path(source).is_file():
        source = Path(source)
    if isinstance(source, os.PathLike):
        file_name = file_name or Path(source).name
        source = Path(source).read_bytes()
    if isinstance(source, bytes):
        try:
            text = source.decode("utf-8")
        except UnicodeDecodeError as error:
            line = source[: error.start].count(b"\n") + 1
            raise UnitImportError([RowProblem(line, "", "", "not UTF-8 text: save the file as “CSV UTF-8”")]) from error
    else:
        text = source
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise UnitImportError([RowProblem(line, "", "", "contains a NUL character: save the file as “CSV UTF-8”")])
    reader = csv.DictReader(io.StringIO(text.removeprefix("\ufeff")))
    rows = []
    try:
        header = [name.strip() for name in reader.fieldnames or []]
        missing = [column for column in COLUMNS if column not in header]
        if missing:
            raise UnitImportError([RowProblem(1, column, "", "the header lacks this column") for column in missing])
        reader.fieldnames = header
        # line_num counts the physical lines read, blank ones included, so the numbers are
        # those an editor or a spreadsheet shows.
        rows.extend((reader.line_num, row) for row in reader)
    except csv.Error as error:
        raise UnitImportError([RowProblem(reader.line_num, "", "", f"not readable as CSV: {error}")]) from error
    return import_units(rows, file_name)


def import_units(rows: Iterable[tuple[int, Mapping[str | None, object]]], file_name: str = "") -> UnitImportResult:
    """Add or update units from ``(line number, row)`` pairs: all rows are stored, or none.

    Every bad row is reported, as a ``RowProblem`` (line, column, value, reason): an empty
    code, name or kind; a code or parent code outside ``UNIT_CODE_CHARACTERS``; a value longer
    than its column; more values than the header has
    columns; a code given twice in the file; a parent that exists neither in the file nor in
    the database; a parent chain that comes back to the unit (a cycle). Parents may come
    after their children. A unit whose code is already stored is updated (name, kind,
    parent), never duplicated. The load is recorded in the audit log with ``file_name``. The
    session is flushed, not committed.

    Raises ``UnitImportError`` when any row is bad.
    """
    problems: list[RowProblem] = []
    clean: dict[str, tuple[int, dict[str, str]]] = {}
    first_line: dict[str, int] = {}
    for line, raw in rows:
        row = {column: normalise_unit_code(str(raw.get(column) or "")) for column in COLUMNS}
        row_problems = [RowProblem(line, column, "", "must not be empty") for column in REQUIRED if not row[column]]
        row_problems += [
            RowProblem(line, column, row[column], f"a unit code has only the characters {UNIT_CODE_CHARACTERS}")
            for column in ("code", "parent_code")
            if row[column] and not is_unit_code(row[column])
        ]
        row_problems += [
            RowProblem(line, column, row[column], f"longer than {limit} characters")
            for column, limit in MAX_LENGTHS.items()
            if len(row[column]) > limit
        ]
        extra = raw.get(None)
        if extra:
            values = extra if isinstance(extra, list) else [extra]
            row_problems.append(
                RowProblem(
                    line,
                    "",
                    ",".join(str(value) for value in values),
                    f"more values than the {len(COLUMNS)} columns: quote a value that contains a comma",
                )
            )
        if row["code"] in first_line:
            row_problems.append(
                RowProblem(line, "code", row["code"], f"already given on line {first_line[row['code']]}")
            )
        elif row["code"]:
            first_line[row["code"]] = line
        problems += row_problems
        if not row_problems:
            clean[row["code"]] = (line, row)

    existing = {unit.code: unit for unit in db.session.scalars(select(Unit))}
    for code, (line, row) in clean.items():
        parent = row["parent_code"]
        # A parent on a bad line is in the file: that line's own problem is enough.
        if parent and parent not in first_line and parent not in existing:
            problems.append(RowProblem(line, "parent_code", parent, "no unit has this code, in the file or stored"))
        elif _has_cycle(code, clean, existing):
            problems.append(RowProblem(line, "parent_code", parent, "makes the unit its own ancestor (a cycle)"))
    if problems:
        raise UnitImportError(sorted(problems, key=lambda problem: problem.line))

    added = updated = 0
    for code, (_line, row) in clean.items():
        unit = existing.get(code)
        if unit is None:
            unit = existing[code] = Unit(code=code, name=row["name"], kind=row["kind"])
            db.session.add(unit)
            added += 1
        else:
            updated += 1
        unit.name, unit.kind = row["name"], row["kind"]
    for code, (_line, row) in clean.items():
        existing[code].parent = existing[row["parent_code"]] if row["parent_code"] else None
    db.session.flush()
    record_action(AuditAction.UNITS_LOADED, file=file_name, added=added, updated=updated)
    return UnitImportResult(added=added, updated=updated)


def _has_cycle(code: str, clean: dict[str, tuple[int, dict[str, str]]], existing: dict[str, Unit]) -> bool:
    """Whether following parents from ``code`` (the file's rows first) comes back to it."""
    seen = {code}
    current = code
    while True:
        if current in clean:
            current = clean[current][1]["parent_code"]
        else:
            parent = existing[current].parent if current in existing else None
            current = parent.code if parent else ""
        if not current:
            return False
        if current == code:
            return True
        if current in seen:
            # A cycle further up, not through this unit: its own rows report it.
            return False
        seen.add(current)


def get_unit_tree() -> list[tuple[Unit, int]]:
    """Every unit in tree order (each parent followed by its children), with its depth."""
    units = list(db.session.scalars(select(Unit).order_by(Unit.code)))
    children: dict[int | None, list[Unit]] = {}
    for unit in units:
        children.setdefault(unit.parent_id, []).append(unit)
    ordered: list[tuple[Unit, int]] = []

    def walk(parent_id: int | None, depth: int) -> None:
        for unit in children.get(parent_id, []):
            ordered.append((unit, depth))
            walk(unit.id, depth + 1)

    walk(None, 0)
    return ordered
