"""Quotas: planned from rules, kept current at submission, exact under concurrent phones."""

from __future__ import annotations

import csv
import http.cookiejar
import io
import re
import threading
import urllib.parse
import urllib.request

import pytest
from sqlalchemy import func, select

from surveyapp.extensions import db
from surveyapp.models import ANY_GROUP, QuotaCell, QuotaPolicy, Response, Unit
from surveyapp.services.frames import REQUIRED_COLUMNS, import_frame
from surveyapp.services.quotas import QuotaRule, plan_quotas, save_quotas
from tests.helpers import csrf_token_of, filled_form, form_fields_of, submit


def response_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Response))


def set_quota(campaign, code: str, per_unit: int, policy: QuotaPolicy, group: str = ANY_GROUP) -> None:
    questionnaire = campaign.questionnaire_by_code(code)
    save_quotas(campaign, plan_quotas(campaign, [QuotaRule(questionnaire, group, per_unit)]), policy)
    db.session.commit()


def cell() -> QuotaCell:
    db.session.expire_all()
    return db.session.scalar(select(QuotaCell))


@pytest.fixture
def bo_trach(app, make_campaign):
    """District Bố Trạch as in seed 001 (2020): 13 departments and 28 communes."""
    district = Unit(code="455", name="Huyện Bố Trạch", kind="huyện")
    district.children.extend(
        Unit(code=f"455-PB{n:02d}", name=f"Phòng {n}", kind="phòng chuyên môn") for n in range(1, 14)
    )
    district.children.extend(Unit(code=f"W{n:03d}", name=f"Xã {n}", kind="xã") for n in range(1, 29))
    db.session.add(district)
    db.session.commit()
    codes = ["CH1", "CH2", "CH3", "CH4", "CX1", "CX2", "CX3", "CX4"]
    return make_campaign(codes, list(district.children))


def test_seed_001_plan_comes_out_as_1092_and_2016_forms(bo_trach) -> None:
    q = bo_trach.questionnaire_by_code
    departments = plan_quotas(
        bo_trach,
        [
            QuotaRule(q("CH1"), ANY_GROUP, 3),
            QuotaRule(q("CH2"), ANY_GROUP, 15),
            QuotaRule(q("CH3"), ANY_GROUP, 56),
            QuotaRule(q("CH4"), ANY_GROUP, 10),
        ],
    )
    communes = plan_quotas(
        bo_trach,
        [
            QuotaRule(q("CX1"), "council_delegate", 15),
            QuotaRule(q("CX1"), "commune_leader", 2),
            QuotaRule(q("CX2"), ANY_GROUP, 12),
            QuotaRule(q("CX3"), ANY_GROUP, 13),
            QuotaRule(q("CX4"), ANY_GROUP, 30),
        ],
    )
    assert [forms for _rule, _units, forms in departments.rule_totals] == [39, 195, 728, 130]
    assert departments.total == 1092
    assert [forms for _rule, _units, forms in communes.rule_totals] == [420, 56, 336, 364, 840]
    assert communes.total == 2016


def test_a_closed_full_cell_turns_the_next_respondent_away_politely(client, make_campaign, ward) -> None:
    campaign = make_campaign(["SIPAS-2017"], [ward])
    set_quota(campaign, "SIPAS-2017", 2, QuotaPolicy.CLOSE_WHEN_FULL)
    url = f"/r/{campaign.id}/SIPAS-2017/21172"
    answers = filled_form(campaign.questionnaires[0].definition)

    replies = [submit(client, url, answers) for _ in range(3)]

    assert [r.status_code for r in replies] == [302, 302, 200]
    assert "đã đủ số phiếu" in replies[2].get_data(as_text=True)
    assert response_count() == 2
    assert (cell().filled, cell().refused) == (2, 1)


def test_a_flagging_campaign_keeps_collecting_and_counts_the_excess(client, make_campaign, ward) -> None:
    campaign = make_campaign(["SIPAS-2017"], [ward])
    set_quota(campaign, "SIPAS-2017", 1, QuotaPolicy.FLAG_EXCESS)
    url = f"/r/{campaign.id}/SIPAS-2017/21172"
    for _ in range(3):
        assert submit(client, url, filled_form(campaign.questionnaires[0].definition)).status_code == 302
    assert response_count() == 3
    assert (cell().filled, cell().excess) == (3, 2)


