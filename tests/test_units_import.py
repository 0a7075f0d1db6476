"""Loading the unit tree from CSV: all rows or none, every bad row named."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from surveyapp.extensions import db
from surveyapp.models import Unit
from surveyapp.services.demo import UNITS_CSV
from surveyapp.services.tabular import RowProblem
from surveyapp.services.units import UnitImportError, import_units_csv

HEADER = "code,name,kind,parent_code\n"


def unit_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Unit))


def test_the_seed_units_load_as_a_tree(app) -> None:
    result = import_units_csv(UNITS_CSV)
    assert result.added == 141 and result.updated == 0
    group = db.session.scalar(select(Unit).filter_by(code="W21172-T12"))
    assert group.kind == "tổ dân phố"
    assert group.parent.name == "Phường Trương Quang Trọng"
    assert group.parent.parent.parent.code == "P51"
    district = db.session.scalar(select(Unit).filter_by(code="D455"))
    assert sum(child.kind == "phòng chuyên môn" for child in district.children) == 13


def test_importing_again_updates_and_never_duplicates(app) -> None:
    import_units_csv(UNITS_CSV)
    result = import_units_csv(HEADER + "W21172,Phường Trương Quang Trọng (mới),phường,D522\n")
    assert (result.added, result.updated) == (0, 1)
    assert unit_count() == 141
    assert db.session.scalar(select(Unit.name).filter_by(code="W21172")).endswith("(mới)")


def test_parents_may_come_after_their_children(app) -> None:
    import_units_csv(HEADER + "T1,Tổ 1,tổ dân phố,W1\nW1,Phường 1,phường,\n")
    assert db.session.scalar(select(Unit).filter_by(code="T1")).parent.code == "W1"


def test_every_bad_row_is_reported_and_nothing_is_stored(app) -> None:
    text = HEADER + (
        "W1,Phường 1,phường,\n"  # line 2: good
        "W2,,phường,\n"  # line 3: no name
        "W1,Phường lặp,phường,\n"  # line 4: code given twice
        "T1,Tổ 1,tổ dân phố,W9\n"  # line 5: unknown parent
        "A,Vòng A,xã,B\n"  # line 6: cycle
        "B,Vòng B,xã,A\n"  # line 7: cycle
    )
    with pytest.raises(UnitImportError) as refused:
        import_units_csv(text)
    assert refused.value.problems == [
        RowProblem(3, "name", "", "must not be empty"),
        RowProblem(4, "code", "W1", "already given on line 2"),
        RowProblem(5, "parent_code", "W9", "no unit has this code"),
        RowProblem(6, "parent_code", "B", "makes the unit its own ancestor"),
        RowProblem(7, "parent_code", "A", "makes the unit its own ancestor"),
    ]
    assert unit_count() == 0


def test_a_file_without_the_expected_header_is_refused(app) -> None:
    with pytest.raises(UnitImportError, match="column parent_code"):
        import_units_csv("code,name,kind\nW1,Phường 1,phường\n")
