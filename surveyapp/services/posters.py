"""QR codes and printable A4 posters for the public links of a campaign.

Pure functions of URLs and names (no request needed), so the CLI can print thousands.

>>> svg = poster_svg(campaign_name="Khảo sát 2022", unit_name="Tổ dân phố 1", form_title="SIPAS",
...                  url="https://khaosat.example.vn/r/1/SIPAS-2017/W21172-T01")
>>> 'width="210mm"' in svg and "Tổ dân phố 1" in svg
True
"""

from __future__ import annotations

import io
import textwrap
import zipfile
from collections.abc import Iterable
from xml.sax.saxutils import escape

import qrcode
from qrcode.constants import ERROR_CORRECT_M
from qrcode.image.pure import PyPNGImage

QUIET_ZONE = 4  # modules of white around the code, as the QR standard asks
BRAND = "#0b5cad"
FONT = "Arial, Helvetica, 'Noto Sans', 'DejaVu Sans', sans-serif"


def _matrix(url: str) -> list[list[bool]]:
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=0)
    code.add_data(url)
    code.make(fit=True)
    return code.get_matrix()


def _modules_path(matrix: list[list[bool]]) -> str:
    """SVG path data drawing every dark module as a unit square, row runs merged."""
    parts = []
    for y, row in enumerate(matrix):
        x = 0
        while x < len(row):
            if row[x]:
                start = x
                while x < len(row) and row[x]:
                    x += 1
                parts.append(f"M{start + QUIET_ZONE},{y + QUIET_ZONE}h{x - start}v1h-{x - start}z")
            else:
                x += 1
    return "".join(parts)


def qr_png(url: str, box_size: int = 10) -> bytes:
    """The QR code of ``url`` as a PNG image."""
    image = qrcode.make(url, image_factory=PyPNGImage, error_correction=ERROR_CORRECT_M, box_size=box_size, border=4)
    buffer = io.BytesIO()
    image.save(buffer)
    return buffer.getvalue()


def qr_svg(url: str) -> str:
    """The QR code of ``url`` as a standalone SVG image that scales without blur."""
    matrix = _matrix(url)
    size = len(matrix) + 2 * QUIET_ZONE
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" width="{size * 4}" height="{size * 4}" '
        f'shape-rendering="crispEdges"><rect width="{size}" height="{size}" fill="#fff"/>'
        f'<path d="{_modules_path(matrix)}" fill="#000"/></svg>'
    )


def _text_lines(text: str, *, x: float, y: float, size: float, width: int, step: float, **attrs: str) -> str:
    extra = " ".join(f'{key.replace("_", "-")}="{value}"' for key, value in attrs.items())
    lines = textwrap.wrap(text, width=width) or [""]
    return "".join(
        f'<text x="{x}" y="{y + n * step:.1f}" font-size="{size}" {extra}>{escape(line)}</text>'
        for n, line in enumerate(lines)
    )


def poster_svg(*, campaign_name: str, unit_name: str, form_title: str, url: str) -> str:
    """An A4 poster: the unit's name, short instructions in Vietnamese and a large QR code."""
    matrix = _matrix(url)
    modules = len(matrix) + 2 * QUIET_ZONE
    qr_size = 120.0
    qr_x, qr_y = (210 - qr_size) / 2, 92.0
    centre = 'text-anchor="middle"'
    body = [
        f'<rect width="210" height="297" fill="#fff"/><rect width="210" height="38" fill="{BRAND}"/>',
        f'<text x="105" y="17" font-size="10" font-weight="700" fill="#fff" {centre}>KHẢO SÁT Ý KIẾN NGƯỜI DÂN</text>',
        f'<text x="105" y="29" font-size="5.2" fill="#fff" {centre}>'
        "Quét mã QR để trả lời phiếu – ẩn danh, miễn phí</text>",
        _text_lines(unit_name, x=105, y=56, size=9, width=34, step=10, font_weight="700", text_anchor="middle"),
        _text_lines(campaign_name, x=105, y=77, size=4.4, width=70, step=5.5, fill="#444", text_anchor="middle"),
        f'<g transform="translate({qr_x} {qr_y}) scale({qr_size / modules})" shape-rendering="crispEdges">'
        f'<path d="{_modules_path(matrix)}" fill="#000"/></g>',
        f'<text x="105" y="{qr_y + qr_size + 7}" font-size="3.4" fill="#444" {centre}>{escape(url)}</text>',
        '<text x="22" y="240" font-size="5.6" font-weight="700">Cách trả lời:</text>',
        '<text x="22" y="250" font-size="5.2">1. Mở camera hoặc Zalo trên điện thoại, quét mã QR.</text>',
        '<text x="22" y="259" font-size="5.2">2. Trả lời các câu hỏi (khoảng 5 phút). Phiếu không ghi tên.</text>',
        '<text x="22" y="268" font-size="5.2">3. Bấm «Gửi phiếu». Xin cảm ơn anh/chị!</text>',
        _text_lines(form_title, x=105, y=285, size=3.4, width=110, step=4, fill="#666", text_anchor="middle"),
    ]
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="210mm" height="297mm" viewBox="0 0 210 297" '
        f'font-family="{FONT}">{"".join(body)}</svg>'
    )


def posters_zip(posters: Iterable[tuple[str, str]]) -> bytes:
    """A ZIP archive of ``(file name, SVG text)`` posters."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for file_name, svg in posters:
            archive.writestr(file_name, svg)
    return buffer.getvalue()
