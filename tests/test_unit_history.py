"""Units with a history: a new list (the July-2025 two-level units) changes nothing a campaign used.

After the reform, codes were reused for other units (10675 was Phường An Lưu and is now
Phường Kinh Môn) and districts disappeared. Loading such a list keeps every unit a campaign
was run with, its name and its parents, so past results, exports and pages read as before.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

from sqlalchemy import select

from surveyapp.demo import UNITS_CSV, load_demo
from surveyapp.extensions import db
from surveyapp.models import Campaign, Unit
from surveyapp.services.official_units import load_official_units
from surveyapp.services.results import exports
from surveyapp.services.results.indices import compute_results
from surveyapp.services.units import RenamedCode, import_units_csv
from surveyapp.tables import writing

HEADER = "code,name,kind,parent_code\n"
REFORM = dt.date(2025, 7, 1)
# Levels the two-level list replaces: a complete list of provinces and communes retires the
# districts and the communes it no longer has.
OLD_LEVELS = ("huyện", "thành phố", "thị xã", "xã", "phường", "thị trấn")


def current(code: str) -> Unit:
    return db.session.scalar(select(Unit).filter_by(code=code, valid_until=None))


def test_a_unit_a_campaign_used_is_kept_as_it_was_and_a_new_unit_takes_its_code(app, make_campaign) -> None:
    import_units_csv(UNITS_CSV)
    group = current("21172-T01")
    past = make_campaign(["CX4"], [group])
    result = import_units_csv(
        HEADER + "21172,Phường Kinh Môn,phường,51\n21172-T01,Tổ dân phố 1,tổ dân phố,21172\n",
        effective=REFORM,
    )
    # The ward is above the campaign's group: both are kept, and both codes get new units.
    assert result.kept == ("21172", "21172-T01")
    assert result.renamed == (RenamedCode("21172", "Phường Trương Quang Trọng", "Phường Kinh Môn"),)
    assert (result.added, result.updated, result.unchanged, result.retired) == (0, 0, 0, ())
    db.session.commit()
    db.session.expire_all()

    old_group = past.units[0]
    assert old_group.id == group.id and old_group.valid_until == REFORM
    assert [u.name for u in old_group.lineage()] == [
        "Tổ dân phố 1",
        "Phường Trương Quang Trọng",
        "Thành phố Quảng Ngãi",
        "Tỉnh Quảng Ngãi",
    ]
    ward = current("21172")
    assert ward.name == "Phường Kinh Môn" and ward.valid_from == REFORM and ward.parent.code == "51"
    assert [child.code for child in ward.children] == ["21172-T01"] and ward.children[0].id != group.id
    # The other groups were not in the file: they stay under the ward they belonged to.
    assert len(old_group.parent.children) == 12


def test_a_unit_no_campaign_used_changes_in_place(app, make_campaign) -> None:
    import_units_csv(UNITS_CSV)
    make_campaign(["CX4"], [current("21172-T01")])
    result = import_units_csv(HEADER + "21031,Phường Chánh Lộ mới,phường,522\n")
    assert (result.updated, result.kept) == (1, ())
    assert db.session.scalars(select(Unit).filter_by(code="21031")).all() == [current("21031")]


def test_a_complete_list_retires_the_levels_it_replaces(app, make_campaign) -> None:
    import_units_csv(UNITS_CSV)
    ward = current("21172")
    make_campaign(["SIPAS-2017"], [ward])
    result = import_units_csv(
        HEADER + "51,Tỉnh Quảng Ngãi,tỉnh,\n21172,Phường Trương Quang Trọng,phường,51\n",
        effective=REFORM,
        retire_kinds=OLD_LEVELS,
    )
    assert "522" in result.retired and "21031" in result.retired and "21172" not in result.retired
    assert all(current(code) is None for code in result.retired)
    assert result.kept == ("21172",)  # used, and now under the province: the campaign keeps the old one
    db.session.expire_all()
    assert ward.parent.code == "522" and ward.parent.valid_until == REFORM


def test_the_command_says_what_changed_and_which_codes_now_name_another_unit(app, runner, make_campaign, tmp_path):
    import_units_csv(UNITS_CSV)
    make_campaign(["CX4"], [current("21172-T01")])
    db.session.commit()
    reform = tmp_path / "don-vi-2025.csv"
    reform.write_text(HEADER + "51,Tỉnh Quảng Ngãi,tỉnh,\n21172,Phường Kinh Môn,phường,51\n", encoding="utf-8")
    result = runner.invoke(args=["load-units", str(reform), "--effective", "2025-07-01", "--retire-missing", "xã"])
    assert result.exit_code == 0, result.output
    assert "0 units added, 0 changed, 1 unchanged, 1 kept as they were for their campaigns" in result.output
    assert "21172: Phường Trương Quang Trọng → Phường Kinh Môn (the old one kept for its campaigns)" in result.output
    assert "retired: " in result.output and "21034" in result.output.split("retired: ")[1]


def two_level_list() -> str:
    """A July-2025-like list over the demo's units: provinces kept; every other commune code
    reused for a merged commune with another name, directly under its province; the rest gone."""
    with UNITS_CSV.open(encoding="utf-8") as seeds:
        rows = list(csv.DictReader(seeds))
    by_code = {row["code"]: row for row in rows}

    def province(row: dict[str, str]) -> str:
        while by_code[row["code"]]["parent_code"]:
            row = by_code[row["parent_code"]]
        return row["code"]

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["code", "name", "kind", "parent_code"])
    communes = [row for row in rows if row["kind"] in ("xã", "phường", "thị trấn")]
    for row in rows:
        if row["kind"] == "tỉnh":
            writer.writerow([row["code"], row["name"], "tỉnh", ""])
    for row in communes[::2]:
        writer.writerow([row["code"], f"Phường sáp nhập {row['code']}", "phường", province(row)])
    return out.getvalue()


def past_campaign_views(client) -> dict[str, bytes]:
    """Everything that shows a past campaign's units: indices and raw exports, results and campaign pages
    (but the list of campaigns to compare it with)."""
    seen = {}
    for campaign in db.session.scalars(select(Campaign)):
        for table in exports.indices_tables(compute_results(campaign)):
            lines = b"".join(writing.csv_chunks(table)).splitlines()
            computed_at = "Thời điểm tính".encode()  # the settings sheet's clock, not a unit
            seen[f"{campaign.id}-{table.key}"] = b"\n".join(line for line in lines if computed_at not in line)
        for questionnaire in campaign.questionnaires:
            seen[f"{campaign.id}-{questionnaire.code}"] = b"".join(
                writing.csv_chunks(exports.raw_table(campaign, questionnaire))
            )
        for page in ("results", ""):
            html = client.get(f"/admin/campaigns/{campaign.id}/{page}").get_data()
            html = re.sub(rb'name="csrf_token" value="[^"]+"', b"", html)
            # The list of campaigns to compare with grows with every new campaign: not a reading.
            html = re.sub(rb'<section class="card" id="year-on-year">.*?</section>', b"", html, flags=re.S)
            seen[f"{campaign.id}-page-{page}"] = re.sub(rb"\n\s*\n", b"\n", html)
    return seen


def test_loading_the_two_level_list_over_the_demo_leaves_past_campaigns_as_they_read(app, client, auth, officer):
    load_demo()
    db.session.commit()
    auth.login("canbo")
    before = past_campaign_views(client)
    assert any("Trương Quang Trọng".encode() in view for view in before.values())

    result = import_units_csv(two_level_list(), effective=REFORM, retire_kinds=OLD_LEVELS)
    db.session.commit()
    assert result.kept and result.renamed and result.retired  # the list did change used units
    db.session.expire_all()

    after = past_campaign_views(client)
    assert after.keys() == before.keys()
    assert [key for key in before if after[key] != before[key]] == []
    # ...while new campaigns see today's units only.
    form = client.get("/admin/campaigns/new").get_data(as_text=True)
    assert "Phường sáp nhập" in form and "Thành phố Quảng Ngãi" not in form


def test_loading_the_official_2025_list_over_the_demo_leaves_past_campaigns_as_they_read(
    app, client, auth, officer
) -> None:
    """The issue's check: the demo's 2020 and 2022 campaigns read as before after the official
    list, first the demo's own province of today, then the whole country."""
    load_demo(before_reform=True)
    db.session.commit()
    auth.login("canbo")
    before = past_campaign_views(client)

    load_demo()  # today's Quảng Ngãi from the official list, its centres and its 2026 campaigns
    db.session.commit()
    db.session.expire_all()
    # Trương Quang Trọng (21172) is now directly under the province: the 2022 campaigns keep
    # the ward under Quảng Ngãi city.
    assert current("21172").parent.code == "51" and current("522") is None
    with_todays_province = past_campaign_views(client)
    assert [key for key in before if with_todays_province[key] != before[key]] == []

    result = load_official_units(retire_missing=True)
    db.session.commit()
    assert result.renamed and result.retired  # other used codes now carry other names
    db.session.expire_all()
    after = past_campaign_views(client)
    assert [key for key in before if after[key] != before[key]] == []
