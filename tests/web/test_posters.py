"""QR codes and A4 posters lead to the right public link, and print one poster per page."""

from __future__ import annotations

import io
import re
import struct
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest
import qrcode

from surveyapp.extensions import db
from surveyapp.models import Unit
from surveyapp.questionnaires.definition import Length
from surveyapp.services.posters import poster_file_name, poster_svg, posters_zip, qr_png, qr_svg

SVG = "{http://www.w3.org/2000/svg}"
POSTERS_CSS = Path(__file__).resolve().parents[2] / "surveyapp" / "static" / "posters.css"


@pytest.fixture
def officer_client(client, auth, officer):
    auth.login("canbo")
    return client


@pytest.fixture
def desk(make_campaign, ward):
    """A SIPAS desk survey and CX4 over the ward and its three residential groups."""
    return make_campaign(["SIPAS-2017", "CX4"], [ward, *ward.children])


@pytest.fixture
def departments(app) -> list[Unit]:
    units = [Unit(code=f"PB0{n}", name=f"Phòng {n}", kind="phòng chuyên môn") for n in (1, 2)]
    db.session.add_all(units)
    db.session.commit()
    return units


def dark_modules(path_data: str) -> set[tuple[int, int]]:
    """The modules an SVG path draws as squares or row runs: 'Mx,yH<x end>V<y+1>...z'."""
    dark = set()
    for x, y, end in re.findall(r"M(\d+),(\d+)H(\d+)", path_data):
        dark.update((column, int(y)) for column in range(int(x), int(end)))
    return dark


