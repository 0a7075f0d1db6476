"""QR codes and printable A4 posters for the public links of a campaign.

The drawing functions are pure functions of URLs and names; ``point_poster`` needs an
application context only, for the public address (``PUBLIC_BASE_URL``, else the request's
host), so that a command can print thousands without a request. The
posters speak to citizens at a Vietnamese one-stop desk, so their text is Vietnamese whatever
the language of the officer's pages.

>>> svg = poster_svg(campaign_name="Khảo sát 2022", unit_name="Tổ dân phố 1", questionnaire_title="SIPAS",
...                  url="https://khaosat.example.vn/r/1/SIPAS-2017/21172-T01", length=Length(27, 5))
>>> 'width="210mm"' in svg and "Tổ dân phố 1" in svg and "27 câu hỏi (khoảng 5 phút)" in svg
True
>>> poster_file_name("SIPAS-2017", "21172-T01")
'21172-T01_SIPAS-2017.svg'
"""

from __future__ import annotations

import io
import re
import textwrap
import unicodedata
import zipfile
from collections.abc import Iterable
from typing import BinaryIO
from xml.sax.saxutils import escape

import qrcode
from qrcode.constants import ERROR_CORRECT_M
from qrcode.image.pure import PyPNGImage
from qrcode.image.svg import SvgPathFillImage

from surveyapp.questionnaires.definition import Length
from surveyapp.services.collection import CollectionPoint, public_url

QUIET_ZONE = 4  # modules of white around the code, as the QR standard asks
BRAND = "#0b5cad"
FONT = "Arial, Helvetica, 'Noto Sans', 'DejaVu Sans', sans-serif"
QR_SIZE_MM = 120.0


