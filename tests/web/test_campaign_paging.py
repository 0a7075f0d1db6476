"""A province's campaign page shows its long tables a page at a time."""

from __future__ import annotations

from surveyapp.extensions import db
from surveyapp.models import Unit


def test_links_progress_and_counts_come_a_hundred_at_a_time(client, auth, officer, make_campaign, ward):
    for number in range(4, 131):
        ward.children.append(Unit(code=f"21172-T{number:03d}", name=f"Tổ dân phố {number}", kind="tổ dân phố"))
    db.session.commit()
    campaign = make_campaign(["CX4"], list(ward.children))
    auth.login("canbo")

    first = client.get(f"/admin/campaigns/{campaign.id}").get_data(as_text=True)
    assert first.count('class="url"') == 100
    assert "Trang 1/2" in first and "links_page=2" in first

    second = client.get(f"/admin/campaigns/{campaign.id}?links_page=2").get_data(as_text=True)
    assert second.count('class="url"') == 30  # 130 residential groups in all
    assert "links_page=1" in second
    beyond = client.get(f"/admin/campaigns/{campaign.id}?links_page=99").get_data(as_text=True)
    assert "Trang 2/2" in beyond


def test_a_surveyor_of_many_units_sees_them_a_hundred_at_a_time(client, auth, make_campaign, ward):
    from surveyapp.models import UserRole
    from surveyapp.services.users import create_user
    from tests.helpers import PASSWORD

    for number in range(4, 131):
        ward.children.append(Unit(code=f"21172-T{number:03d}", name=f"Tổ dân phố {number}", kind="tổ dân phố"))
    create_user(username="dtv", full_name="Điều tra viên", password=PASSWORD, role=UserRole.SURVEYOR, units=[ward])
    db.session.commit()
    campaign = make_campaign(["CX4"], list(ward.children))
    auth.login("dtv")
    first = client.get("/field/").get_data(as_text=True)
    assert first.count('class="progress-item') == 100 and "Trang 1/2" in first
    second = client.get(f"/field/?page_{campaign.id}=2").get_data(as_text=True)
    assert second.count('class="progress-item') == 30
