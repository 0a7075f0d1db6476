"""Which target a figure is held against: one rule for the results page, the workbook, its CSV
files and the command line (``services.results.sipas_target``).

A field of procedures the officer names among the target fields is held against the field
target, not the SIPAS target; other fields, groups, modes and months against none.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile

import pytest
from openpyxl import load_workbook

from surveyapp.extensions import db
from tests.web.test_results import SIPAS_ITEMS, sipas_csv, upload

# 9 forms satisfied with everything and 1 dissatisfied with everything: 90% in "Đất đai",
# between its own 80% target and the campaign's 95%; "Hộ tịch" (no target of its own) 100%.
LAND_FORMS = [{"Lĩnh vực": "Đất đai"}] * 9 + [{"Lĩnh vực": "Đất đai"} | dict.fromkeys(SIPAS_ITEMS, 1)]
CIVIL_FORMS = [{"Lĩnh vực": "Hộ tịch"}] * 10


@pytest.fixture
def targeted(client, auth, officer, make_campaign, ward):
    """A SIPAS campaign with 20 forms, a 95% SIPAS target and an 80% target for "Đất đai"."""
    campaign = make_campaign(["SIPAS-2017"], [ward])
    campaign.sipas_target, campaign.field_target, campaign.target_fields = 95.0, 80.0, ["Đất đai"]
    db.session.commit()
    auth.login("canbo")
    sent = upload(
        client,
        f"/admin/campaigns/{campaign.id}/import",
        "responses-responses_file",
        "phieu.csv",
        sipas_csv(LAND_FORMS + CIVIL_FORMS),
    )
    assert sent.status_code == 302, sent.get_data(as_text=True)
    return campaign


def field_rows(rows: list[list]) -> dict[str, tuple]:
    """(target, met) of each field row of the workbook's SIPAS sheet, by field."""
    header = rows[0]
    slice_, value = header.index("Lát cắt"), header.index("Giá trị")
    target, met = header.index("Chỉ tiêu (%)"), header.index("Đạt chỉ tiêu")
    return {row[value]: (row[target], row[met]) for row in rows[1:] if row[slice_] == "Lĩnh vực"}


def test_the_page_holds_a_target_field_against_its_own_target(client, targeted) -> None:
    page = client.get(f"/admin/campaigns/{targeted.id}/results").get_data(as_text=True)
    land = re.search(r"<tr><td>Đất đai</td>.*?</tr>", page, re.DOTALL).group(0)
    civil = re.search(r"<tr><td>Hộ tịch</td>.*?</tr>", page, re.DOTALL).group(0)
    assert "90,00" in land and "Đạt" in land and "≥ 80,00" in land and "Chưa đạt" not in land
    assert "Đạt" not in civil and "≥" not in civil  # a field without a target of its own


def test_the_workbook_and_its_csv_files_hold_it_against_the_same_target(client, targeted) -> None:
    scope = f"/admin/campaigns/{targeted.id}/export/indices"
    workbook = load_workbook(io.BytesIO(client.get(f"{scope}.xlsx").data), read_only=True)
    rows = [list(row) for row in workbook["SIPAS"].iter_rows(values_only=True)]
    assert field_rows(rows) == {"Đất đai": (80, "Có"), "Hộ tịch": (None, None)}

    archive = zipfile.ZipFile(io.BytesIO(client.get(f"{scope}.zip").data))
    (name,) = [name for name in archive.namelist() if name.endswith("_sipas.csv")]
    table = list(csv.reader(io.StringIO(archive.read(name).decode("utf-8-sig"))))
    by_field = field_rows(table)
    assert by_field["Đất đai"][1] == "Có" and float(by_field["Đất đai"][0]) == 80
    assert by_field["Hộ tịch"] == ("", "")


def test_the_command_line_export_holds_it_against_the_same_target(runner, targeted, tmp_path) -> None:
    result = runner.invoke(args=["export-results", str(targeted.id), "--output", str(tmp_path)])
    assert result.exit_code == 0, result.output
    (path,) = tmp_path.iterdir()
    rows = [list(row) for row in load_workbook(path, read_only=True)["SIPAS"].iter_rows(values_only=True)]
    assert field_rows(rows)["Đất đai"] == (80, "Có")
