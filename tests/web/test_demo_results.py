"""The demo's province of today on its results pages: the 2026 SIPAS survey at the service
centres, its units ranked within their kind, those with too few forms listed without a rank."""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from surveyapp.demo import TODAYS_CAMPAIGNS, load_demo
from surveyapp.extensions import db
from surveyapp.models import AuditAction, AuditEntry, Campaign
from tests.helpers import csrf_token_of

SIPAS_2026, PAR_2026 = (demo.name for demo in TODAYS_CAMPAIGNS)
VERTICAL, PROVINCE_CENTRE, COMMUNE_CENTRES = (
    "Cơ quan ngành dọc",
    "Trung tâm phục vụ hành chính công cấp tỉnh",
    "Trung tâm phục vụ hành chính công cấp xã",
)
LY_SON = "Trung tâm Phục vụ hành chính công đặc khu Lý Sơn (21548-TTPVHCC)"


@pytest.fixture
def demo(app, auth, officer) -> dict[str, Campaign]:
    load_demo()
    db.session.commit()
    auth.login("canbo")
    return {campaign.name: campaign for campaign in db.session.scalars(select(Campaign))}


def text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def standings_on_the_page(page: str) -> dict[str, list[tuple[str, str, str, str]]]:
    """Kind → its rows (rank, unit, forms, note), as the results page shows them."""
    tables = re.findall(
        r"<h4>(.*?)</h4>\s*<div class=\"table-wrap\"[^>]*><table class=\"standings\">(.*?)</table>", page, re.S
    )
    return {
        kind: [
            (text(cells[0]), text(cells[1]), text(cells[3]), text(cells[4]))
            for cells in (
                re.findall(r"<td[^>]*>(.*?)</td>", row, re.S) for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
            )
            if cells
        ]
        for kind, body in tables
    }


def test_the_sipas_survey_at_the_centres_ranks_units_within_their_kind(client, demo) -> None:
    campaign = demo[SIPAS_2026]
    page = client.get(f"/admin/campaigns/{campaign.id}/results").get_data(as_text=True)
    standings = standings_on_the_page(page)
    assert list(standings) == [VERTICAL, PROVINCE_CENTRE, COMMUNE_CENTRES]
    assert [rank for rank, *_ in standings[VERTICAL]] == ["1", "2", "3"]
    assert [unit for _rank, unit, *_ in standings[VERTICAL]] == [
        "Công an tỉnh Quảng Ngãi (51-CA)",
        "Bảo hiểm xã hội tỉnh Quảng Ngãi (51-BHXH)",
        "Thuế tỉnh Quảng Ngãi (51-THUE)",
    ]
    assert standings[PROVINCE_CENTRE] == [
        ("1", "Trung tâm Phục vụ hành chính công tỉnh Quảng Ngãi (51-TTPVHCC)", "45", "")
    ]
    # Six commune centres: five ranked; Lý Sơn's has 12 forms, fewer than the minimum of 30.
    communes = standings[COMMUNE_CENTRES]
    assert [rank for rank, *_ in communes] == ["1", "2", "3", "4", "5", "—"]
    assert communes[-1] == ("—", LY_SON, "12", "Không xếp hạng: 12 phiếu, ít hơn mức tối thiểu 30 phiếu")
    assert "Đơn vị có ít hơn 30 phiếu được liệt kê nhưng không xếp hạng" in text(page)

    # The workbook has the same ranks, indices and notes as the page.
    response = client.get(f"/admin/campaigns/{campaign.id}/export/indices.xlsx")
    sheet = load_workbook(io.BytesIO(response.data))["Xếp hạng theo loại đơn vị"]
    rows = list(sheet.values)
    assert rows[0] == (
        "Mẫu phiếu",
        "Loại đơn vị",
        "Hạng",
        "Mã đơn vị",
        "Đơn vị",
        "Chỉ số SIPAS (%)",
        "Số phiếu",
        "Ghi chú",
    )
    in_workbook = {}
    for _form, kind, rank, _code, unit, _index, forms, note in rows[1:]:
        rank_text = "—" if rank is None else str(rank)
        in_workbook.setdefault(kind[0].upper() + kind[1:], []).append((rank_text, unit, str(forms), note or ""))
    assert in_workbook == standings
    indices = {unit: f"{index * 100:.2f}".replace(".", ",") for *_, unit, index, _forms, _note in rows[1:]}
    assert all(f"{index}</td>" in page for index in indices.values())


def test_the_minimum_of_forms_is_a_setting_of_the_results(client, demo) -> None:
    campaign = demo[SIPAS_2026]
    url = f"/admin/campaigns/{campaign.id}/results"
    form = {
        "csrf_token": csrf_token_of(client.get(url).get_data(as_text=True)),
        "targets-sipas_target": "90",
        "targets-criterion_target": "90",
        "targets-field_target": "80",
        "targets-par_max_points": "100",
    }
    for bad, message in (("0", "Từ 1 đến 100.000 phiếu."), ("ba mươi", "Số phiếu tối thiểu phải là một số nguyên")):
        refused = client.post(f"{url}/targets", data=form | {"targets-rank_min_forms": bad}).get_data(as_text=True)
        assert message in refused
    assert client.post(f"{url}/targets", data=form | {"targets-rank_min_forms": "10"}).status_code == 302
    communes = standings_on_the_page(client.get(url).get_data(as_text=True))[COMMUNE_CENTRES]
    assert [rank for rank, *_ in communes] == ["1", "2", "3", "4", "5", "6"]  # Lý Sơn is ranked now
    saved = db.session.scalars(
        select(AuditEntry).filter_by(action=AuditAction.TARGETS_SAVED).order_by(AuditEntry.id)
    ).all()
    assert saved[-1].details["rank_min_forms"] == 10
    workbook = load_workbook(io.BytesIO(client.get(f"/admin/campaigns/{campaign.id}/export/indices.xlsx").data))
    settings = {row[0]: row[1] for row in workbook["Cách tính"].iter_rows(min_row=2, values_only=True)}
    assert settings["Số phiếu tối thiểu để đơn vị được xếp hạng"] == "10"


def test_the_par_survey_of_todays_communes_opens_on_the_forms_of_today(client, demo) -> None:
    campaign = demo[PAR_2026]
    page = text(client.get(f"/admin/campaigns/{campaign.id}/results").get_data(as_text=True))
    assert "Điểm điều tra xã hội học: XA1 + XA2 + XA3 + XA4" in page and "Chưa có phiếu nào." in page
    # Its collection points are today's communes, the new Trương Quang Trọng among them.
    points = text(client.get(f"/admin/campaigns/{campaign.id}").get_data(as_text=True))
    assert "Phường Trương Quang Trọng" in points and "Đặc khu Lý Sơn" in points and "Tổ dân phố" not in points
