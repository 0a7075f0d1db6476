"""PAR campaigns of the two-level local government (since 1 July 2025), end to end: set up on
the campaign page over Quảng Ngãi's official communes (province 51) or departments, forms typed in
through the response import page, survey points per unit on the results page."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import Campaign, Unit
from surveyapp.services.official_units import load_official_units
from surveyapp.services.units import import_units_csv
from tests.helpers import csrf_token_of
from tests.web.test_results import upload

# Not in the official list: three departments of the province, and a residential group under
# each of two communes (Phường Cẩm Thành, Xã An Phú) where XA3 and XA4 forms are collected.
LOCAL_UNITS = """code,name,kind,parent_code
S51-NV,Sở Nội vụ,sở,51
S51-TC,Sở Tài chính,sở,51
S51-TP,Sở Tư pháp,sở,51
21025-TDP01,Tổ dân phố 1,tổ dân phố,21025
21034-T01,Thôn 1,thôn,21034
"""
# Per family: the assessed units (a commune of each kind: phường, xã, đặc khu), the answer every
# form gives about each, and where forms about a unit are collected when not at the unit itself.
FAMILIES = {
    "XA": {
        "forms": ["XA1", "XA2", "XA3", "XA4"],
        "answers": {"21025": "A", "21034": "B", "21548": "C"},
        "collected_at": {("XA3", "21025"): "21025-TDP01", ("XA4", "21034"): "21034-T01"},
        "also_in_campaign": ["21025-TDP01", "21034-T01"],
    },
    "SO": {
        "forms": ["SO1", "SO2", "SO3", "SO4"],
        "answers": {"S51-NV": "A", "S51-TC": "B", "S51-TP": "C"},
        "collected_at": {},
        "also_in_campaign": [],
    },
}
COEFFICIENTS = {"A": 1.0, "B": 0.6, "C": 0.2}
FORMS_PER_UNIT = 10  # the minimum of valid answers, so no figure is flagged


@pytest.fixture
def quang_ngai(app) -> dict[str, Unit]:
    """Today's Quảng Ngãi from the official list, with its departments and two residential groups."""
    load_official_units(province="51")
    import_units_csv(LOCAL_UNITS, "units.csv")
    db.session.commit()
    return {unit.code: unit for unit in db.session.scalars(select(Unit).where(Unit.valid_until.is_(None)))}


def create_campaign(client, questionnaires, codes: list[str], units: list[Unit]) -> Campaign:
    form = client.get("/admin/campaigns/new").get_data(as_text=True)
    today = dt.date.today()
    reply = client.post(
        "/admin/campaigns/new",
        data={
            "csrf_token": csrf_token_of(form),
            "name": "Điều tra xã hội học Chỉ số CCHC 2025",
            "year": str(today.year),
            "purpose": "par",
            "opens_on": (today - dt.timedelta(days=30)).strftime("%d/%m/%Y"),
            "closes_on": (today + dt.timedelta(days=30)).strftime("%d/%m/%Y"),
            "questionnaire_ids": [str(questionnaires[code].id) for code in codes],
            "unit_ids": [str(unit.id) for unit in units],
        },
    )
    assert reply.status_code == 302, reply.get_data(as_text=True)
    return db.session.scalar(select(Campaign).order_by(Campaign.id.desc()))


def typed_in_forms(client, campaign: Campaign, code: str, rows: list[tuple[str, str]]) -> bytes:
    """A CSV file in the import template's layout: one form per (unit code, answer to every rated
    question), from the questionnaire's first respondent group."""
    template = client.get(f"/admin/campaigns/{campaign.id}/import/template/{code}.csv")
    header = next(csv.reader(io.StringIO(template.get_data(as_text=True).removeprefix("\ufeff"))))
    definition = campaign.questionnaire_by_code(code).definition
    rated = [question.code for question in definition.questions if question.criterion]
    stream = io.StringIO()
    writer = csv.DictWriter(stream, fieldnames=header)
    writer.writeheader()
    for unit, answer in rows:
        head = {"Mẫu phiếu": code, "Mã đơn vị": unit, "Đối tượng": definition.respondent_groups[0].code}
        field = {"Lĩnh vực": definition.procedure_fields[0]} if definition.asks_procedure_field else {}
        writer.writerow(head | field | dict.fromkeys(rated, answer))
    return stream.getvalue().encode("utf-8")


def totals_row(page: str, family: str, unit: Unit) -> str:
    """The row of ``unit`` in the survey points table of the family ``family``."""
    table = page.split(f"Điểm điều tra xã hội học: {family}", 1)[1].split("</table>", 1)[0]
    rows = [row for row in table.split("<tr>") if f"{unit.name} ({unit.code})" in row]
    assert len(rows) == 1, table
    return rows[0]


@pytest.mark.parametrize("name", FAMILIES)
def test_a_family_of_2025_runs_over_todays_units_and_scores_each(
    client, questionnaires, quang_ngai, auth, officer, name
):
    family = FAMILIES[name]
    assessed = [quang_ngai[code] for code in family["answers"]]
    auth.login("canbo")
    campaign = create_campaign(
        client, questionnaires, family["forms"], assessed + [quang_ngai[c] for c in family["also_in_campaign"]]
    )

    for code in family["forms"]:
        rows = [
            (family["collected_at"].get((code, unit), unit), answer)
            for unit, answer in family["answers"].items()
            for _ in range(FORMS_PER_UNIT)
        ]
        response = upload(
            client,
            f"/admin/campaigns/{campaign.id}/import",
            "responses-responses_file",
            f"{code}.csv",
            typed_in_forms(client, campaign, code, rows),
        )
        assert response.status_code == 302, response.get_data(as_text=True)

    page = client.get(f"/admin/campaigns/{campaign.id}/results").get_data(as_text=True)
    definitions = [questionnaires[code].definition for code in family["forms"]]
    maximum = sum({s.code: s.max_points for d in definitions for s in d.methodology.subcriteria}.values())
    # Every form rates every unit: each unit's valid answers are all the family's rated questions.
    valid = FORMS_PER_UNIT * sum(1 for d in definitions for q in d.questions if q.criterion)
    title = " + ".join(family["forms"])
    for unit in assessed:
        points = maximum * COEFFICIENTS[family["answers"][unit.code]]
        row = totals_row(page, title, unit)
        assert f"<strong>{points:.2f}</strong>".replace(".", ",") in row
        assert f'<td class="num">{maximum:.2f}</td>'.replace(".", ",") in row
        assert f'<td class="num">{valid}</td>' in row  # no "thiếu": nothing is missing or flagged
    table = page.split(f"Điểm điều tra xã hội học: {title}", 1)[1].split("</table>", 1)[0]
    assert table.count("<tr>") == 1 + len(assessed)  # residential groups score their commune
