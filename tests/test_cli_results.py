"""The results CLI: the same exports as the page, and the response import."""

from __future__ import annotations

from openpyxl import load_workbook
from sqlalchemy import func, select

from surveyapp.extensions import db
from surveyapp.models import Response
from tests.web.test_results import WORKED_EXAMPLE_C3_1, field_verdicts, import_two_fields, set_targets, sipas_csv


def test_import_then_export_from_the_command_line(runner, make_campaign, ward, tmp_path):
    campaign = make_campaign(["SIPAS-2017"], [ward])
    source = tmp_path / "phieu.csv"
    source.write_bytes(sipas_csv([{"C3_1": value} for value in WORKED_EXAMPLE_C3_1]))
    result = runner.invoke(args=["import-responses", str(campaign.id), str(source)])
    assert result.exit_code == 0, result.output
    assert "Stored 120 response(s) (SIPAS-2017: 120)." in result.output

    result = runner.invoke(args=["export-results", str(campaign.id), "--output", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    (path,) = (tmp_path / "out").iterdir()
    assert path.name.startswith("khao-sat-thu_tat-ca-don-vi_chi-so-sipas_") and path.suffix == ".xlsx"
    items = load_workbook(path)["Chỉ số tiêu chí"]
    header = [cell.value for cell in items[1]]
    row = next(r for r in items.iter_rows(min_row=2, values_only=True) if r[2] == "Toàn bộ" and r[3] == "C3_1")
    assert round(row[header.index("Chỉ số (%)")] * 100, 2) == 82.76

    result = runner.invoke(
        args=[
            "export-results",
            str(campaign.id),
            "--what",
            "responses",
            "--format",
            "csv",
            "--output",
            str(tmp_path / "raw"),
        ]
    )
    (raw,) = (tmp_path / "raw").iterdir()
    assert raw.read_text(encoding="utf-8-sig").count("\n") == 121


def test_the_exported_indices_hold_a_target_field_against_its_own_target(
    runner, client, auth, officer, make_campaign, ward, tmp_path
):
    campaign = make_campaign(["SIPAS-2017"], [ward])
    auth.login("canbo")
    import_two_fields(client, campaign)
    set_targets(
        client, campaign, sipas_target="95", criterion_target="90", field_target="80", target_fields=["Đất đai"]
    )
    result = runner.invoke(args=["export-results", str(campaign.id), "--output", str(tmp_path)])
    assert result.exit_code == 0, result.output
    (path,) = tmp_path.iterdir()
    sheet = load_workbook(path)["SIPAS"]
    assert field_verdicts([list(row) for row in sheet.iter_rows(values_only=True)])["Đất đai"] == (0.8, "Có")


def test_a_bad_file_is_refused_with_its_rows_and_nothing_is_stored(runner, make_campaign, ward, tmp_path):
    campaign = make_campaign(["SIPAS-2017"], [ward])
    source = tmp_path / "phieu.csv"
    source.write_bytes(sipas_csv([{}, {"C1_1": "9"}]))
    result = runner.invoke(args=["import-responses", str(campaign.id), str(source)])
    assert result.exit_code == 1
    assert "line 3, column C1_1 ('9')" in result.output and "nothing stored" in result.output
    assert db.session.scalar(select(func.count()).select_from(Response)) == 0
    assert runner.invoke(args=["export-results", "999"]).exit_code == 1


def test_posters_of_every_collection_point_from_the_command_line(runner, app, make_campaign, ward, tmp_path):
    import zipfile

    campaign = make_campaign(["CX4"], [*ward.children])
    output = tmp_path / "posters.zip"
    result = runner.invoke(args=["export-posters", str(campaign.id), "--output", str(output)])
    assert result.exit_code == 0, result.output
    names = zipfile.ZipFile(output).namelist()
    assert sorted(names) == [f"{unit.code}_CX4.svg" for unit in sorted(ward.children, key=lambda u: u.code)]
    svg = zipfile.ZipFile(output).read(names[0]).decode()
    assert f"https://khaosat.example.vn/r/{campaign.id}/CX4/" in svg
    app.config["PUBLIC_BASE_URL"] = ""
    refused = runner.invoke(args=["export-posters", str(campaign.id), "--output", str(tmp_path / "x.zip")])
    assert refused.exit_code == 1 and "PUBLIC_BASE_URL" in refused.output