def test_a_group_cell_is_used_before_the_shared_cell(client, make_campaign, ward) -> None:
    campaign = make_campaign(["CX4"], [ward])
    questionnaire = campaign.questionnaires[0]
    plan = plan_quotas(campaign, [QuotaRule(questionnaire, "business", 1), QuotaRule(questionnaire, ANY_GROUP, 5)])
    save_quotas(campaign, plan, QuotaPolicy.CLOSE_WHEN_FULL)
    db.session.commit()
    url = f"/r/{campaign.id}/CX4/21172"
    business = {**filled_form(questionnaire.definition), "respondent_group": "business"}
    citizen = {**filled_form(questionnaire.definition), "respondent_group": "citizen"}

    assert submit(client, url, business).status_code == 302
    assert "đã đủ số phiếu" in submit(client, url, business).get_data(as_text=True)
    assert submit(client, url, citizen).status_code == 302
    db.session.expire_all()
    filled = {c.respondent_group: c.filled for c in db.session.scalars(select(QuotaCell))}
    assert filled == {"business": 1, ANY_GROUP: 1}


def test_saving_quotas_later_counts_the_responses_already_stored(client, make_campaign, ward) -> None:
    campaign = make_campaign(["SIPAS-2017"], [ward])
    url = f"/r/{campaign.id}/SIPAS-2017/21172"
    for _ in range(2):
        submit(client, url, filled_form(campaign.questionnaires[0].definition))
    set_quota(campaign, "SIPAS-2017", 5, QuotaPolicy.CLOSE_WHEN_FULL)
    assert (cell().target, cell().filled, cell().remaining) == (5, 2, 3)


