"""Loading the unit tree from a CSV file (``code,name,kind,parent_code``), and the rule of unit codes.

A unit code is made of ASCII letters, digits, ``-``, ``_`` and ``.`` only (``21172-T01``,
``000.00.21.H55``). Codes are trimmed and NFC-normalised first; anything else is refused, so
that look-alikes (a full-width ``２１１７２``, a zero-width space, ``A/B``) never become units
of their own.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
import unicodedata
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import AuditAction, Campaign, Unit
from surveyapp.models.campaigns import campaign_units
from surveyapp.services.audit import record_action
from surveyapp.services.responses import local_today
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

    >>> is_unit_code("21172-T01"), is_unit_code("A/B"), is_unit_code("21172\u200b"), is_unit_code("２１１７２")
    (True, False, False, False)
    """
    return bool(_UNIT_CODE.fullmatch(code))


class UnitImportError(RowsRejected):
    """The unit file has bad rows; nothing was stored. ``problems`` lists every one of them."""


@dataclass(frozen=True)
class RenamedCode:
    """A code whose name changed: the same unit renamed, or a code a reform gave to another unit."""

    code: str
    before: str
    after: str


@dataclass(frozen=True)
class UnitImportResult:
    """What a load did.

    ``added`` new codes; ``updated`` units changed in place (no campaign had used them);
    ``unchanged`` units the file gave as they were; ``kept`` codes whose unit a campaign used
    and the file changed: that unit is retired as it was, kept for its campaigns, and a new
    unit takes the code; ``retired`` current units the file left out, of the kinds asked;
    ``renamed`` codes whose name changed (kept or updated).
    """

    added: int
    updated: int
    unchanged: int = 0
    kept: tuple[str, ...] = ()
    retired: tuple[str, ...] = ()
    renamed: tuple[RenamedCode, ...] = ()


def import_units_csv(
    source: str | os.PathLike[str] | bytes,
    file_name: str = "",
    *,
    effective: dt.date | None = None,
    retire_kinds: Collection[str] = (),
) -> UnitImportResult:
    """Load units from UTF-8 CSV (a BOM is allowed): a path, the file's bytes or its text.

    A ``str`` is the CSV text itself, unless it is a single line naming an existing file.
    ``file_name`` names the file in the audit log (a path's own name by default). See
    ``import_units`` for what is checked and stored, and for ``effective`` and ``retire_kinds``.
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
    return import_units(rows, file_name, effective=effective, retire_kinds=retire_kinds)


def import_units(
    rows: Iterable[tuple[int, Mapping[str | None, object]]],
    file_name: str = "",
    *,
    effective: dt.date | None = None,
    retire_kinds: Collection[str] = (),
    retire_below: Collection[str] = (),
) -> UnitImportResult:
    """Add or update units from ``(line number, row)`` pairs: all rows are stored, or none.

    Every bad row is reported, as a ``RowProblem`` (line, column, value, reason): an empty
    code, name or kind; a code or parent code outside ``UNIT_CODE_CHARACTERS``; a value longer
    than its column; more values than the header has
    columns; a code given twice in the file; a parent that exists neither in the file nor in
    the database; a parent chain that comes back to the unit (a cycle). Parents may come
    after their children. Codes and parent codes name current units (see ``Unit``).

    Nothing a campaign uses changes. A current unit the file gives differently (name, kind or
    parent) is updated in place when no campaign used it or a unit below it; otherwise it is
    retired as it was (``valid_until``: ``effective``, else today) and a new unit takes the
    code, valid from ``effective``; a used unit given under such a parent is renewed the same
    way, so that a past campaign's units keep their names and parents. Units the file does not
    give stay as they are, except that current units of a kind in ``retire_kinds`` are retired
    (a complete list of communes retires the communes it no longer has), only those below the
    current units of the codes ``retire_below`` when it is given (a list of one province's
    communes retires that province's old ones, not another's). New units are valid
    from ``effective`` (``None``: from before the service knew them). The load is recorded in
    the audit log with ``file_name``. The session is flushed, not committed.

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

    every_unit = {unit.id: unit for unit in db.session.scalars(select(Unit))}
    existing = {unit.code: unit for unit in every_unit.values() if unit.is_current}
    for code, (line, row) in clean.items():
        parent = row["parent_code"]
        # A parent on a bad line is in the file: that line's own problem is enough.
        if parent and parent not in first_line and parent not in existing:
            problems.append(RowProblem(line, "parent_code", parent, "no unit has this code, in the file or stored"))
        elif _has_cycle(code, clean, existing):
            problems.append(RowProblem(line, "parent_code", parent, "makes the unit its own ancestor (a cycle)"))
    if problems:
        raise UnitImportError(sorted(problems, key=lambda problem: problem.line))

    retirable = _retirable(existing, every_unit, retire_kinds, retire_below)
    result = _store(clean, existing, every_unit, effective, retirable)
    record_action(
        AuditAction.UNITS_LOADED,
        file=file_name,
        added=result.added,
        updated=result.updated,
        kept=list(result.kept),
        retired=list(result.retired),
    )
    return result