def expected_modules(url: str) -> set[tuple[int, int]]:
    """The dark modules of the QR code of ``url`` built independently, quiet zone of 4 included."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)
    code.add_data(url)
    code.make(fit=True)
    return {(x, y) for y, row in enumerate(code.get_matrix()) for x, dark in enumerate(row) if dark}


def side_of(url: str) -> int:
    return max(x for x, _y in expected_modules(url)) + 1 + 4


def texts_of(root: ET.Element) -> str:
    return " ".join(element.text or "" for element in root.iter(f"{SVG}text"))


def test_the_svg_qr_code_encodes_the_public_link(officer_client, desk) -> None:
    reply = officer_client.get(f"/admin/campaigns/{desk.id}/qr/SIPAS-2017/21172.svg")
    assert reply.mimetype == "image/svg+xml"
    path = ET.fromstring(reply.get_data(as_text=True)).find(f"{SVG}path")
    assert dark_modules(path.get("d")) == expected_modules(f"https://khaosat.example.vn/r/{desk.id}/SIPAS-2017/21172")


def test_the_png_qr_code_is_a_png_of_ten_pixels_per_module(officer_client, desk) -> None:
    reply = officer_client.get(f"/admin/campaigns/{desk.id}/qr/CX4/21172-T01.png")
    data = reply.get_data()
    assert reply.mimetype == "image/png" and data.startswith(b"\x89PNG\r\n\x1a\n")
    width, height = struct.unpack(">II", data[16:24])
    side = side_of(f"https://khaosat.example.vn/r/{desk.id}/CX4/21172-T01")
    assert width == height == side * 10


def test_a_different_unit_gets_a_different_code(officer_client, desk) -> None:
    first = officer_client.get(f"/admin/campaigns/{desk.id}/qr/CX4/21172-T01.png").get_data()
    second = officer_client.get(f"/admin/campaigns/{desk.id}/qr/CX4/21172-T02.png").get_data()
    assert first != second
    assert first == qr_png(f"https://khaosat.example.vn/r/{desk.id}/CX4/21172-T01")


@pytest.mark.parametrize(
    "path",
    [
        "qr/CX4/99999.png",  # no such unit
        "qr/CX4/21172.svg",  # a unit that exists but that the campaign does not assess
        "qr/CH3.png",  # not a questionnaire of the campaign
        "qr/SIPAS-2017.png",  # a single-unit questionnaire needs its unit
        "poster/CX4/99999",
        "poster/CX4/99999.svg",
    ],
)
def test_a_target_that_does_not_exist_has_no_qr_code_nor_poster(officer_client, make_campaign, ward, path) -> None:
    campaign = make_campaign(["SIPAS-2017", "CX4"], [*ward.children])  # the ward itself is not assessed
    assert officer_client.get(f"/admin/campaigns/{campaign.id}/{path}").status_code == 404


def test_an_unknown_campaign_has_no_posters(officer_client, app) -> None:
    assert officer_client.get("/admin/campaigns/999/posters.zip").status_code == 404
    assert officer_client.get("/admin/campaigns/999/qr/CX4/21172-T01.png").status_code == 404


def test_the_poster_is_an_a4_page_with_the_unit_the_link_and_its_qr_code(officer_client, desk) -> None:
    reply = officer_client.get(f"/admin/campaigns/{desk.id}/poster/CX4/21172-T01.svg")
    assert reply.mimetype == "image/svg+xml"
    root = ET.fromstring(reply.get_data(as_text=True))
    texts = texts_of(root)
    url = f"https://khaosat.example.vn/r/{desk.id}/CX4/21172-T01"
    assert (root.get("width"), root.get("height"), root.get("viewBox")) == ("210mm", "297mm", "0 0 210 297")
    assert "Tổ dân phố 1" in texts and "Khảo sát thử" in texts and url in texts
    assert "quét mã QR" in texts and "Gửi phiếu" in texts and "ẩn danh" in texts
    assert "2. Trả lời 12 câu hỏi (khoảng 2 phút). Phiếu ẩn danh." in texts  # CX4's real length, not a fixed promise
    group = root.find(f"{SVG}g")
    assert dark_modules(group.find(f"{SVG}path").get("d")) == expected_modules(url)
    scale = float(re.search(r"scale\(([\d.]+)\)", group.get("transform")).group(1))
    assert scale * side_of(url) == pytest.approx(120)  # a 12 cm code, quiet zone included


def test_the_poster_page_prints_one_poster(officer_client, desk) -> None:
    html = officer_client.get(f"/admin/campaigns/{desk.id}/poster/CX4/21172-T01").get_data(as_text=True)
    assert html.count('<div class="poster">') == 1 and "Tổ dân phố 1" in html
    assert "posters.css" in html and "<script" not in html


def test_names_are_escaped_in_posters() -> None:
    svg = poster_svg(
        campaign_name="A & B <c>",
        unit_name='Tổ "1" <b>',
        questionnaire_title="x & y",
        url="https://e.vn/r/1/X?a=1&b=2",
        length=Length(20, 5),
    )
    texts = texts_of(ET.fromstring(svg))  # well-formed despite the markup characters
    assert "A & B <c>" in texts and 'Tổ "1" <b>' in texts and "https://e.vn/r/1/X?a=1&b=2" in texts


def test_a_long_unit_name_stays_above_the_qr_code() -> None:
    name = "Ban quản lý dự án đầu tư xây dựng và phát triển quỹ đất khu vực phía Nam huyện Bố Trạch tỉnh Quảng Bình"
    root = ET.fromstring(
        poster_svg(
            campaign_name="Đợt 1", unit_name=name, questionnaire_title="CX4", url="https://e.vn", length=Length(8, 2)
        )
    )
    lines = [t for t in root.iter(f"{SVG}text") if t.text and t.text.split()[0] in name.split()]
    assert lines[0].text.startswith("Ban quản lý dự án")
    assert all(float(t.get("y")) < 90 for t in lines)  # the QR code starts at 90 mm


def test_all_posters_download_at_once_as_a_zip(officer_client, desk) -> None:
    reply = officer_client.get(f"/admin/campaigns/{desk.id}/posters.zip")
    assert reply.mimetype == "application/zip"
    disposition = reply.headers["Content-Disposition"]
    assert re.fullmatch(rf"attachment; filename=ap-phich-dot-{desk.id}-{desk.year}-\d{{8}}\.zip", disposition)
    archive = zipfile.ZipFile(io.BytesIO(reply.get_data()))
    names = sorted(archive.namelist())
    assert names == sorted(f"{unit.code}_{code}.svg" for unit in desk.units for code in ("CX4", "SIPAS-2017"))
    poster = ET.fromstring(archive.read("21172-T03_CX4.svg"))
    assert "Tổ dân phố 3" in texts_of(poster)
    assert f"https://khaosat.example.vn/r/{desk.id}/CX4/21172-T03" in texts_of(poster)


def test_poster_file_names_are_ascii() -> None:
    assert poster_file_name("CX4", "Đông Hà/Tổ 1") == "Dong-Ha-To-1_CX4.svg"
    assert poster_file_name("CH3") == "CH3.svg"


def test_all_posters_print_one_per_a4_page(officer_client, desk) -> None:
    html = officer_client.get(f"/admin/campaigns/{desk.id}/posters").get_data(as_text=True)
    assert html.count('<div class="poster">') == 8
    assert html.count('width="210mm" height="297mm"') == 8
    assert "<script" not in html and " style=" not in html
    css = POSTERS_CSS.read_text()
    assert "@page { size: A4; margin: 0; }" in css and "break-after: page" in css


def test_a_matrix_questionnaire_has_one_link_without_unit(officer_client, make_campaign, departments) -> None:
    campaign = make_campaign(["CH3"], departments)
    url = f"https://khaosat.example.vn/r/{campaign.id}/CH3"
    html = officer_client.get(f"/admin/campaigns/{campaign.id}").get_data(as_text=True)
    assert f'<a href="{url}" class="url">{url}</a>' in html
    assert "2 đơn vị (dạng bảng)" in html
    svg = officer_client.get(f"/admin/campaigns/{campaign.id}/qr/CH3.svg").get_data(as_text=True)
    assert dark_modules(ET.fromstring(svg).find(f"{SVG}path").get("d")) == expected_modules(url)
    assert officer_client.get(f"/admin/campaigns/{campaign.id}/qr/CH3/PB01.svg").status_code == 404
    archive = zipfile.ZipFile(io.BytesIO(officer_client.get(f"/admin/campaigns/{campaign.id}/posters.zip").get_data()))
    assert archive.namelist() == ["CH3.svg"]
    assert "Phiếu đánh giá 2 đơn vị" in texts_of(ET.fromstring(archive.read("CH3.svg")))


def test_without_a_public_base_url_links_use_the_requested_host(app, officer_client, desk) -> None:
    app.config["PUBLIC_BASE_URL"] = ""
    svg = officer_client.get(f"/admin/campaigns/{desk.id}/poster/SIPAS-2017/21172.svg").get_data(as_text=True)
    assert f"http://localhost/r/{desk.id}/SIPAS-2017/21172" in texts_of(ET.fromstring(svg))


def test_a_public_base_url_with_a_trailing_slash_gives_no_double_slash(app, officer_client, desk) -> None:
    app.config["PUBLIC_BASE_URL"] = "https://khaosat.quangngai.gov.vn/"
    html = officer_client.get(f"/admin/campaigns/{desk.id}").get_data(as_text=True)
    assert f"https://khaosat.quangngai.gov.vn/r/{desk.id}/CX4/21172-T01" in html


def test_qr_svg_is_a_standalone_image_on_white() -> None:
    root = ET.fromstring(qr_svg("https://khaosat.example.vn/r/1/SIPAS-2017/21172"))
    assert root.find(f"{SVG}rect").get("fill") == "white"
    assert root.find(f"{SVG}path") is not None


def test_a_zip_built_from_a_stream_of_posters_holds_each_one_under_its_name() -> None:
    """The province-sized ZIP is written from a generator; its speed is measured by bench/posters.py."""
    count = 100
    archive = zipfile.ZipFile(
        io.BytesIO(
            posters_zip(
                (
                    poster_file_name("CX4", f"T{n:04d}"),
                    poster_svg(
                        campaign_name="Khảo sát Chỉ số CCHC năm 2025",
                        unit_name=f"Tổ dân phố {n}",
                        questionnaire_title="CX4: Phiếu khảo sát người dân",
                        url=f"https://khaosat.quangngai.gov.vn/r/12/CX4/T{n:04d}",
                        length=Length(8, 2),
                    ),
                )
                for n in range(count)
            )
        )
    )
    assert archive.namelist() == [f"T{n:04d}_CX4.svg" for n in range(count)]
    last = texts_of(ET.fromstring(archive.read("T0099_CX4.svg")))
    assert "Tổ dân phố 99" in last and "https://khaosat.quangngai.gov.vn/r/12/CX4/T0099" in last
