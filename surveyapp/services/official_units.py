"""The official lists of Vietnam's units, as shipped with the service.

Since 1 July 2025 local government has two levels: 34 provinces and centrally governed cities,
and 3,321 communes (2,621 *xã*, 687 *phường*, 13 *đặc khu*); districts no longer exist. Before,
there were 63 provinces, their districts and about 10,000 communes. Both lists, with their
official codes (2 digits for a province, 3 for a district, 5 for a commune), come from the
``vietnamadminunits`` package (MIT; README "Licence" says why this one). Loading goes through
``units.import_units``, so nothing a campaign used changes.
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
import importlib.metadata
import json
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from flask_babel import gettext as _

from surveyapp.services.units import UnitImportResult, import_units

REFORM_DAY = dt.date(2025, 7, 1)
PACKAGE = "vietnamadminunits"


class OfficialList(enum.Enum):
    """Which official list: today's two levels, or the three levels before the reform."""

    TWO_LEVEL = "2025"
    BEFORE_2025 = "before-2025"


# The levels of the list before the reform that today's list replaces: loading today's list
# with ``retire_missing`` retires those it no longer has.
REPLACED_KINDS = (
    "tỉnh",
    "thành phố trực thuộc trung ương",
    "quận",
    "huyện",
    "thị xã",
    "thành phố",
    "xã",
    "phường",
    "thị trấn",
    "đặc khu",
)
# The package's district and commune types, as kinds (the Vietnamese level, lower case).
_LEVEL_KINDS = frozenset(["quận", "huyện", "thị xã", "thành phố", "xã", "phường", "thị trấn", "đặc khu"])


class UnknownProvince(ValueError):
    """No province of the chosen list has the code given."""


def _province_kind(name: str) -> str:
    """``tỉnh`` or a centrally governed city, from the province's official name."""
    return "thành phố trực thuộc trung ương" if name.startswith("Thành phố ") else "tỉnh"


def official_units(which: OfficialList = OfficialList.TWO_LEVEL, province: str | None = None) -> list[dict[str, str]]:
    """The rows (``code``, ``name``, ``kind``, ``parent_code``) of an official list, provinces
    first, or of one province (by its code) with everything below it."""
    # Imported here: the package loads its address parsers too, which only a load needs.
    from vietnamadminunits.database import get_data

    districts = which is OfficialList.BEFORE_2025
    table = "admin_units_legacy" if districts else "admin_units"
    fields = ["provinceCode", "province", "wardCode", "ward", "wardType"]
    fields += ["districtCode", "district", "districtType"] if districts else []
    records = [r for r in get_data(fields=fields, table=table) if province is None or r["provinceCode"] == province]
    if province is not None and not records:
        raise UnknownProvince(province)
    rows: dict[str, dict[str, str]] = {}
    for record in sorted(records, key=lambda r: (r["provinceCode"], r.get("districtCode") or "", r["wardCode"] or "")):
        code = record["provinceCode"]
        rows.setdefault(code, _row(code, record["province"], _province_kind(record["province"]), ""))
        parent = code
        if districts:
            kind = _kind(record["districtType"])
            rows.setdefault(record["districtCode"], _row(record["districtCode"], record["district"], kind, parent))
            parent = record["districtCode"]
        if record["wardCode"] is None:  # an island district without communes (Lý Sơn, Côn Đảo...)
            continue
        kind = _kind(record["wardType"])
        rows.setdefault(record["wardCode"], _row(record["wardCode"], record["ward"], kind, parent))
    return list(rows.values())


def _kind(level: str) -> str:
    kind = level.lower()
    if kind not in _LEVEL_KINDS:
        raise ValueError(f"{PACKAGE}: unknown level {level!r}")
    return kind


def _row(code: str, name: str, kind: str, parent_code: str) -> dict[str, str]:
    return {"code": code, "name": name, "kind": kind, "parent_code": parent_code}