def _store(
    clean: dict[str, tuple[int, dict[str, str]]],
    current: dict[str, Unit],
    every_unit: dict[int, Unit],
    effective: dt.date | None,
    retirable: set[str],
) -> UnitImportResult:
    """Write checked rows over the ``current`` units (by code), keeping what campaigns use;
    retire the ``retirable`` codes the rows leave out."""
    used = _used_unit_ids(every_unit)

    def parent_code(unit: Unit) -> str:
        return every_unit[unit.parent_id].code if unit.parent_id is not None else ""

    def differs(unit: Unit, row: dict[str, str]) -> bool:
        return (unit.name, unit.kind, parent_code(unit)) != (row["name"], row["kind"], row["parent_code"])

    renewed = {code for code, (_line, row) in clean.items() if code in current and current[code].id in used}
    renewed = {code for code in renewed if differs(current[code], clean[code][1])}
    grown = True
    while grown:  # a used unit under a renewed parent is renewed too
        below = {
            code
            for code, (_line, row) in clean.items()
            if row["parent_code"] in renewed and code in current and current[code].id in used
        }
        grown = not below <= renewed
        renewed |= below

    retired_on = effective or local_today()
    for code in renewed:
        current[code].valid_until = retired_on
    db.session.flush()  # the old rows give up their codes before the new ones take them

    added = updated = unchanged = 0
    renamed = []
    for code, (_line, row) in clean.items():
        unit = current.get(code)
        if unit is not None and unit.name != row["name"]:
            renamed.append(RenamedCode(code, unit.name, row["name"]))
        if unit is None or code in renewed:
            current[code] = Unit(code=code, name=row["name"], kind=row["kind"], valid_from=effective)
            db.session.add(current[code])
            added += unit is None
        elif differs(unit, row):
            unit.name, unit.kind = row["name"], row["kind"]
            updated += 1
        else:
            unchanged += 1
    for code, (_line, row) in clean.items():
        current[code].parent = current[row["parent_code"]] if row["parent_code"] else None

    retired = sorted(code for code in retirable if code not in clean and current[code].is_current)
    for code in retired:
        current[code].valid_until = retired_on
    db.session.flush()
    return UnitImportResult(
        added=added,
        updated=updated,
        unchanged=unchanged,
        kept=tuple(sorted(renewed)),
        retired=tuple(retired),
        renamed=tuple(sorted(renamed, key=lambda change: change.code)),
    )


def _retirable(
    current: dict[str, Unit], every_unit: dict[int, Unit], kinds: Collection[str], below: Collection[str]
) -> set[str]:
    """Codes of the current units of ``kinds`` (under the current units ``below``, if given)."""
    if not below:
        return {code for code, unit in current.items() if unit.kind in kinds}
    scope = {current[code].id for code in below if code in current}
    found = set()
    for code, unit in current.items():
        above = unit.parent_id
        while above is not None and above not in scope:
            above = every_unit[above].parent_id
        if above is not None and unit.kind in kinds:
            found.add(code)
    return found


def _used_unit_ids(every_unit: dict[int, Unit]) -> set[int]:
    """Units a campaign was run with, and every unit above them (its results name them)."""
    used: set[int] = set()
    for unit_id in db.session.scalars(select(campaign_units.c.unit_id).distinct()):
        while unit_id is not None and unit_id not in used:
            used.add(unit_id)
            unit_id = every_unit[unit_id].parent_id
    return used


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


def get_unit_tree(campaign: Campaign | None = None) -> list[tuple[Unit, int]]:
    """Units in tree order (each parent followed by its children), with their depth: the
    current units, or those ``campaign`` was run with and every unit above them (as they were
    then, retired or not)."""
    if campaign is None:
        units = list(db.session.scalars(select(Unit).where(Unit.valid_until.is_(None)).order_by(Unit.code)))
    else:
        units = get_reporting_units(campaign)
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


def get_current_unit(code: str) -> Unit | None:
    """The current unit (not retired) whose code is ``code``, or ``None``."""
    return db.session.scalar(select(Unit).where(Unit.code == code, Unit.valid_until.is_(None)))


def get_reporting_units(campaign: Campaign) -> list[Unit]:
    """The units ``campaign`` was run with and every unit above them, in code order: what its
    results roll up to and name, as they were when it ran (retired since or not)."""
    chosen = {above.id: above for unit in campaign.units for above in unit.lineage()}
    return sorted(chosen.values(), key=lambda unit: unit.code)


def get_reporting_unit(campaign: Campaign, code: str) -> Unit | None:
    """The unit of ``get_reporting_units`` with ``code`` (the one the campaign knew by it)."""
    return next((unit for unit in get_reporting_units(campaign) if unit.code == code), None)
