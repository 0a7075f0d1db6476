"""Officers set up campaigns, open and close them, and follow the response counts."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from surveyapp.extensions import db
from surveyapp.models import Campaign, CampaignStatus
from tests.helpers import csrf_token_of, filled_form, submit


@pytest.fixture
def logged_in_officer(client, auth, officer):
    auth.login("canbo")
    return client


def campaign_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Campaign))


def campaign_fields(client, questionnaires, units, **changes) -> dict:
    html = client.get("/admin/campaigns/new").get_data(as_text=True)
    fields = {
        "csrf_token": csrf_token_of(html),
        "name": "Khảo sát SIPAS 2025 – phường Trương Quang Trọng",
        "year": "2025",
        "purpose": "sipas",
        "opens_on": "2025-08-01",
        "closes_on": "2025-09-30",
        "questionnaire_ids": [str(questionnaires["SIPAS-2017"].id)],
        "unit_ids": [str(unit.id) for unit in units],
    }
    fields.update(changes)
    return fields


def test_an_officer_creates_a_campaign_through_the_form(logged_in_officer, questionnaires, ward) -> None:
    client = logged_in_officer
    sent = client.post("/admin/campaigns/new", data=campaign_fields(client, questionnaires, [ward]))

    assert sent.status_code == 302
    campaign = db.session.scalar(select(Campaign))
    assert campaign.name == "Khảo sát SIPAS 2025 – phường Trương Quang Trọng"
    assert campaign.status is CampaignStatus.DRAFT
    assert (campaign.opens_on, campaign.closes_on) == (dt.date(2025, 8, 1), dt.date(2025, 9, 30))
    assert [q.code for q in campaign.questionnaires] == ["SIPAS-2017"]
    assert [u.code for u in campaign.units] == ["W21172"]
    page = client.get(sent.headers["Location"]).get_data(as_text=True)
    assert "Đã tạo đợt điều tra" in page and "Bản nháp" in page


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"closes_on": "2025-07-01"}, "Ngày kết thúc phải sau ngày bắt đầu."),
        ({"unit_ids": []}, "Hãy chọn ít nhất một đơn vị được đánh giá."),
        ({"questionnaire_ids": []}, "Hãy chọn ít nhất một mẫu phiếu."),
        ({"purpose": "par"}, "Mẫu phiếu SIPAS-2017 không dùng cho mục đích đã chọn."),
        ({"year": "1990"}, "Năm đánh giá phải từ 2000 đến 2100."),
        ({"opens_on": "31/02/2025"}, "Not a valid date value."),
    ],
    ids=["closes before opens", "no unit", "no questionnaire", "purpose mismatch", "year", "bad date"],
)
def test_invalid_input_comes_back_named_with_the_input_kept(logged_in_officer, questionnaires, ward, changes, message):
    client = logged_in_officer
    sent = client.post("/admin/campaigns/new", data=campaign_fields(client, questionnaires, [ward], **changes))
    html = sent.get_data(as_text=True)

    assert sent.status_code == 200
    assert message in html or (message == "Not a valid date value." and "has-error" in html)
    assert 'value="Khảo sát SIPAS 2025 – phường Trương Quang Trọng"' in html
    assert campaign_count() == 0


def test_open_close_and_reopen(logged_in_officer, make_campaign, ward) -> None:
    client = logged_in_officer
    campaign = make_campaign(["SIPAS-2017"], [ward], status=CampaignStatus.DRAFT)
    page = f"/admin/campaigns/{campaign.id}"

    def post(action: str):
        token = csrf_token_of(client.get(page).get_data(as_text=True))
        return client.post(f"{page}/{action}", data={"csrf_token": token}, follow_redirects=True)

    assert "Đợt điều tra đã mở" in post("open").get_data(as_text=True)
    assert db.session.get(Campaign, campaign.id).status is CampaignStatus.OPEN
    assert "Đợt điều tra đã kết thúc" in post("close").get_data(as_text=True)
    assert db.session.get(Campaign, campaign.id).status is CampaignStatus.CLOSED
    assert "Chỉ kết thúc được đợt điều tra đang mở." in post("close").get_data(as_text=True)
    post("open")
    assert db.session.get(Campaign, campaign.id).status is CampaignStatus.OPEN


def test_a_campaign_whose_questionnaires_apply_to_none_of_its_units_cannot_open(logged_in_officer, make_campaign, ward):
    client = logged_in_officer
    campaign = make_campaign(["CH2"], [ward], status=CampaignStatus.DRAFT)
    page = f"/admin/campaigns/{campaign.id}"
    token = csrf_token_of(client.get(page).get_data(as_text=True))
    html = client.post(f"{page}/open", data={"csrf_token": token}, follow_redirects=True).get_data(as_text=True)
    assert "Chưa mở được" in html
    assert db.session.get(Campaign, campaign.id).status is CampaignStatus.DRAFT


def test_only_a_draft_can_be_edited(logged_in_officer, questionnaires, make_campaign, ward) -> None:
    client = logged_in_officer
    draft = make_campaign(["SIPAS-2017"], [ward], status=CampaignStatus.DRAFT)
    fields = campaign_fields(client, questionnaires, [ward, *ward.children], name="Tên mới")
    assert client.post(f"/admin/campaigns/{draft.id}/edit", data=fields).status_code == 302
    assert db.session.get(Campaign, draft.id).name == "Tên mới"
    assert len(db.session.get(Campaign, draft.id).units) == 4

    running = make_campaign(["SIPAS-2017"], [ward])
    page = client.get(f"/admin/campaigns/{running.id}/edit", follow_redirects=True)
    assert "Chỉ sửa được đợt điều tra chưa mở." in page.get_data(as_text=True)


def test_the_campaign_page_shows_links_and_responses_per_unit(client, logged_in_officer, make_campaign, ward) -> None:
    campaign = make_campaign(["CX4"], [ward, *ward.children])
    definition = campaign.questionnaires[0].definition
    for _ in range(2):
        submit(client, f"/r/{campaign.id}/CX4/W21172-T02", filled_form(definition))
    submit(client, f"/r/{campaign.id}/CX4/W21172-T03", filled_form(definition))

    html = client.get(f"/admin/campaigns/{campaign.id}").get_data(as_text=True)

    assert f"https://khaosat.example.vn/r/{campaign.id}/CX4/W21172-T02" in html
    assert "<strong>3 phiếu</strong>" in html
    assert '<tr><td>Tổ dân phố 2</td><td class="num">2</td></tr>' in html
    assert '<tr><td>Tổ dân phố 1</td><td class="num">0</td></tr>' in html


def test_the_campaign_list_counts_responses(client, logged_in_officer, make_campaign, ward) -> None:
    campaign = make_campaign(["SIPAS-2017"], [ward])
    submit(client, f"/r/{campaign.id}/SIPAS-2017/W21172", filled_form(campaign.questionnaires[0].definition))
    html = client.get("/admin/").get_data(as_text=True)
    assert "Khảo sát thử" in html and "Đang mở" in html
    assert '<td class="num">1</td>' in html
