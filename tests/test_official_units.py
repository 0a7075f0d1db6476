"""The official unit lists shipped with the service: July-2025's two levels, and the three before."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from sqlalchemy import func, select

from surveyapp.extensions import db
from surveyapp.models import Unit
from surveyapp.services.official_units import (
    REFORM_DAY,
    OfficialList,
    UnknownProvince,
    load_official_units,
    official_units,
)


def current(code: str) -> Unit:
    return db.session.scalar(select(Unit).filter_by(code=code, valid_until=None))


def test_todays_list_has_34_provinces_and_3321_communes_with_their_kinds() -> None:
    rows = official_units()
    kinds = Counter(row["kind"] for row in rows)
    assert kinds["xã"] + kinds["phường"] + kinds["đặc khu"] == 3321
    assert (kinds["xã"], kinds["phường"], kinds["đặc khu"]) == (2621, 687, 13)
    assert kinds["tỉnh"] + kinds["thành phố trực thuộc trung ương"] == 34
    provinces = {row["code"] for row in rows if not row["parent_code"]}
    assert len(provinces) == 34 and all(row["parent_code"] in provinces for row in rows if row["parent_code"])
    by_code = {row["code"]: row for row in rows}
    assert by_code["10675"] == {"code": "10675", "name": "Phường Kinh Môn", "kind": "phường", "parent_code": "31"}
    assert by_code["01"]["kind"] == "thành phố trực thuộc trung ương" and by_code["51"]["kind"] == "tỉnh"


def test_the_list_before_the_reform_has_its_districts() -> None:
    rows = {row["code"]: row for row in official_units(OfficialList.BEFORE_2025, province="30")}
    assert rows["10675"] == {"code": "10675", "name": "Phường An Lưu", "kind": "phường", "parent_code": "292"}
    assert rows["292"] == {"code": "292", "name": "Thị xã Kinh Môn", "kind": "thị xã", "parent_code": "30"}


def test_an_unknown_province_is_refused() -> None:
    with pytest.raises(UnknownProvince):
        official_units(province="99")


def test_one_province_loads_with_its_communes_then_changes_nothing_on_a_second_load(app) -> None:
    result = load_official_units(province="51")
    assert result.added == 1 + 96 and current("21025").parent.code == "51"
    assert current("21025").valid_from == REFORM_DAY
    again = load_official_units(province="51")
    assert (again.added, again.updated, again.unchanged) == (0, 0, 97)


def test_todays_list_over_the_old_one_keeps_the_old_units_campaigns_used(app, make_campaign, runner) -> None:
    """A province that ran its 2024 survey on the old list loads the new one: 10675 now names
    another ward, and the old ward's campaign keeps An Lưu under Kinh Môn town."""
    load_official_units(OfficialList.BEFORE_2025, province="30")
    an_luu = current("10675")
    past = make_campaign(["SIPAS-2017"], [an_luu], opens_on=dt.date(2024, 8, 1), closes_on=dt.date(2024, 9, 30))
    db.session.commit()
    result = runner.invoke(args=["load-official-units", "--province", "31", "--retire-missing"])
    assert result.exit_code == 0, result.output
    assert "10675: Phường An Lưu → Phường Kinh Môn (the old one kept for its campaigns)" in result.output
    # Hải Dương (30) is no province of today's list: its old units were not below province 31,
    # so they stay current until the whole list is loaded with --retire-missing.
    everything = runner.invoke(args=["load-official-units", "--retire-missing"])
    assert everything.exit_code == 0, everything.output
    db.session.expire_all()
    assert [(unit.name, unit.valid_until) for unit in past.units[0].lineage()] == [
        ("Phường An Lưu", REFORM_DAY),
        ("Thị xã Kinh Môn", REFORM_DAY),
        ("Tỉnh Hải Dương", REFORM_DAY),
    ]
    assert current("10675").name == "Phường Kinh Môn" and current("292") is None and current("30") is None
    live = select(func.count()).select_from(Unit).where(Unit.valid_until.is_(None))
    assert db.session.scalar(live) == 34 + 3321