def _phone(base_url: str, path: str):
    """A client with its own cookies that has opened the form: returns a function that sends it."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    html = opener.open(base_url + path).read().decode()
    fields = form_fields_of(html)

    def send(answers: dict) -> str:
        body = urllib.parse.urlencode({**fields, **answers}).encode()
        return opener.open(base_url + path, data=body, timeout=60).read().decode()

    return send


def test_concurrent_phones_never_overfill_a_closed_cell(live_server, make_campaign, ward) -> None:
    places, phones = 3, 16
    campaign = make_campaign(["SIPAS-2017"], [ward])
    set_quota(campaign, "SIPAS-2017", places, QuotaPolicy.CLOSE_WHEN_FULL)
    path = f"/r/{campaign.id}/SIPAS-2017/21172"
    answers = filled_form(campaign.questionnaires[0].definition)
    senders = [_phone(live_server, path) for _ in range(phones)]
    start = threading.Barrier(phones)
    pages: list[str] = []

    def run(send) -> None:
        start.wait()
        pages.append(send(answers))

    threads = [threading.Thread(target=run, args=(send,)) for send in senders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert len(pages) == phones
    assert sum("Cảm ơn anh/chị đã trả lời" in page for page in pages) == places
    assert sum("đã đủ số phiếu" in page for page in pages) == phones - places
    assert response_count() == places
    assert (cell().filled, cell().refused) == (places, phones - places)


def quota_page_fields(client, campaign, **numbers) -> dict:
    html = client.get(f"/admin/campaigns/{campaign.id}/quotas").get_data(as_text=True)
    fields = {"csrf_token": csrf_token_of(html), "policy": "close"}
    for code, value in numbers.items():
        questionnaire_code, _, group = code.partition("__")
        fields[f"per_unit-{campaign.questionnaire_by_code(questionnaire_code.replace('_', '-')).id}-{group or '*'}"] = (
            value
        )
    return fields


def test_an_officer_previews_then_saves_quotas(client, auth, officer, bo_trach) -> None:
    auth.login("canbo")
    fields = quota_page_fields(
        client,
        bo_trach,
        CH1="3",
        CH2="15",
        CH3="56",
        CH4="10",
        CX1__council_delegate="15",
        CX1__commune_leader="2",
        CX2="12",
        CX3="13",
        CX4="30",
    )
    preview = client.post(f"/admin/campaigns/{bo_trach.id}/quotas", data={**fields, "action": "preview"})
    html = preview.get_data(as_text=True)
    assert "Xem trước: 3.108 phiếu" in html  # 1.092 + 2.016
    assert db.session.scalar(select(func.count()).select_from(QuotaCell)) == 0

    saved = client.post(f"/admin/campaigns/{bo_trach.id}/quotas", data={**fields, "action": "save"})
    assert saved.status_code == 302
    assert db.session.scalar(select(func.sum(QuotaCell.target))) == 3108
    db.session.expire_all()
    assert bo_trach.quota_policy is QuotaPolicy.CLOSE_WHEN_FULL
    page = client.get(f"/admin/campaigns/{bo_trach.id}/quotas").get_data(as_text=True)
    assert 'value="56"' in page, "the saved numbers are shown again"


def test_a_bad_quota_number_is_named_and_nothing_is_saved(client, auth, officer, bo_trach) -> None:
    auth.login("canbo")
    fields = quota_page_fields(client, bo_trach, CH1="ba", CH2="15")
    html = client.post(f"/admin/campaigns/{bo_trach.id}/quotas", data={**fields, "action": "save"}).get_data(
        as_text=True
    )
    assert "Nhập một số nguyên từ 0 đến 100.000." in html
    assert 'value="ba"' in html and 'value="15"' in html
    assert db.session.scalar(select(func.count()).select_from(QuotaCell)) == 0


def test_progress_rolls_up_the_unit_tree_for_officers(client, auth, officer, make_campaign, ward) -> None:
    campaign = make_campaign(["CX4"], [*ward.children])
    set_quota(campaign, "CX4", 30, QuotaPolicy.FLAG_EXCESS)
    for _ in range(2):
        submit(client, f"/r/{campaign.id}/CX4/21172-T01", filled_form(campaign.questionnaires[0].definition))
    auth.login("canbo")
    html = client.get(f"/admin/campaigns/{campaign.id}").get_data(as_text=True)
    ward_row = html.split("Phường Trương Quang Trọng</td>", 1)[1].split("</tr>", 1)[0]
    assert '<td class="num">90</td>' in ward_row and '<td class="num">2</td>' in ward_row
    assert '<td class="num">88</td>' in ward_row


def test_forms_of_a_questionnaire_without_a_quota_are_in_the_progress_table_outside_it(
    client, auth, officer, make_campaign, ward
) -> None:
    """Every stored form is in one column of the progress table: the XA3 forms (no quota set)
    are collected, as the QR table says, but count toward no quota."""
    campaign = make_campaign(["CX4", "XA3"], [*ward.children])
    set_quota(campaign, "CX4", 30, QuotaPolicy.FLAG_EXCESS)
    for code, forms in (("CX4", 2), ("XA3", 3)):
        for _ in range(forms):
            answers = filled_form(campaign.questionnaire_by_code(code).definition)
            assert submit(client, f"/r/{campaign.id}/{code}/21172-T01", answers).status_code == 302
    auth.login("canbo")
    html = client.get(f"/admin/campaigns/{campaign.id}").get_data(as_text=True)
    progress = html.split("Tiến độ theo chỉ tiêu", 2)[2]
    ward_row = progress.split("Phường Trương Quang Trọng</td>", 1)[1].split("</tr>", 1)[0]
    # target, collected, remaining, beyond, outside
    assert re.findall(r'<td class="num">(\d+)</td>', ward_row) == ["90", "2", "88", "0", "3"]


def test_a_surveyor_sees_target_collected_remaining_and_lateness(client, auth, surveyor, make_campaign, ward) -> None:
    import datetime as dt

    from surveyapp.services.responses import local_today

    today = local_today()  # the survey's calendar (Vietnam), which the page counts days in
    campaign = make_campaign(
        ["CX4"], [*ward.children], opens_on=today - dt.timedelta(days=20), closes_on=today + dt.timedelta(days=9)
    )
    set_quota(campaign, "CX4", 30, QuotaPolicy.FLAG_EXCESS)
    submit(client, f"/r/{campaign.id}/CX4/21172-T01", filled_form(campaign.questionnaires[0].definition))
    auth.login("dtv1")
    html = client.get("/field/").get_data(as_text=True)
    assert "1/30 · thiếu 29" in html and "0/1 đơn vị đủ chỉ tiêu · còn thiếu 29 phiếu" in " ".join(html.split())
    assert "Chậm tiến độ" in html and "còn 9 ngày" in html
    assert "Tổ dân phố 2" not in html


@pytest.fixture
def four_groups(app, make_campaign):
    """A ward's four residential groups with frames of 600, 300, 90 and 10 people, collecting CX4."""
    ward = Unit(code="W900", name="Phường Thử", kind="phường")
    sizes = {f"W900-T{n}": size for n, size in enumerate([600, 300, 90, 10], start=1)}
    ward.children.extend(Unit(code=code, name=f"Tổ dân phố {code[-1]}", kind="tổ dân phố") for code in sizes)
    db.session.add(ward)
    db.session.commit()
    campaign = make_campaign(["CX4"], list(ward.children))
    frame = io.StringIO()
    writer = csv.writer(frame)
    writer.writerow(REQUIRED_COLUMNS)
    person = 0
    for code, size in sizes.items():
        for _ in range(size):
            person += 1
            writer.writerow(
                [
                    f"HS-{person:05d}",
                    "Hộ tịch",
                    code,
                    "01/06/2022",
                    "05/06/2022",
                    "Đã trả kết quả",
                    "Người nộp",
                    f"09{person:08d}",
                ]
            )
    import_frame(campaign, "khung.csv", frame.getvalue().encode(), skip_bad_rows=False)
    db.session.commit()
    return campaign


