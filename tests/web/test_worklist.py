"""The surveyor's list is compact (issue 15): campaigns still missing forms first, a quota's groups
named once, short unit lines, a contact list only where people were drawn; and the entry page
shows the printed paper form's question codes and option letters, which the citizen's page never does."""

from __future__ import annotations

import html
import re

import pytest

from surveyapp.extensions import db
from surveyapp.models import QuotaPolicy, UserRole
from surveyapp.services import frames
from surveyapp.services.samples import draw_sample
from surveyapp.services.users import create_user
from tests.helpers import PASSWORD, filled_form, submit
from tests.test_anonymity import frame_csv
from tests.web.test_paper_batches import district_campaign  # noqa: F401 (a fixture)
from tests.web.test_quotas import set_quota

CITIZENS = "Người dân có giao dịch với UBND cấp xã"


@pytest.fixture
def two_campaigns(client, auth, make_campaign, ward):
    """A surveyor of the whole ward (logged in) in two open campaigns: CX4 over the residential
    groups with a quota of 30 citizens each (7 citizens' and 17 businesses' forms typed in for
    Tổ dân phố 1, people drawn for Tổ dân phố 2 only), and a newer SIPAS campaign without a quota."""
    create_user(username="dtv", full_name="Điều tra viên", password=PASSWORD, role=UserRole.SURVEYOR, units=[ward])
    cx4 = make_campaign(["CX4"], list(ward.children))
    set_quota(cx4, "CX4", 30, QuotaPolicy.FLAG_EXCESS, group="citizen")
    frames.import_frame(cx4, "khung.csv", frame_csv("21172-T02"), skip_bad_rows=False)
    draw_sample(cx4, cx4.questionnaires[0], "s", 0)
    sipas = make_campaign(["SIPAS-2017"], [ward])
    sipas.name = "Khảo sát SIPAS tại Bộ phận một cửa"
    db.session.commit()
    auth.login("dtv")
    definition = cx4.questionnaires[0].definition
    for group, count in (("citizen", 7), ("business", 17)):
        for _ in range(count):
            form = {**filled_form(definition), "respondent_group": group, "mode": "paper"}
            assert submit(client, f"/field/enter/{cx4.id}/CX4/21172-T01", form).status_code == 302
    return cx4, sipas


def _line(html: str, unit: str) -> str:
    """The text of the list line of ``unit`` (tags removed)."""
    item = html.split(f"<strong>{unit}</strong>", 1)[1].split("</li>", 1)[0]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", item))


def test_the_campaign_still_missing_forms_comes_first_and_names_its_quota_group_once(client, two_campaigns) -> None:
    cx4, sipas = two_campaigns
    html = client.get("/field/").get_data(as_text=True)

    assert html.index(cx4.name) < html.index(sipas.name), "the newer campaign without a quota goes after"
    assert html.count(CITIZENS) == 1
    text = re.sub(r"\s+", " ", html)
    assert "0/3 đơn vị đủ chỉ tiêu · còn thiếu 83 phiếu" in text
    assert f"CX4: chỉ tiêu chỉ tính nhóm {CITIZENS} (+17 ngoài chỉ tiêu)" in text
    assert _line(html, "Tổ dân phố 1") == " CX4 Chậm tiến độ 7/30 · thiếu 23 Nhập phiếu 23% "
    assert 'value="7" max="30"' in html
    assert "Chưa đặt chỉ tiêu" in html and "đã thu 0" in _line(html, "Phường Trương Quang Trọng")


def test_only_a_unit_with_people_drawn_offers_its_contact_list(client, two_campaigns) -> None:
    cx4, _sipas = two_campaigns
    html = client.get("/field/").get_data(as_text=True)

    assert re.findall(r'href="(/field/sample/[^"]+)"', html) == [f"/field/sample/{cx4.id}/21172-T02"]
    assert "Cần liên hệ" in _line(html, "Tổ dân phố 2") and "Cần liên hệ" not in _line(html, "Tổ dân phố 3")


def test_the_entry_page_shows_the_paper_form_codes_and_the_citizens_page_does_not(client, two_campaigns) -> None:
    cx4, _sipas = two_campaigns
    first = cx4.questionnaires[0].definition.questions[0]
    letters = [option.value for option in first.choices]

    entry = client.get(f"/field/enter/{cx4.id}/CX4/21172-T01").get_data(as_text=True)
    block = entry.split(f'id="q_{first.code}"', 1)[1].split("</fieldset>", 1)[0]
    assert f'<span class="paper-code">{first.code}</span>' in block
    assert re.findall(r'<span class="paper-code">([^<]+)</span>', block)[1:] == [str(v) for v in letters]
    group = entry.split('id="respondent_group"', 1)[1].split("</fieldset>", 1)[0]
    assert '<legend><span class="paper-code">Đối tượng</span> Anh/chị thuộc nhóm nào?' in group, "its column"
    assert group.count("paper-code") == 1, "the groups are named, never coded, as on paper"

    client.post("/logout")
    public = client.get(f"/r/{cx4.id}/CX4/21172-T01").get_data(as_text=True)
    legend = public.split(f'id="q_{first.code}"', 1)[1].split("</legend>", 1)[0]
    assert first.code not in legend and 'class="paper-code"' not in public


def test_a_matrix_entry_page_gives_each_units_options_their_letters(client, auth, district_campaign) -> None:  # noqa: F811
    auth.login("dtv1")
    definition = district_campaign.questionnaires[0].definition
    question = next(q for q in definition.questions if q.per_unit)

    entry = client.get(f"/field/enter/{district_campaign.id}/CH3").get_data(as_text=True)
    block = entry.split(f'id="{question.code}-matrix"', 1)[1].split("</fieldset>", 1)[0]
    assert f'<span class="paper-code">{question.code}</span>' in block
    first_row = block.split("</select>", 1)[0]
    labels = [html.unescape(label) for label in re.findall(r'<option value="[^"]+">([^<]+)</option>', first_row)]
    assert labels == [f"{option.value} · {option.label.vi}" for option in question.choices]
