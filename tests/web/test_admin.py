"""Officers set up campaigns, open, close and reopen them, and follow the response counts."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import func, select

from surveyapp.extensions import db
from surveyapp.models import Campaign, CampaignStatus, Response, ResponseMode, Unit
from tests.helpers import csrf_token_of, filled_form, submit

NAME = "Khảo sát SIPAS 2025 – phường Trương Quang Trọng"


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
        "name": NAME,
        "year": "2025",
        "purpose": "sipas",
        "opens_on": "2025-08-01",
        "closes_on": "2025-09-30",
        "questionnaire_ids": [str(questionnaires["SIPAS-2017"].id)],
        "unit_ids": [str(unit.id) for unit in units],
    }
    fields.update(changes)
    return fields


def post_action(client, campaign: Campaign, action: str):
    """Press a button of the campaign page, with the token the page carries."""
    page = f"/admin/campaigns/{campaign.id}"
    token = csrf_token_of(client.get(page).get_data(as_text=True))
    return client.post(f"{page}/{action}", data={"csrf_token": token}, follow_redirects=True)


def status_of(campaign: Campaign) -> CampaignStatus:
    db.session.expire_all()
    return db.session.get(Campaign, campaign.id).status


ADMIN_PAGES = [
    "/admin/",
    "/admin/campaigns/new",
    "/admin/campaigns/{id}",
    "/admin/campaigns/{id}/edit",
    "/admin/campaigns/{id}/qr/SIPAS-2017/21172.png",
    "/admin/campaigns/{id}/qr/SIPAS-2017/21172.svg",
    "/admin/campaigns/{id}/poster/SIPAS-2017/21172",
    "/admin/campaigns/{id}/poster/SIPAS-2017/21172.svg",
    "/admin/campaigns/{id}/posters",
    "/admin/campaigns/{id}/posters.zip",
]


@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_an_anonymous_visitor_is_sent_to_the_login_page(client, make_campaign, ward, path) -> None:
    campaign = make_campaign(["SIPAS-2017"], [ward], status=CampaignStatus.DRAFT)
    reply = client.get(path.format(id=campaign.id))
    assert reply.status_code == 302
    assert reply.headers["Location"].startswith("/login")


@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_a_surveyor_may_not_open_officers_pages(client, auth, surveyor, make_campaign, ward, path) -> None:
    campaign = make_campaign(["SIPAS-2017"], [ward], status=CampaignStatus.DRAFT)
    auth.login("dtv1")
    assert client.get(path.format(id=campaign.id)).status_code == 403


def test_a_surveyor_cannot_open_a_campaign(client, auth, surveyor, make_campaign, ward) -> None:
    campaign = make_campaign(["SIPAS-2017"], [ward], status=CampaignStatus.DRAFT)
    auth.login("dtv1")
    token = csrf_token_of(client.get("/field/").get_data(as_text=True))
    assert client.post(f"/admin/campaigns/{campaign.id}/open", data={"csrf_token": token}).status_code == 403
    assert status_of(campaign) is CampaignStatus.DRAFT


def test_an_officer_creates_a_campaign_through_the_form(logged_in_officer, questionnaires, ward) -> None:
    client = logged_in_officer
    form = client.get("/admin/campaigns/new").get_data(as_text=True)
    assert "SIPAS-2017 (v1)" in form and "CX4 (v1)" in form
    assert "Tổ dân phố 3" in form and "<details" in form

    sent = client.post("/admin/campaigns/new", data=campaign_fields(client, questionnaires, [ward]))

    assert sent.status_code == 302
    campaign = db.session.scalar(select(Campaign))
    assert campaign.name == NAME
    assert campaign.status is CampaignStatus.DRAFT
    assert (campaign.opens_on, campaign.closes_on) == (dt.date(2025, 8, 1), dt.date(2025, 9, 30))
    assert [q.code for q in campaign.questionnaires] == ["SIPAS-2017"]
    assert [u.code for u in campaign.units] == ["21172"]
    page = client.get(sent.headers["Location"]).get_data(as_text=True)
    assert "Đã tạo đợt điều tra" in page and "Bản nháp" in page
    assert "01/08/2025 – 30/09/2025" in page


def test_dates_typed_as_day_month_year_are_understood(logged_in_officer, questionnaires, ward) -> None:
    client = logged_in_officer
    fields = campaign_fields(client, questionnaires, [ward], opens_on="01/08/2025", closes_on="30/09/2025")
    assert client.post("/admin/campaigns/new", data=fields).status_code == 302
    campaign = db.session.scalar(select(Campaign))
    assert (campaign.opens_on, campaign.closes_on) == (dt.date(2025, 8, 1), dt.date(2025, 9, 30))


def test_one_tick_picks_every_unit_below_a_parent(logged_in_officer, questionnaires, ward) -> None:
    client = logged_in_officer
    fields = campaign_fields(client, questionnaires, [], with_children=[str(ward.id)])
    assert client.post("/admin/campaigns/new", data=fields).status_code == 302
    campaign = db.session.scalar(select(Campaign))
    assert [u.code for u in campaign.units] == ["21172-T01", "21172-T02", "21172-T03"]


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"closes_on": "2025-07-01"}, "Ngày kết thúc không được trước ngày bắt đầu."),
        ({"unit_ids": []}, "Hãy chọn ít nhất một đơn vị được đánh giá."),
        ({"questionnaire_ids": []}, "Hãy chọn ít nhất một mẫu phiếu."),
        ({"purpose": "par"}, "Mẫu phiếu SIPAS-2017 không dùng cho mục đích đã chọn."),
        ({"year": "1990"}, "Năm đánh giá phải từ 2000 đến 2100."),
        ({"year": "năm nay"}, "Năm đánh giá phải là một số, ví dụ 2025."),
        ({"opens_on": "31/02/2025"}, "Ngày bắt đầu không hợp lệ"),
        ({"closes_on": ""}, "Hãy chọn ngày kết thúc."),
        ({"unit_ids": ["999999"]}, "Đơn vị đã chọn không còn tồn tại. Vui lòng chọn lại."),
    ],
    ids=[
        "closes before opens",
        "no unit",
        "no questionnaire",
        "purpose mismatch",
        "year out of range",
        "year not a number",
        "impossible date",
        "no end date",
        "unknown unit",
    ],
)
def test_invalid_input_comes_back_named_with_the_input_kept(logged_in_officer, questionnaires, ward, changes, message):
    client = logged_in_officer
    sent = client.post("/admin/campaigns/new", data=campaign_fields(client, questionnaires, [ward], **changes))
    html = sent.get_data(as_text=True)

    assert sent.status_code == 200
    assert message in html
    assert "Not a valid" not in html  # no English message from WTForms
    assert f'value="{NAME}"' in html
    if "unit_ids" not in changes:
        assert f'name="unit_ids" value="{ward.id}" checked' in html
    assert campaign_count() == 0


def test_a_draft_opens_closes_and_reopens(logged_in_officer, make_campaign, ward) -> None:
    client = logged_in_officer
    campaign = make_campaign(["SIPAS-2017"], [ward], status=CampaignStatus.DRAFT)

    opened = post_action(client, campaign, "open").get_data(as_text=True)
    assert "Đợt điều tra đã mở" in opened and "Đang mở" in opened
    assert status_of(campaign) is CampaignStatus.OPEN
    assert f'action="/admin/campaigns/{campaign.id}/close"' in opened
    assert f'action="/admin/campaigns/{campaign.id}/open"' not in opened

    closed = post_action(client, campaign, "close").get_data(as_text=True)
    assert "Đợt điều tra đã kết thúc: không nhận thêm phiếu." in closed
    assert status_of(campaign) is CampaignStatus.CLOSED
    assert f'action="/admin/campaigns/{campaign.id}/reopen"' in closed

    reopened = post_action(client, campaign, "reopen").get_data(as_text=True)
    assert "Đợt điều tra đã mở lại" in reopened
    assert status_of(campaign) is CampaignStatus.OPEN


@pytest.mark.parametrize(
    "status, action, message",
    [
        (CampaignStatus.DRAFT, "close", "Chỉ kết thúc được đợt điều tra đang mở."),
        (CampaignStatus.DRAFT, "reopen", "Chỉ mở lại được đợt điều tra đã kết thúc."),
        (CampaignStatus.OPEN, "open", "Đợt điều tra đang mở."),
        (CampaignStatus.OPEN, "reopen", "Chỉ mở lại được đợt điều tra đã kết thúc."),
        (CampaignStatus.CLOSED, "open", "Đợt điều tra đã kết thúc: dùng «Mở lại» để nhận thêm phiếu."),
        (CampaignStatus.CLOSED, "close", "Chỉ kết thúc được đợt điều tra đang mở."),
    ],
    ids=[
        "close a draft",
        "reopen a draft",
        "open an open one",
        "reopen an open one",
        "open a closed one",
        "close twice",
    ],
)
def test_a_transition_the_status_does_not_allow_is_refused(
    logged_in_officer, make_campaign, ward, status, action, message
) -> None:
    campaign = make_campaign(["SIPAS-2017"], [ward], status=status)
    html = post_action(logged_in_officer, campaign, action).get_data(as_text=True)
    assert f'class="flash flash-error" role="status">{message}' in html
    assert status_of(campaign) is status


@pytest.mark.parametrize(
    "codes, units, message",
    [
        (["CH2"], "ward", "Chưa mở được: đợt điều tra cần ít nhất một mẫu phiếu áp dụng cho một đơn vị đã chọn."),
        (["SIPAS-2017"], "none", "Chưa mở được: đợt điều tra chưa có đơn vị được đánh giá nào."),
    ],
    ids=["questionnaire for no chosen unit", "no unit"],
)
def test_a_campaign_with_nothing_to_collect_cannot_open(logged_in_officer, make_campaign, ward, codes, units, message):
    campaign = make_campaign(codes, [ward] if units == "ward" else [], status=CampaignStatus.DRAFT)
    html = post_action(logged_in_officer, campaign, "open").get_data(as_text=True)
    assert message in html
    assert status_of(campaign) is CampaignStatus.DRAFT


def test_opening_outside_the_period_warns_that_the_qr_codes_do_not_collect_yet(
    logged_in_officer, make_campaign, ward
) -> None:
    start = dt.date.today() + dt.timedelta(days=10)
    campaign = make_campaign(
        ["SIPAS-2017"], [ward], status=CampaignStatus.DRAFT, opens_on=start, closes_on=start + dt.timedelta(days=30)
    )
    html = post_action(logged_in_officer, campaign, "open").get_data(as_text=True)
    assert "nên mã QR không nhận phiếu" in html and f"{start:%d/%m/%Y}" in html
    assert status_of(campaign) is CampaignStatus.OPEN


def test_a_draft_can_be_edited(logged_in_officer, questionnaires, make_campaign, ward) -> None:
    client = logged_in_officer
    draft = make_campaign(["SIPAS-2017"], [ward], status=CampaignStatus.DRAFT)
    form = client.get(f"/admin/campaigns/{draft.id}/edit").get_data(as_text=True)
    assert 'value="Khảo sát thử"' in form and f'name="unit_ids" value="{ward.id}" checked' in form
    assert f'value="{draft.opens_on:%Y-%m-%d}"' in form and f'value="{draft.closes_on:%Y-%m-%d}"' in form

    fields = campaign_fields(client, questionnaires, [ward, *ward.children], name="Tên mới")
    assert client.post(f"/admin/campaigns/{draft.id}/edit", data=fields).status_code == 302
    db.session.expire_all()
    assert db.session.get(Campaign, draft.id).name == "Tên mới"
    assert len(db.session.get(Campaign, draft.id).units) == 4


def test_an_open_campaign_cannot_be_edited(logged_in_officer, questionnaires, make_campaign, ward) -> None:
    client = logged_in_officer
    running = make_campaign(["SIPAS-2017"], [ward])
    assert "/edit" not in client.get(f"/admin/campaigns/{running.id}").get_data(as_text=True)

    page = client.get(f"/admin/campaigns/{running.id}/edit", follow_redirects=True)
    assert "Chỉ sửa được đợt điều tra chưa mở." in page.get_data(as_text=True)
    fields = campaign_fields(client, questionnaires, [*ward.children], name="Tên mới")
    client.post(f"/admin/campaigns/{running.id}/edit", data=fields)
    db.session.expire_all()
    unchanged = db.session.get(Campaign, running.id)
    assert unchanged.name == "Khảo sát thử" and [u.code for u in unchanged.units] == ["21172"]


def test_the_campaign_page_shows_links_and_responses_per_unit(client, logged_in_officer, make_campaign, ward) -> None:
    campaign = make_campaign(["CX4"], [ward, *ward.children])
    definition = campaign.questionnaires[0].definition
    for _ in range(2):
        submit(client, f"/r/{campaign.id}/CX4/21172-T02", filled_form(definition))
    submit(client, f"/r/{campaign.id}/CX4/21172-T03", filled_form(definition))

    html = client.get(f"/admin/campaigns/{campaign.id}").get_data(as_text=True)

    assert f"https://khaosat.example.vn/r/{campaign.id}/CX4/21172-T02" in html
    assert "<strong>3 phiếu</strong>" in html
    # CX4, total, outside the quota (none: the campaign has no quota, every form is collected)
    assert '<tr><td>Tổ dân phố 2</td><td class="num">2</td><td class="num">2</td><td class="num">0</td></tr>' in html
    assert '<tr><td>Tổ dân phố 1</td><td class="num">0</td><td class="num">0</td><td class="num">0</td></tr>' in html


def test_responses_per_unit_and_questionnaire_with_non_applicable_cells(logged_in_officer, make_campaign) -> None:
    commune = Unit(code="X01", name="Xã Hải Trạch", kind="xã")
    department = Unit(code="PB01", name="Phòng Nội vụ", kind="phòng chuyên môn")
    db.session.add_all([commune, department])
    db.session.commit()
    campaign = make_campaign(["CH2", "CX2"], [commune, department])
    for unit, code, count in ((department, "CH2", 4), (commune, "CX2", 1)):
        questionnaire = campaign.questionnaire_by_code(code)
        db.session.add_all(
            Response(
                campaign_id=campaign.id,
                unit_id=unit.id,
                questionnaire_id=questionnaire.id,
                respondent_group=questionnaire.definition.respondent_groups[0].code,
                mode=ResponseMode.PAPER,
                submitted_on=dt.date.today(),
                answers={},
            )
            for _ in range(count)
        )
    db.session.commit()

    html = logged_in_officer.get(f"/admin/campaigns/{campaign.id}").get_data(as_text=True)
    table = html.split("Số phiếu theo đơn vị", 1)[1]
    department_row = table.split("<td>Phòng Nội vụ</td>", 1)[1].split("</tr>", 1)[0]
    commune_row = table.split("<td>Xã Hải Trạch</td>", 1)[1].split("</tr>", 1)[0]
    assert department_row.count('class="num">4</td>') == 2 and "–" in department_row  # CH2 4, CX2 n/a, total 4
    assert commune_row.count('class="num">1</td>') == 2 and "–" in commune_row
    assert "<strong>5 phiếu</strong>" in html


def test_the_campaign_list_shows_status_period_and_responses(client, logged_in_officer, make_campaign, ward) -> None:
    campaign = make_campaign(["SIPAS-2017"], [ward])
    submit(client, f"/r/{campaign.id}/SIPAS-2017/21172", filled_form(campaign.questionnaires[0].definition))
    html = client.get("/admin/").get_data(as_text=True)
    assert "Khảo sát thử" in html and "Đang mở" in html and "Tạo đợt điều tra" in html
    assert f"{campaign.opens_on:%d/%m/%Y} – {campaign.closes_on:%d/%m/%Y}" in html
    assert '<td class="num">1</td>' in html


def test_the_campaign_list_puts_the_newest_first(logged_in_officer, make_campaign, ward) -> None:
    older = make_campaign(["SIPAS-2017"], [ward])
    older.name = "Đợt cũ"
    newer = make_campaign(["SIPAS-2017"], [ward])
    newer.name = "Đợt mới"
    db.session.commit()
    html = logged_in_officer.get("/admin/").get_data(as_text=True)
    assert html.index("Đợt mới") < html.index("Đợt cũ")


def test_the_campaign_form_tells_the_questionnaires_apart(logged_in_officer, questionnaires) -> None:
    """SIPAS-2017 and SIPAS-2023 share a title: their length and the units they assess say which is which."""
    page = logged_in_officer.get("/admin/campaigns/new").get_data(as_text=True)
    hints = {
        value: " ".join(hint.split())
        for value, hint in re.findall(
            r'name="questionnaire_ids" value="(\d+)".*?<span class="hint">(.*?)</span>', page, flags=re.S
        )
    }
    assert hints[str(questionnaires["SIPAS-2017"].id)] == "27 câu hỏi, khoảng 5 phút · đánh giá mọi loại đơn vị"
    # The form offers the newest version of each questionnaire: SIPAS-2023 v2, the national form.
    assert questionnaires["SIPAS-2023"].version == 2
    assert hints[str(questionnaires["SIPAS-2023"].id)] == "71 câu hỏi, khoảng 12 phút · đánh giá mọi loại đơn vị"
    assert hints[str(questionnaires["CX1"].id)] == "11 câu hỏi, khoảng 2 phút · đánh giá: xã, phường, thị trấn"
