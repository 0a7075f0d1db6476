"""Loading the unit tree from CSV: all rows or none, every bad row named."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from surveyapp.demo import UNITS_CSV
from surveyapp.extensions import db
from surveyapp.models import Unit
from surveyapp.services.units import RenamedCode, UnitImportError, import_units_csv
from surveyapp.tables.reading import RowProblem

HEADER = "code,name,kind,parent_code\n"
SEED_UNITS = 141


def unit_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Unit))


def unit(code: str) -> Unit:
    """The current unit of ``code``."""
    return db.session.scalar(select(Unit).filter_by(code=code, valid_until=None))


def seed_rows(*codes: str) -> dict[str, str]:
    """Lines of the seed file, by unit code."""
    lines = UNITS_CSV.read_text(encoding="utf-8").splitlines()
    return {line.split(",", 1)[0]: line for line in lines[1:] if line.split(",", 1)[0] in codes}


def test_the_seed_units_load_as_a_tree(app) -> None:
    result = import_units_csv(UNITS_CSV)
    assert (result.added, result.updated) == (SEED_UNITS, 0)
    assert unit_count() == SEED_UNITS
    group = unit("21172-T12")
    assert group.kind == "tổ dân phố"
    assert group.parent.code == "21172" and group.parent.name == "Phường Trương Quang Trọng"
    assert group.parent.parent.parent.code == "51"
    assert len(unit("21172").children) == 12
    district = unit("455")
    assert sum(child.kind == "phòng chuyên môn" for child in district.children) == 13


def test_importing_again_updates_and_never_duplicates(app) -> None:
    import_units_csv(UNITS_CSV)
    again = import_units_csv(UNITS_CSV)
    assert (again.added, again.updated, again.unchanged) == (0, 0, SEED_UNITS)
    changed = import_units_csv(HEADER + "21172,Phường Trương Quang Trọng (mới),phường,455\nW1,Phường mới,phường,522\n")
    assert (changed.added, changed.updated, changed.kept) == (1, 1, ())  # no campaign used 21172
    assert changed.renamed == (RenamedCode("21172", "Phường Trương Quang Trọng", "Phường Trương Quang Trọng (mới)"),)
    assert unit_count() == SEED_UNITS + 1
    ward = unit("21172")
    assert ward.name.endswith("(mới)") and ward.parent.code == "455"
    assert len(ward.children) == 12


def test_parents_may_come_after_their_children(app) -> None:
    import_units_csv(HEADER + "T1,Tổ 1,tổ dân phố,W1\nW1,Phường 1,phường,P1\nP1,Tỉnh 1,tỉnh,\n")
    assert unit("T1").parent.parent.code == "P1"


def test_a_path_given_as_text_bytes_and_a_byte_order_mark_are_read(app, tmp_path: Path) -> None:
    csv_file = tmp_path / "units.csv"
    csv_file.write_bytes(b"\xef\xbb\xbf" + (HEADER + "W1,Phường 1,phường,\n").encode())
    assert import_units_csv(str(csv_file)).added == 1
    assert import_units_csv(csv_file.read_bytes()).unchanged == 1
    assert import_units_csv("\ufeff" + HEADER + "W2,Phường 2,phường,W1\n").added == 1


def test_every_bad_row_of_a_broken_copy_of_the_seed_is_reported_and_nothing_is_stored(app) -> None:
    seed = seed_rows("455", "455-PB01", "21172-T01")
    text = HEADER + "\n".join(
        [
            seed["455"].replace("Huyện Bố Trạch", ""),  # line 2: no name
            seed["455-PB01"],  # line 3: its parent 455 is on a bad line: not reported again
            seed["455-PB01"],  # line 4: code given twice
            seed["21172-T01"],  # line 5: its ward is neither in the file nor stored
            "W1,Phường 1,phường,W2",  # line 6: cycle
            "W2,Phường 2,phường,W1",  # line 7: cycle
            "W3,Phường 3, Thành phố Quảng Ngãi,phường,",  # line 8: an unquoted comma
            f"{'X' * 41},Tổ quá dài,tổ dân phố,",  # line 9: code too long
            ",Không mã,xã,",  # line 10: no code
        ]
    )
    with pytest.raises(UnitImportError) as refused:
        import_units_csv(text)
    assert refused.value.problems == [
        RowProblem(2, "name", "", "must not be empty"),
        RowProblem(4, "code", "455-PB01", "already given on line 3"),
        RowProblem(5, "parent_code", "21172", "no unit has this code, in the file or stored"),
        RowProblem(6, "parent_code", "W2", "makes the unit its own ancestor (a cycle)"),
        RowProblem(7, "parent_code", "W1", "makes the unit its own ancestor (a cycle)"),
        RowProblem(8, "parent_code", "phường", "a unit code has only the characters A-Z, a-z, 0-9, '-', '_', '.'"),
        RowProblem(8, "", "", "more values than the 4 columns: quote a value that contains a comma"),
        RowProblem(9, "code", "X" * 41, "longer than 40 characters"),
        RowProblem(10, "code", "", "must not be empty"),
    ]
    assert "line 5, column parent_code ('21172')" in str(refused.value)
    assert unit_count() == 0


def test_a_bad_file_leaves_the_stored_units_as_they_were(app) -> None:
    import_units_csv(UNITS_CSV)
    with pytest.raises(UnitImportError):
        import_units_csv(HEADER + "21172,Tên mới,phường,522\nT1,Tổ 1,tổ dân phố,W404\n")
    db.session.expire_all()
    assert unit("21172").name == "Phường Trương Quang Trọng"
    assert unit_count() == SEED_UNITS


def test_a_cycle_through_stored_units_is_refused(app) -> None:
    import_units_csv(HEADER + "W1,Phường 1,phường,\nT1,Tổ 1,tổ dân phố,W1\n")
    with pytest.raises(UnitImportError) as refused:
        import_units_csv(HEADER + "W1,Phường 1,phường,T1\n")
    assert refused.value.problems == [RowProblem(2, "parent_code", "T1", "makes the unit its own ancestor (a cycle)")]


def test_a_file_without_the_expected_header_is_refused(app) -> None:
    with pytest.raises(UnitImportError) as refused:
        import_units_csv("code,name,kind\nW1,Phường 1,phường\n")
    assert refused.value.problems == [RowProblem(1, "parent_code", "", "the header lacks this column")]


def test_a_file_that_is_not_utf8_is_refused_naming_the_line(app) -> None:
    data = (HEADER + "W1,Phuong 1,phuong,\nW2,Đông Hà,thi xa,\n").encode("cp1258")  # saved by an old Excel
    with pytest.raises(UnitImportError) as refused:
        import_units_csv(data)
    assert refused.value.problems[0].line == 3
    assert "not UTF-8" in refused.value.problems[0].reason
