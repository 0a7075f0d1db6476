"""No file the service writes lets a spreadsheet run a name as a formula.

Campaign and unit names are typed by people; a name starting with ``=``, ``+``, ``-``, ``@``,
a tab or a carriage return is written with a leading apostrophe, in every CSV and workbook.
"""

from __future__ import annotations

import csv
import io
import zipfile

import pytest
from openpyxl import load_workbook

from surveyapp.extensions import db
from surveyapp.tables.formulas import FORMULA_PREFIXES
from tests.helpers import filled_form, submit

NAMES = ['=HYPERLINK("http://attacker.example","Bấm vào đây")', "+1", "-1", "@SUM(1)", "\t=1+1", "\r=1+1"]


def csv_fields(data: bytes) -> list[str]:
    return [field for row in csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")) for field in row]


def workbook_texts(data: bytes) -> list[str]:
    workbook = load_workbook(io.BytesIO(data))
    cells = [cell for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"], "no cell is a formula"
    return [cell.value for cell in cells if isinstance(cell.value, str)]


def zip_fields(data: bytes) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return [field for name in archive.namelist() for field in csv_fields(archive.read(name))]


@pytest.fixture
def hostile(client, auth, officer, make_campaign, ward):
    """A campaign and units named like formulas, with a response in each unit."""
    units = ward.children
    for unit, name in zip(units, NAMES[1:], strict=False):
        unit.name = name
    campaign = make_campaign(["CX4"], units)
    campaign.name = NAMES[0]
    db.session.commit()
    for unit in units:
        submit(client, f"/r/{campaign.id}/CX4/{unit.code}", filled_form(campaign.questionnaires[0].definition))
    auth.login("canbo")
    return campaign


@pytest.mark.parametrize(
    ("path", "read"),
    [
        ("export/indices.xlsx", workbook_texts),
        ("export/indices.zip", zip_fields),
        ("export/responses/CX4.csv", csv_fields),
        ("export/responses/CX4.xlsx", workbook_texts),
        ("remuneration.xlsx", workbook_texts),
    ],
)
def test_names_that_look_like_formulas_are_written_as_text(client, hostile, path, read) -> None:
    texts = read(client.get(f"/admin/campaigns/{hostile.id}/{path}").get_data())
    assert not [text for text in texts if text.startswith(FORMULA_PREFIXES)]
    assert [text for text in texts if text[1:].startswith(tuple(NAMES))], "the names are there, behind an apostrophe"
