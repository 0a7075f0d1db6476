"""PDF files from our print pages (``surveyapp.pdf``): A4, Vietnamese text, nothing fetched."""

from __future__ import annotations

import io
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from flask import Flask
from pypdf import PdfReader

from surveyapp import pdf
from surveyapp.pdf import PdfUnavailable, RefusedAddress, html_to_pdf, static_file
from tests.helpers import SECRET_KEY

A4 = (595, 842)  # points, portrait
BASE_URL = "http://surveyapp.test/"


def read_pdf(data: bytes) -> tuple[list[tuple[int, int]], str]:
    """The size of each page (rounded points) and the whole text of a PDF."""
    assert data.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(data))
    sizes = [(round(page.mediabox.width), round(page.mediabox.height)) for page in reader.pages]
    return sizes, "\n".join(page.extract_text() for page in reader.pages)


def render(app: Flask, body: str, stylesheet: str = "sign_off.css") -> bytes:
    head = f'<meta charset="utf-8"><link rel="stylesheet" href="/static/{stylesheet}">'
    page = f'<!doctype html><html lang="vi"><head>{head}</head><body>{body}</body></html>'
    with app.test_request_context():
        return html_to_pdf(page, BASE_URL)


def font_families(data: bytes) -> set[str]:
    """The families of the fonts a PDF embeds (``ABCDEF+Liberation-Serif-Bold`` → ``Liberation-Serif``)."""
    reader = PdfReader(io.BytesIO(data))
    names = {font.get_object()["/BaseFont"] for page in reader.pages for font in page["/Resources"]["/Font"].values()}
    return {re.sub(r"-(Bold|Italic|BoldItalic)$", "", name.partition("+")[2]) for name in names}


@pytest.mark.pdf
def test_a_print_page_becomes_an_a4_pdf_whose_text_keeps_its_diacritics(app: Flask) -> None:
    data = render(app, "<h1>Phường Trương Quang Trọng</h1><p>Thủ trưởng đơn vị <em>(Ký, ghi rõ họ tên)</em></p>")
    sizes, text = read_pdf(data)
    assert sizes == [A4]
    assert "Phường Trương Quang Trọng" in text and "Thủ trưởng đơn vị (Ký, ghi rõ họ tên)" in text
    # One typeface, not letters patched from another font: the system's Times New Roman stand-in
    # must have the Vietnamese letters (Debian's fonts-liberation2, as .ci/run installs).
    assert font_families(data) == {"Liberation-Serif"}, "install fonts-liberation2 (README: PDF files)"


@pytest.mark.pdf
@pytest.mark.parametrize("stylesheet", ["sign_off.css", "payment_list.css"])
def test_a_list_over_several_pages_shows_its_total_once_after_the_last_line(app: Flask, stylesheet: str) -> None:
    """A total printed at the foot of every page reads like a page subtotal on a payment document."""
    lines = "".join(f"<tr><td>{n}</td><td></td><td>10.000</td></tr>" for n in range(1, 121))
    table = f"<table><thead><tr><th>STT</th><th>Họ và tên</th><th>Số tiền</th></tr></thead><tbody>{lines}</tbody>"
    sizes, text = read_pdf(
        render(app, table + "<tfoot><tr><th>Tổng cộng</th><th></th><th>1.200.000</th></tr></tfoot></table>", stylesheet)
    )
    assert len(sizes) >= 3
    assert text.count("Tổng cộng") == 1 and text.rstrip().endswith("1.200.000")
    assert text.count("Họ và tên") == len(sizes)  # the heading does repeat on every page


@pytest.mark.pdf
def test_the_page_stylesheet_is_read_from_our_static_folder(app: Flask) -> None:
    # payment_list.css turns the page to A4 landscape: the layout is the print page's own.
    sizes, _text = read_pdf(render(app, "<p>Bảng thù lao</p>", "payment_list.css"))
    assert sizes == [A4[::-1]]


@pytest.fixture
def outside_server() -> Iterator[tuple[str, list[str]]]:
    """A web server on the loopback that records every path asked of it."""
    asked: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            asked.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "text/css")
            self.end_headers()
            self.wfile.write(b"@page { size: A5 }")

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", asked
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.mark.pdf
def test_no_address_outside_our_static_files_is_fetched(app: Flask, outside_server, tmp_path) -> None:
    address, asked = outside_server
    secret = tmp_path / "secret.txt"
    secret.write_text("MẬT KHẨU")
    body = (
        f'<link rel="stylesheet" href="{address}/a.css"><img src="{address}/b.png" alt="">'
        f'<link rel="stylesheet" href="file://{tmp_path}/x.css"><a rel="attachment" href="file://{secret}">tệp</a>'
        f'<img src="{BASE_URL}static/../../../../{secret}" alt=""><p>Tổ dân phố 1</p>'
    )
    data = render(app, body)

    assert asked == []
    sizes, text = read_pdf(data)
    assert sizes == [A4], "the outside stylesheet (A5) was not applied"
    assert "Tổ dân phố 1" in text and "MẬT KHẨU".encode() not in data
    assert not PdfReader(io.BytesIO(data)).attachments


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/static/app.css",  # another host
        "file:///etc/passwd",
        "data:text/css,body{}",
        f"{BASE_URL}static/../surveyapp/__init__.py",
        f"{BASE_URL}static/%2e%2e/config.py",
        f"{BASE_URL}static/no-such-file.css",
        f"{BASE_URL}elsewhere/app.css",
    ],
)
def test_the_fetcher_refuses_every_address_but_a_static_file(app: Flask, url: str) -> None:
    with pytest.raises(RefusedAddress):
        static_file(url, f"{BASE_URL}static/", app.static_folder)


def test_the_fetcher_serves_a_static_file_with_its_type(app: Flask) -> None:
    body, content_type = static_file(f"{BASE_URL}static/sign_off.css?v=1", f"{BASE_URL}static/", app.static_folder)
    assert content_type == "text/css" and b"@page { size: A4;" in body


@pytest.fixture
def without_weasyprint(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A machine where WeasyPrint cannot be imported (as without Pango)."""
    monkeypatch.setitem(sys.modules, "weasyprint", None)
    pdf._weasyprint.cache_clear()
    yield
    monkeypatch.undo()
    pdf._weasyprint.cache_clear()


def test_without_weasyprint_a_pdf_is_refused_with_what_to_do_instead(app: Flask, without_weasyprint) -> None:
    assert not pdf.is_available()
    with pytest.raises(PdfUnavailable, match="dùng lệnh In của trình duyệt"):
        render(app, "<p>x</p>")


def test_the_service_starts_and_serves_without_weasyprint() -> None:
    # A fresh interpreter where WeasyPrint cannot be imported (as on a machine without Pango):
    # the factory and a page never import it.
    script = (
        "import sys; sys.modules['weasyprint'] = None\n"
        "from surveyapp import create_app\n"
        f"app = create_app({{'SECRET_KEY': {SECRET_KEY!r}, 'SQLALCHEMY_DATABASE_URI': 'sqlite://'}})\n"
        "assert app.test_client().get('/login').status_code == 200\n"
        "from surveyapp import pdf; assert not pdf.is_available()\n"
    )
    subprocess.run([sys.executable, "-c", script], check=True, timeout=120)