def test_an_officer_picks_minimum_then_proportional_and_gets_its_quotas(client, auth, officer, four_groups) -> None:
    # 100 forms, 10 per group first, the other 60 by group size: 46, 28, 16 and 10 (the last
    # group has only 10 people). The minimum as a floor under proportional shares would give
    # 53, 27, 10 and 10.
    auth.login("canbo")
    page = f"/admin/campaigns/{four_groups.id}/quotas"
    html = client.get(page).get_data(as_text=True)
    assert "Mỗi đơn vị tối thiểu, phần còn lại chia theo tỷ lệ quy mô" in html
    questionnaire = four_groups.questionnaire_by_code("CX4")
    fields = {
        "csrf_token": csrf_token_of(html),
        "policy": "close",
        f"total-{questionnaire.id}-*": "100",
        f"minimum-{questionnaire.id}-*": "10",
    }

    def shown(preview: str) -> list[str]:
        rows = preview.split("Phân bổ theo khung chọn mẫu", 1)[1].split("</table>", 1)[0].split("<tr>")[2:]
        return [row.split('<td class="num">')[-1].split("<", 1)[0] for row in rows]

    floor = client.post(page, data={**fields, "sharing": "proportional", "action": "preview"}).get_data(as_text=True)
    assert shown(floor) == ["53", "27", "10", "10"]

    picked = {**fields, "sharing": "minimum_then_proportional"}
    preview = client.post(page, data={**picked, "action": "preview"}).get_data(as_text=True)
    assert "Xem trước: 100 phiếu" in preview
    assert "Cách chia tổng số phiếu theo khung: Mỗi đơn vị tối thiểu, phần còn lại chia theo tỷ lệ quy mô" in preview
    assert '<option selected value="minimum_then_proportional">' in preview, "the choice is kept for saving"
    assert '<td>Tổ dân phố 1</td><td class="num">600</td><td class="num">46</td>' in preview
    assert shown(preview) == ["46", "28", "16", "10"]
    assert db.session.scalar(select(func.count()).select_from(QuotaCell)) == 0

    assert client.post(page, data={**picked, "action": "save"}).status_code == 302
    targets = db.session.execute(select(Unit.code, QuotaCell.target).join(QuotaCell.unit).order_by(Unit.code)).all()
    assert targets == [("W900-T1", 46), ("W900-T2", 28), ("W900-T3", 16), ("W900-T4", 10)]
