"""The official unit lists shipped with the service: July-2025's two levels, and the three before."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections import Counter

import pytest
from sqlalchemy import func, select

from surveyapp.extensions import db
from surveyapp.models import FrameRecord, Response, Unit
from surveyapp.services.official_units import (
    REFORM_DAY,
    OfficialList,
    UnknownProvince,
    load_official_units,
    official_units,
)
from tests.helpers import csrf_token_of
from tests.web.test_results import sipas_csv, upload


def current(code: str) -> Unit:
    return db.session.scalar(select(Unit).filter_by(code=code, valid_until=None))


def test_todays_list_has_34_provinces_and_3321_communes_with_their_kinds() -> None:
    rows = official_units()
    kinds = Counter(row["kind"] for row in rows)
    assert kinds["xã"] + kinds["phường"] + kinds["đặc khu"] == 3321
    assert (kinds["xã"], kinds["phường"], kinds["đặc khu"]) == (2621, 687, 13)
    assert kinds["tỉnh"] + kinds["thành phố trực thuộc trung ương"] == 34
    provinces = {row["code"] for row in rows if not row["parent_code"]}
    assert len(provinces) == 34 and all(row["parent_code"] in provinces for row in rows if row["parent_code"])
    by_code = {row["code"]: row for row in rows}
    assert by_code["10675"] == {"code": "10675", "name": "Phường Kinh Môn", "kind": "phường", "parent_code": "31"}
    assert by_code["01"]["kind"] == "thành phố trực thuộc trung ương" and by_code["51"]["kind"] == "tỉnh"


def test_the_list_before_the_reform_has_its_districts() -> None:
    rows = {row["code"]: row for row in official_units(OfficialList.BEFORE_2025, province="30")}
    assert rows["10675"] == {"code": "10675", "name": "Phường An Lưu", "kind": "phường", "parent_code": "292"}
    assert rows["292"] == {"code": "292", "name": "Thị xã Kinh Môn", "kind": "thị xã", "parent_code": "30"}


def test_an_unknown_province_is_refused() -> None:
    with pytest.raises(UnknownProvince):
        official_units(province="99")


def test_one_province_loads_with_its_communes_then_changes_nothing_on_a_second_load(app) -> None:
    result = load_official_units(province="51")
    assert result.added == 1 + 96 and current("21025").parent.code == "51"
    assert current("21025").valid_from == REFORM_DAY
    again = load_official_units(province="51")
    assert (again.added, again.updated, again.unchanged) == (0, 0, 97)


def test_todays_list_over_the_old_one_keeps_the_old_units_campaigns_used(app, make_campaign, runner) -> None:
    """A province that ran its 2024 survey on the old list loads the new one: 10675 now names
    another ward, and the old ward's campaign keeps An Lưu under Kinh Môn town."""
    load_official_units(OfficialList.BEFORE_2025, province="30")
    an_luu = current("10675")
    past = make_campaign(["SIPAS-2017"], [an_luu], opens_on=dt.date(2024, 8, 1), closes_on=dt.date(2024, 9, 30))
    db.session.commit()
    result = runner.invoke(args=["load-official-units", "--province", "31", "--retire-missing"])
    assert result.exit_code == 0, result.output
    assert "10675: Phường An Lưu → Phường Kinh Môn (the old one kept for its campaigns)" in result.output
    # Hải Dương (30) is no province of today's list: its old units were not below province 31,
    # so they stay current until the whole list is loaded with --retire-missing.
    everything = runner.invoke(args=["load-official-units", "--retire-missing"])
    assert everything.exit_code == 0, everything.output
    db.session.expire_all()
    assert [(unit.name, unit.valid_until) for unit in past.units[0].lineage()] == [
        ("Phường An Lưu", REFORM_DAY),
        ("Thị xã Kinh Môn", REFORM_DAY),
        ("Tỉnh Hải Dương", REFORM_DAY),
    ]
    assert current("10675").name == "Phường Kinh Môn" and current("292") is None and current("30") is None
    live = select(func.count()).select_from(Unit).where(Unit.valid_until.is_(None))
    assert db.session.scalar(live) == 34 + 3321


FRAME_HEADER = (
    "Mã hồ sơ,Tên thủ tục,Lĩnh vực,Mã đơn vị,Ngày tiếp nhận,Ngày trả kết quả,Trạng thái,Người nộp,Số điện thoại\n"
)


def frame_row(record: str, unit: str, phone: str) -> str:
    return f"{record},Đăng ký khai sinh,Hộ tịch,{unit},02/09/2025,05/09/2025,Đã trả kết quả,Nguyễn Văn A,{phone}\n"


@pytest.fixture
def hanoi_campaign(app, make_campaign):
    """A 2025 SIPAS campaign over four of Hà Nội's wards of today."""
    load_official_units(province="01")
    wards = [current(code) for code in ("00004", "00070", "00097", "00190")]
    return make_campaign(["SIPAS-2017"], wards)


