"""QR codes and A4 posters lead to the right public link."""

from __future__ import annotations

import io
import struct
import xml.etree.ElementTree as ET
import zipfile

import pytest
import qrcode

from surveyapp.services.posters import poster_svg, qr_svg

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def officer_client(client, auth, officer):
    auth.login("canbo")
    return client


@pytest.fixture
def desk(make_campaign, ward):
    return make_campaign(["SIPAS-2017", "CX4"], [ward, *ward.children])


def modules_of(svg_text: str) -> set[tuple[int, int]]:
    """The dark modules an SVG QR code draws (each path run is 'M x,y h n v1 ...')."""
    path = ET.fromstring(svg_text).find(f"{SVG}path").get("d")
    dark = set()
    for run in path.split("M")[1:]:
        start, rest = run.split("h", 1)
        x, y = (int(v) for v in start.split(","))
        dark.update((x + dx, y) for dx in range(int(rest.split("v", 1)[0])))
    return dark


def expected_modules(url: str) -> set[tuple[int, int]]:
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)
    code.add_data(url)
    code.make(fit=True)
    return {(x, y) for y, row in enumerate(code.get_matrix()) for x, dark in enumerate(row) if dark}


def test_the_svg_qr_code_encodes_the_public_link(officer_client, desk) -> None:
    reply = officer_client.get(f"/admin/campaigns/{desk.id}/qr/SIPAS-2017/W21172.svg")
    assert reply.mimetype == "image/svg+xml"
    assert modules_of(reply.get_data(as_text=True)) == expected_modules(
        f"https://khaosat.example.vn/r/{desk.id}/SIPAS-2017/W21172"
    )


def test_the_png_qr_code_is_a_png_of_a_printable_size(officer_client, desk) -> None:
    reply = officer_client.get(f"/admin/campaigns/{desk.id}/qr/CX4/W21172-T01.png")
    data = reply.get_data()
    assert reply.mimetype == "image/png" and data.startswith(b"\x89PNG\r\n\x1a\n")
    width, height = struct.unpack(">II", data[16:24])
    assert width == height >= 250


def test_a_target_that_does_not_exist_has_no_qr_code(officer_client, desk) -> None:
    assert officer_client.get(f"/admin/campaigns/{desk.id}/qr/CX4/W99999.png").status_code == 404
    assert officer_client.get(f"/admin/campaigns/{desk.id}/qr/CH3.png").status_code == 404


def test_the_poster_is_an_a4_page_with_the_unit_and_the_link(officer_client, desk) -> None:
    reply = officer_client.get(f"/admin/campaigns/{desk.id}/poster/CX4/W21172-T01.svg")
    root = ET.fromstring(reply.get_data(as_text=True))
    texts = " ".join(element.text or "" for element in root.iter(f"{SVG}text"))
    assert (root.get("width"), root.get("height")) == ("210mm", "297mm")
    assert "Tổ dân phố 1" in texts and "quét mã QR" in texts
    assert f"https://khaosat.example.vn/r/{desk.id}/CX4/W21172-T01" in texts


def test_names_are_escaped_in_posters() -> None:
    svg = poster_svg(campaign_name="A & B <c>", unit_name='Tổ "1"', form_title="x", url="https://e.vn/r/1/X/Y")
    ET.fromstring(svg)  # well-formed despite the markup characters
    assert "A &amp; B &lt;c&gt;" in svg


def test_all_posters_download_at_once_as_a_zip(officer_client, desk) -> None:
    reply = officer_client.get(f"/admin/campaigns/{desk.id}/posters.zip")
    assert reply.mimetype == "application/zip"
    assert f'filename="ap-phich-dot-{desk.id}-{desk.year}-' in reply.headers["Content-Disposition"]
    names = sorted(zipfile.ZipFile(io.BytesIO(reply.get_data())).namelist())
    assert names == sorted(f"{unit.code}_{code}.svg" for unit in desk.units for code in ("CX4", "SIPAS-2017"))


def test_all_posters_print_one_per_page(officer_client, desk) -> None:
    html = officer_client.get(f"/admin/campaigns/{desk.id}/posters").get_data(as_text=True)
    assert html.count('<div class="poster">') == 8
    assert "<script" not in html


def test_a_matrix_questionnaire_has_one_link_without_unit(officer_client, make_campaign) -> None:
    from surveyapp.extensions import db
    from surveyapp.models import Unit

    departments = [Unit(code=f"PB0{n}", name=f"Phòng {n}", kind="phòng chuyên môn") for n in (1, 2)]
    db.session.add_all(departments)
    db.session.commit()
    campaign = make_campaign(["CH3"], departments)
    html = officer_client.get(f"/admin/campaigns/{campaign.id}").get_data(as_text=True)
    assert f"https://khaosat.example.vn/r/{campaign.id}/CH3<" in html
    svg = officer_client.get(f"/admin/campaigns/{campaign.id}/qr/CH3.svg").get_data(as_text=True)
    assert modules_of(svg) == expected_modules(f"https://khaosat.example.vn/r/{campaign.id}/CH3")


def test_qr_svg_is_well_formed() -> None:
    ET.fromstring(qr_svg("https://khaosat.example.vn/r/1/SIPAS-2017/W21172"))
