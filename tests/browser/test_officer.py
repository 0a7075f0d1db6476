"""An officer logs in, sets up a campaign through the form, opens it, prints its posters, exports the indices."""

from __future__ import annotations

import datetime as dt

import openpyxl
from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import Campaign, CampaignStatus
from surveyapp.services.responses import local_today
from tests.browser.conftest import log_in, save_screenshot
from tests.helpers import filled_form, submit

NAME = "Khảo sát sự hài lòng tại Bộ phận một cửa"


def test_an_officer_sets_up_a_campaign_prints_its_posters_and_exports_the_indices(
    live_server, screen, device, client, officer, questionnaires, ward, tmp_path
) -> None:
    today = local_today()  # the service's calendar (Asia/Ho_Chi_Minh), as in file names
    log_in(screen, live_server, "canbo")
    assert screen.url == f"{live_server}/admin/"
    save_screenshot(screen, f"officer-{device}-campaigns")

    screen.get_by_role("link", name="Tạo đợt điều tra").click()
    screen.get_by_label("Tên đợt điều tra").fill(NAME)
    assert screen.get_by_label("Năm đánh giá").input_value() == str(today.year)
    screen.get_by_label("Mục đích").select_option("sipas")
    screen.get_by_label("Ngày bắt đầu").fill(f"{today - dt.timedelta(days=1):%Y-%m-%d}")
    screen.get_by_label("Ngày kết thúc").fill(f"{today + dt.timedelta(days=30):%Y-%m-%d}")
    screen.get_by_label("SIPAS-2017 (v1)").check()
    screen.locator(f'input[name="unit_ids"][value="{ward.id}"]').check()
    save_screenshot(screen, f"officer-{device}-campaign-form")
    screen.get_by_role("button", name="Tạo đợt điều tra").click()

    assert "Đã tạo đợt điều tra" in screen.locator(".flash-success").inner_text()
    campaign = db.session.scalar(select(Campaign).where(Campaign.name == NAME))
    assert screen.url == f"{live_server}/admin/campaigns/{campaign.id}"
    assert screen.locator("h1").inner_text() == NAME
    save_screenshot(screen, f"officer-{device}-campaign-draft")

    screen.get_by_role("button", name="Mở đợt điều tra").click()
    assert "Đợt điều tra đã mở" in screen.locator(".flash-success").inner_text()
    public_path = f"/r/{campaign.id}/SIPAS-2017/21172"
    public_url = f"https://khaosat.example.vn{public_path}"  # PUBLIC_BASE_URL of the test configuration
    assert screen.get_by_role("link", name=public_url).is_visible()
    save_screenshot(screen, f"officer-{device}-campaign-open")
    db.session.expire_all()
    assert db.session.get(Campaign, campaign.id).status is CampaignStatus.OPEN

    screen.get_by_role("link", name="In tất cả áp phích").click()
    assert screen.url == f"{live_server}/admin/campaigns/{campaign.id}/posters"
    assert screen.locator(".poster svg").count() == 1
    assert public_url in screen.locator(".poster svg").inner_html()
    save_screenshot(screen, f"officer-{device}-posters")
    screen.get_by_role("link", name="← Quay lại").click()

    # Two citizens answer meanwhile (through the test client: the citizen's pages have their own test).
    definition = campaign.questionnaires[0].definition
    for choice in (-1, 0):
        assert submit(client, public_path, filled_form(definition, choice=choice)).status_code == 302
    screen.get_by_role("link", name="Kết quả và xuất số liệu").click()
    assert screen.url == f"{live_server}/admin/campaigns/{campaign.id}/results"
    assert "2 phiếu được tính" in screen.locator("main").inner_text()
    save_screenshot(screen, f"officer-{device}-results")

    with screen.expect_download() as download_info:
        screen.get_by_role("link", name="Tải chỉ số (.xlsx)").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    assert download.suggested_filename.startswith("khao-sat-su-hai-long-tai-bo-phan-mot-cua_")
    assert f"{today:%Y-%m-%d}" in download.suggested_filename
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    workbook = openpyxl.load_workbook(path, read_only=True)
    assert "Cách tính" in workbook.sheetnames and len(workbook.sheetnames) > 1
    workbook.close()