def _matrix(url: str) -> list[list[bool]]:
    """The modules of the smallest QR code holding ``url``, quiet zone included."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=QUIET_ZONE)
    code.add_data(url)
    code.make(fit=True)
    return code.get_matrix()


def _modules_path(matrix: list[list[bool]]) -> str:
    """SVG path data drawing the dark modules as unit squares, runs of a row merged."""
    parts = []
    for y, row in enumerate(matrix):
        x, width = 0, len(row)
        while x < width:
            if row[x]:
                start = x
                while x < width and row[x]:
                    x += 1
                parts.append(f"M{start},{y}H{x}V{y + 1}H{start}z")
            else:
                x += 1
    return "".join(parts)


def qr_png(url: str, box_size: int = 10) -> bytes:
    """The QR code of ``url`` as a PNG image, ``box_size`` pixels per module."""
    image = qrcode.make(
        url, image_factory=PyPNGImage, error_correction=ERROR_CORRECT_M, box_size=box_size, border=QUIET_ZONE
    )
    buffer = io.BytesIO()
    image.save(buffer)
    return buffer.getvalue()


def qr_svg(url: str) -> str:
    """The QR code of ``url`` as a standalone SVG image (one path on white, 1 mm per module)."""
    image = qrcode.make(url, image_factory=SvgPathFillImage, error_correction=ERROR_CORRECT_M, border=QUIET_ZONE)
    return image.to_string(encoding="unicode")


def _text(lines: list[str], *, y: float, size: float, step: float, attrs: str = "") -> str:
    return "".join(
        f'<text x="105" y="{y + n * step:.1f}" font-size="{size}" text-anchor="middle"{attrs}>{escape(line)}</text>'
        for n, line in enumerate(lines)
    )


def _wrap(text: str, width: int, max_lines: int) -> list[str]:
    """``text`` in lines of about ``width`` characters, cut with an ellipsis after ``max_lines``."""
    lines = textwrap.wrap(" ".join(text.split()), width=width) or [""]
    if len(lines) > max_lines:
        lines = [*lines[: max_lines - 1], textwrap.shorten(" ".join(lines[max_lines - 1 :]), width, placeholder=" …")]
    return lines


def poster_svg(*, campaign_name: str, unit_name: str, questionnaire_title: str, url: str, length: Length) -> str:
    """An A4 poster (210 × 297 mm): the unit's name, a 12 cm QR code of ``url`` and how to answer
    (``length``: how many questions, in about how many minutes)."""
    matrix = _matrix(url)
    qr_x, qr_y = (210 - QR_SIZE_MM) / 2, 90.0
    # Short names stay large; a long one gets a smaller size and a third line.
    unit_size, unit_step, unit_lines = 10.0, 11.0, _wrap(unit_name, 28, 2)
    if len(textwrap.wrap(unit_name, 28)) > 2:
        unit_size, unit_step, unit_lines = 7.0, 8.0, _wrap(unit_name, 42, 3)
    campaign_y = 54 + unit_step * len(unit_lines) + 1
    body = [
        f'<rect width="210" height="297" fill="#fff"/><rect width="210" height="36" fill="{BRAND}"/>',
        _text(["KHẢO SÁT Ý KIẾN NGƯỜI DÂN"], y=17, size=10, step=0, attrs=' font-weight="700" fill="#fff"'),
        _text(["Quét mã QR để trả lời – ẩn danh, không mất phí"], y=28, size=5.2, step=0, attrs=' fill="#fff"'),
        _text(unit_lines, y=54, size=unit_size, step=unit_step, attrs=' font-weight="700"'),
        _text(_wrap(campaign_name, 70, 2), y=campaign_y, size=4.4, step=5.5, attrs=' fill="#444"'),
        f'<g transform="translate({qr_x} {qr_y}) scale({QR_SIZE_MM / len(matrix)})" shape-rendering="crispEdges">'
        f'<path d="{_modules_path(matrix)}" fill="#000"/></g>',
        _text([url], y=qr_y + QR_SIZE_MM + 4, size=3.4, step=0, attrs=' fill="#444"'),
        '<text x="24" y="236" font-size="5.8" font-weight="700">Cách trả lời:</text>',
        '<text x="24" y="246" font-size="5.2">1. Mở camera hoặc Zalo trên điện thoại, quét mã QR.</text>',
        f'<text x="24" y="255" font-size="5.2">2. Trả lời {length.questions} câu hỏi (khoảng {length.minutes} phút).'
        " Phiếu ẩn danh.</text>",
        '<text x="24" y="264" font-size="5.2">3. Bấm “Gửi phiếu”. Xin cảm ơn anh/chị!</text>',
        _text(_wrap(questionnaire_title, 100, 2), y=282, size=3.4, step=4, attrs=' fill="#666"'),
    ]
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="210mm" height="297mm" viewBox="0 0 210 297" '
        f'font-family="{FONT}">{"".join(body)}</svg>'
    )


def several_units(count: int) -> str:
    """The poster heading of a matrix questionnaire, which rates several units at once."""
    return f"Phiếu đánh giá {count} đơn vị"


def _ascii(text: str) -> str:
    """``text`` reduced to letters, digits, ``-`` and ``.``: safe in any ZIP tool or file system."""
    plain = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D"))
    plain = plain.encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9.-]+", "-", plain).strip("-.") or "x"


def poster_file_name(questionnaire_code: str, unit_code: str | None = None) -> str:
    """The file name of a poster in the ZIP archive: unit code, then questionnaire code."""
    parts = [unit_code, questionnaire_code] if unit_code else [questionnaire_code]
    return "_".join(_ascii(part) for part in parts) + ".svg"


def point_poster(point: CollectionPoint) -> tuple[str, str]:
    """The file name and SVG of the A4 poster of a collection point."""
    unit_name = point.unit.name if point.unit else several_units(len(point.units))
    svg = poster_svg(
        campaign_name=point.campaign.name,
        unit_name=unit_name,
        questionnaire_title=f"{point.questionnaire.code}: {point.questionnaire.title}",
        url=public_url(point),
        length=point.definition.length(len(point.units)),
    )
    return poster_file_name(point.questionnaire.code, point.unit_code), svg


def write_posters_zip(posters: Iterable[tuple[str, str]], file: BinaryIO) -> None:
    """Write a ZIP archive of ``(file name, SVG text)`` posters to an open binary file."""
    with zipfile.ZipFile(file, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for file_name, svg in posters:
            archive.writestr(file_name, svg)


def posters_zip(posters: Iterable[tuple[str, str]]) -> bytes:
    """A ZIP archive of ``(file name, SVG text)`` posters, in memory."""
    buffer = io.BytesIO()
    write_posters_zip(posters, buffer)
    return buffer.getvalue()
