"""The remuneration sheet of seed 001: 10,000 đ per form and 200,000 đ per unit by default."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from tests.helpers import csrf_token_of, filled_form, submit


def test_the_sheet_pays_per_form_and_per_unit_as_a_table_and_a_workbook(client, auth, officer, make_campaign, ward):
    campaign = make_campaign(["CX4"], [*ward.children])
    definition = campaign.questionnaires[0].definition
    for unit_code, forms in (("21172-T01", 3), ("21172-T02", 1)):
        for _ in range(forms):
            submit(client, f"/r/{campaign.id}/CX4/{unit_code}", filled_form(definition))
    auth.login("canbo")

    html = client.get(f"/admin/campaigns/{campaign.id}/remuneration").get_data(as_text=True)
    assert '<td>Tổ dân phố 1</td><td class="num">3</td><td class="num">30.000</td><td class="num">200.000</td>' in html
    assert "Tổ dân phố 3" not in html, "units without forms are left out"

    workbook = load_workbook(io.BytesIO(client.get(f"/admin/campaigns/{campaign.id}/remuneration.xlsx").get_data()))
    rows = list(workbook["Thù lao"].iter_rows(values_only=True))
    assert rows[0] == (
        "Mã đơn vị",
        "Đơn vị",
        "Số phiếu",
        "Thù lao người trả lời (đ)",
        "Thù lao điều tra viên (đ)",
        "Tổng (đ)",
    )
    assert rows[1] == ("21172-T01", "Tổ dân phố 1", 3, 30000, 200000, 230000)
    assert rows[-1][1:] == ("Tổng cộng", 4, 40000, 400000, 440000)
    rates = list(workbook["Cách tính"].iter_rows(values_only=True))
    assert rates[1:] == [
        ("Đợt điều tra", campaign.name),
        ("Mức cho người trả lời (đ/phiếu)", 10000),
        ("Mức cho điều tra viên (đ/đơn vị)", 200000),
    ]


def test_rates_are_campaign_settings_checked_at_input(client, auth, officer, make_campaign, ward) -> None:
    campaign = make_campaign(["CX4"], [*ward.children])
    auth.login("canbo")
    url = f"/admin/campaigns/{campaign.id}/remuneration"
    token = csrf_token_of(client.get(url).get_data(as_text=True))
    refused = client.post(url, data={"csrf_token": token, "rate_per_form": "-5", "rate_per_unit": "200000"})
    assert "Từ 0 đến 100.000.000 đồng." in refused.get_data(as_text=True)
    client.post(url, data={"csrf_token": token, "rate_per_form": "15000", "rate_per_unit": "250000"})
    from surveyapp.extensions import db
    from surveyapp.models import Campaign

    db.session.expire_all()
    assert (
        db.session.get(Campaign, campaign.id).rate_per_form,
        db.session.get(Campaign, campaign.id).rate_per_unit,
    ) == (
        15000,
        250000,
    )