def load_official_units(
    which: OfficialList = OfficialList.TWO_LEVEL,
    province: str | None = None,
    *,
    effective: dt.date | None = None,
    retire_missing: bool = False,
) -> UnitImportResult:
    """Load an official list (or one province of it) with ``units.import_units``.

    Today's list takes effect on ``REFORM_DAY`` unless ``effective`` says otherwise; the list
    before the reform is loaded as history (valid from before the service knew it).
    ``retire_missing`` retires the current units of the replaced levels the list does not have
    (all of them, or those below the province loaded). Flushed, not committed; audited.
    """
    if effective is None and which is OfficialList.TWO_LEVEL:
        effective = REFORM_DAY
    rows = official_units(which, province)
    version = importlib.metadata.version(PACKAGE)
    return import_units(
        enumerate(rows, start=1),
        f"{PACKAGE} {version}: {which.value}" + (f", province {province}" if province else ""),
        effective=effective,
        retire_kinds=REPLACED_KINDS if retire_missing else (),
        retire_below=[province] if province and retire_missing else (),
    )


@functools.cache
def successors() -> dict[str, tuple[str, ...]]:
    """Each commune code of before 1 July 2025 → the code(s) of today's commune(s) it became
    part of: one when it was merged whole, several when it was split among them.

    Built from the package's name-keyed conversion table and its two lists (read once).
    """
    import vietnamadminunits  # see official_units: imported only when needed
    from vietnamadminunits.database import get_data

    table = json.loads((Path(vietnamadminunits.__file__).parent / "data" / "converter_2025.json").read_text("utf-8"))
    today = {
        (row["provinceKey"], row["wardKey"]): row["wardCode"]
        for row in get_data(fields=["provinceKey", "wardKey", "wardCode"], table="admin_units")
    }
    became: dict[str, set[str]] = defaultdict(set)
    for province, communes in table["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
        for commune, old_keys in communes.items():
            for old_key in old_keys:
                became[old_key].add(today[(province, commune)])
    for province, split in table["DICT_PROVINCE_WARD_DIVIDED"].items():
        for old_key, parts in split.items():
            became[old_key].update(today[(province, part["newWardKey"])] for part in parts)
    old = get_data(fields=["provinceKey", "districtKey", "wardKey", "wardCode"], table="admin_units_legacy")
    return {
        row["wardCode"]: tuple(sorted(became[f"{row['provinceKey']}_{row['districtKey']}_{row['wardKey']}"]))
        for row in old
        if row["wardCode"] and became.get(f"{row['provinceKey']}_{row['districtKey']}_{row['wardKey']}")
    }


@dataclass(frozen=True)
class ReadCode:
    """A unit code read from a file against the codes a campaign knows.

    ``code`` is the one to use: the code given, or, for a commune code of before the reform
    that the campaign does not know, today's commune it became (``converted_from`` then holds
    the old code). ``split_among`` lists today's communes of the campaign an old commune was
    split among: no one code can be chosen, the file must say which.
    """

    code: str
    converted_from: str | None = None
    split_among: tuple[str, ...] = ()


def read_unit_code(code: str, known: Collection[str]) -> ReadCode:
    """``code`` as a campaign whose unit codes are ``known`` reads it (see ``ReadCode``)."""
    if code in known or not code:
        return ReadCode(code)
    became = [new for new in successors().get(code, ()) if new in known]
    if len(became) == 1:
        return ReadCode(became[0], converted_from=code)
    return ReadCode(code, split_among=tuple(became)) if became else ReadCode(code)


def split_reason(read: ReadCode) -> str:
    """Why a file's old commune code cannot be read: it was split (see ``ReadCode``)."""
    return _(
        "mã đơn vị trước ngày 1/7/2025, nay chia cho các đơn vị %(codes)s: hãy ghi mã đơn vị mới",
        codes=", ".join(read.split_among),
    )