def test_a_frame_with_old_commune_codes_is_read_as_todays_or_refused_naming_the_split(
    client, auth, officer, hanoi_campaign
) -> None:
    """00001 (Phường Phúc Xá) became part of 00097 (Hồng Hà); 00019 (Điện Biên) was split among
    00004, 00070, 00190 and 00226: the one-stop system's export of the old codes is read."""
    auth.login("canbo")
    url = f"/admin/campaigns/{hanoi_campaign.id}/sample"

    def upload(data: str, skip: bool = False) -> str:
        token = csrf_token_of(client.get(url).get_data(as_text=True))
        fields = {"frame-csrf_token": token, "frame-frame_file": (io.BytesIO(data.encode()), "khung.csv")}
        fields |= {"frame-skip_bad_rows": "y"} if skip else {}
        reply = client.post(url, data=fields, content_type="multipart/form-data", follow_redirects=True)
        return reply.get_data(as_text=True)

    frame = FRAME_HEADER + frame_row("HS-1", "00001", "0901000001") + frame_row("HS-2", "00097", "0901000002")
    frame += frame_row("HS-3", "00019", "0901000003")
    refused = upload(frame)
    assert "Tệp có 1 lỗi" in refused and "00019" in refused
    assert "nay chia cho các đơn vị 00004, 00070, 00190: hãy ghi mã đơn vị mới" in refused  # 00226 is not in it

    stored = upload(frame, skip=True)
    assert "Đã nhập 2 hồ sơ" in stored
    assert "1 dòng ghi mã xã, phường trước ngày 1/7/2025 đã được đọc theo mã đơn vị mới." in stored
    units = db.session.scalars(select(Unit.code).join(FrameRecord, FrameRecord.unit_id == Unit.id)).all()
    assert sorted(units) == ["00097", "00097"]


def test_imported_responses_with_an_old_commune_code_count_for_todays_commune(
    client, auth, officer, hanoi_campaign
) -> None:
    auth.login("canbo")
    url = f"/admin/campaigns/{hanoi_campaign.id}/import"
    old_codes = sipas_csv([{"Mã đơn vị": "00013"}, {"Mã đơn vị": "00019"}])  # Quán Thánh → Ba Đình; Điện Biên split
    refused = upload(client, url, "responses-responses_file", "p.csv", old_codes).get_data(as_text=True)
    assert "Dòng 3, cột «Mã đơn vị» (00019): mã đơn vị trước ngày 1/7/2025, nay chia cho các đơn vị 00004" in refused
    reply = upload(client, url, "responses-responses_file", "p.csv", sipas_csv([{"Mã đơn vị": "00013"}]))
    assert reply.status_code == 302
    stored = db.session.scalars(select(Unit.code).join(Response, Response.unit_id == Unit.id)).all()
    assert stored == ["00004"]


def test_the_results_page_puts_a_new_ward_beside_the_wards_it_came_from(client, auth, officer, make_campaign) -> None:
    """Phường Kinh Môn (10675 since July 2025) was An Lưu (the old 10675), Hiệp An and Long Xuyên."""
    load_official_units(OfficialList.BEFORE_2025, province="30")
    old_wards = [current(code) for code in ("10675", "10735", "10738")]
    earlier = make_campaign(["SIPAS-2017"], old_wards, opens_on=dt.date(2024, 8, 1), closes_on=dt.date(2024, 9, 30))
    db.session.commit()
    load_official_units(province="31", retire_missing=True)
    now = make_campaign(["SIPAS-2017"], [current("10675")])
    db.session.commit()
    auth.login("canbo")
    for campaign, rows in (
        (earlier, [{"Mã đơn vị": "10675"}, {"Mã đơn vị": "10735", "C1_1": 1}]),  # Long Xuyên: no answer
        (now, [{"Mã đơn vị": "10675"}]),
    ):
        url = f"/admin/campaigns/{campaign.id}/import"
        assert upload(client, url, "responses-responses_file", "p.csv", sipas_csv(rows)).status_code == 302

    page = client.get(f"/admin/campaigns/{now.id}/results?compare={earlier.id}").get_data(as_text=True)
    table = page.split('id="year-on-year"', 1)[1].split("</table>", 1)[0]
    cells = [" ".join(cell.split()) for cell in re.findall(r"<td[^>]*>(.*?)</td>", table, flags=re.S)]
    assert cells == [
        "Phường Kinh Môn (10675)", "100,00",
        "Phường An Lưu (10675)", "100,00",
        "Phường Hiệp An (10735)", "95,00",
        "Phường Long Xuyên (10738)", "—",
    ]  # fmt: skip
    assert client.get(f"/admin/campaigns/{now.id}/results?compare={now.id}").status_code == 404
