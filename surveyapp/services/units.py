"""Loading the unit tree from a CSV file (``code,name,kind,parent_code``)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import Unit
from surveyapp.services.tabular import RowProblem, RowsRejected

COLUMNS = ("code", "name", "kind", "parent_code")
MAX_LENGTHS = {"code": 40, "name": 200, "kind": 60, "parent_code": 40}


class UnitImportError(RowsRejected):
    """The unit file has bad rows; nothing was stored."""


@dataclass(frozen=True)
class UnitImportResult:
    """How many units an import added and updated."""

    added: int
    updated: int


def import_units_csv(source: str | Path) -> UnitImportResult:
    """Load units from a UTF-8 CSV file (a path, or the text itself); see ``import_units``."""
    text = Path(source).read_text(encoding="utf-8-sig") if isinstance(source, Path) else source.lstrip("\ufeff")
    reader = csv.DictReader(io.StringIO(text))
    missing = [column for column in COLUMNS if column not in (reader.fieldnames or [])]
    if missing:
        raise UnitImportError([RowProblem(1, column, "", "the header lacks this column") for column in missing])
    return import_units([(line, row) for line, row in enumerate(reader, start=2)])


def import_units(rows: list[tuple[int, dict[str, str | None]]]) -> UnitImportResult:
    """Add or update units from ``(line number, row)`` pairs; all rows or none.

    Every bad row is reported (empty or overlong values, a code twice in the file, a parent
    that exists neither in the file nor in the database, a cycle). Parents may come after
    their children. A unit whose code exists already is updated, never duplicated.
    """
    problems: list[RowProblem] = []
    clean: dict[str, tuple[int, dict[str, str]]] = {}
    for line, raw in rows:
        row = {column: (raw.get(column) or "").strip() for column in COLUMNS}
        row_problems = [
            RowProblem(line, column, row[column], "must not be empty")
            for column in ("code", "name", "kind")
            if not row[column]
        ]
        row_problems += [
            RowProblem(line, column, row[column], f"longer than {limit} characters")
            for column, limit in MAX_LENGTHS.items()
            if len(row[column]) > limit
        ]
        if row["code"] and row["code"] in clean:
            first_line = clean[row["code"]][0]
            row_problems.append(RowProblem(line, "code", row["code"], f"already given on line {first_line}"))
        problems += row_problems
        if not row_problems:
            clean[row["code"]] = (line, row)

    existing = {unit.code: unit for unit in db.session.scalars(select(Unit))}
    for code, (line, row) in clean.items():
        parent = row["parent_code"]
        if parent and parent not in clean and parent not in existing:
            problems.append(RowProblem(line, "parent_code", parent, "no unit has this code"))
        elif _has_cycle(code, clean, existing):
            problems.append(RowProblem(line, "parent_code", parent, "makes the unit its own ancestor"))
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
        if current in seen:
            return True
        seen.add(current)
