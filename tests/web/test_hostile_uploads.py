"""Uploads an attacker (or a careless export) would send, over real HTTP to the app served by gunicorn.

Each file is generated here: a zip-bomb XLSX, sheets that lie about their size, CSV files
with more rows or more bad rows than any real frame, and a real frame of 100,000 rows. The
officer's page must answer quickly with a short page that names the limit and the value
found, the worker must survive, and a real frame must import in bounded memory.
"""

from __future__ import annotations

import csv
import html
import http.cookiejar
import io
import re
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from surveyapp.extensions import db
from surveyapp.models import FrameContact, FrameRecord
from surveyapp.services.frames import REQUIRED_COLUMNS
from tests.helpers import PASSWORD, csrf_token_of

HEADER = list(REQUIRED_COLUMNS)


def frame_row(number: int, unit: str = "21172-T01") -> list[str]:
    """A good row of a frame: one person, one returned record."""
    return [
        f"000.00.21.H55-{number:08d}",
        "Hộ tịch",
        unit,
        "02/01/2026",
        "05/01/2026",
        "Đã trả kết quả",
        f"Nguyễn Văn {number}",
        f"09{number:08d}",
    ]


def csv_file(rows: list[list[str]] | object) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def xlsx_with_sheet(sheet_xml_chunks, *, rows_hint: str = "") -> bytes:
    """A valid workbook whose first sheet's XML is replaced by ``sheet_xml_chunks`` (bytes)."""
    workbook = Workbook()
    workbook.active.append(["x"])
    template = io.BytesIO()
    workbook.save(template)
    result = io.BytesIO()
    with zipfile.ZipFile(template) as source, zipfile.ZipFile(result, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename == "xl/worksheets/sheet1.xml":
                with target.open("xl/worksheets/sheet1.xml", "w") as sheet:
                    for chunk in sheet_xml_chunks:
                        sheet.write(chunk)
            else:
                target.writestr(info, source.read(info.filename))
    return result.getvalue()


SHEET_START = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)


def sheet_xml(rows: int, dimension: str | None, cells_per_row: list[str]):
    """Chunks of a sheet with ``rows`` identical data rows after a header of the frame's columns.

    The rows carry no ``r`` attributes (they are optional), so that they compress as a bomb does.
    """
    yield SHEET_START
    if dimension:
        yield f'<dimension ref="{dimension}"/>'.encode()
    yield b"<sheetData>"

    def row(values: list[str]) -> bytes:
        cells = "".join(f'<c t="inlineStr"><is><t>{value}</t></is></c>' for value in values)
        return f"<row>{cells}</row>".encode()

    yield row(HEADER)
    block = row(cells_per_row) * 5000
    for _ in range(rows // 5000):
        yield block
    yield row(cells_per_row) * (rows % 5000)
    yield b"</sheetData></worksheet>"


def multipart(fields: dict[str, str], file_field: str, file_name: str, data: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{file_field}"; filename="{file_name}"\r\n'
        f"Content-Type: application/octet-stream\r\n\r\n".encode()
        + data
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


class Officer:
    """An officer logged in over HTTP, with a cookie jar, as a browser would be."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        token = csrf_token_of(self.get("/login").decode())
        body = urllib.parse.urlencode({"username": "canbo", "password": PASSWORD, "csrf_token": token}).encode()
        self.opener.open(base_url + "/login", data=body, timeout=30).read()

    def get(self, path: str) -> bytes:
        return self.opener.open(self.base_url + path, timeout=60).read()

    def upload_frame(self, campaign_id: int, name: str, data: bytes, *, skip: bool = False) -> tuple[int, str, float]:
        """Post the frame upload form; returns status, page and seconds taken."""
        path = f"/admin/campaigns/{campaign_id}/sample"
        fields = {"frame-csrf_token": csrf_token_of(self.get(path).decode())}
        if skip:
            fields["frame-skip_bad_rows"] = "y"
        body, content_type = multipart(fields, "frame-frame_file", name, data)
        request = urllib.request.Request(self.base_url + path, data=body, headers={"Content-Type": content_type})
        start = time.monotonic()
        try:
            with self.opener.open(request, timeout=120) as response:
                status, page = response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            status, page = error.code, error.read().decode()
        return status, page, time.monotonic() - start


@pytest.fixture
def frame_campaign(make_campaign, ward, officer):
    return make_campaign(["CX4"], list(ward.children))


def test_a_zip_bomb_xlsx_is_refused_by_its_declared_size(live_server, frame_campaign) -> None:
    bomb = xlsx_with_sheet(sheet_xml(200_000, None, frame_row(1)))
    assert len(bomb) < 1024 * 1024  # it fits the old 2 MB limit
    status, page, seconds = Officer(live_server).upload_frame(frame_campaign.id, "bomb.xlsx", bomb)
    assert status == 200
    assert seconds < 10
    assert len(page) < 100_000
    assert "Tệp XLSX khi giải nén" in page and "giới hạn 32 MB" in page
    assert db.session.scalar(select(func.count()).select_from(FrameRecord)) == 0


def test_an_xlsx_declaring_too_many_rows_is_refused_before_it_is_read(live_server, frame_campaign) -> None:
    sheet = xlsx_with_sheet(sheet_xml(3, "A1:H300001", frame_row(1)))
    status, page, seconds = Officer(live_server).upload_frame(frame_campaign.id, "lon.xlsx", sheet)
    assert status == 200 and seconds < 10
    assert "300.000 dòng" in page and "tối đa 200.000 dòng" in page


def test_an_xlsx_hiding_its_rows_is_refused_at_the_limit(gunicorn, app, frame_campaign) -> None:
    # No <dimension>: the rows are counted as they are read, and reading stops at the limit.
    server = gunicorn(UPLOAD_MAX_ROWS="20000")
    sheet = xlsx_with_sheet(sheet_xml(60_000, None, ["1"]))
    status, page, seconds = Officer(server.url).upload_frame(frame_campaign.id, "an.xlsx", sheet)
    assert status == 200 and seconds < 20
    assert "tối đa 20.000 dòng" in page and "quá 20.000 dòng" in page


def test_a_csv_with_more_rows_than_the_limit_is_refused(live_server, frame_campaign) -> None:
    rows = (["1", "2", "3", "4", "5", "6", "7", "8"] for _ in range(200_001))
    status, page, seconds = Officer(live_server).upload_frame(frame_campaign.id, "dai.csv", csv_file(rows))
    assert status == 200 and seconds < 20
    assert "tối đa 200.000 dòng" in page
    assert len(page) < 100_000


def test_a_csv_of_bad_rows_shows_the_first_problems_and_offers_them_all(live_server, frame_campaign) -> None:
    # 100,000 rows, each with five bad values: 500,000 problems in 1.9 MB.
    rows = ([f"X{n}", "", "", "x", "y", "", "", ""] for n in range(100_000))
    data = csv_file(rows)
    assert len(data) < 2 * 1024 * 1024
    officer = Officer(live_server)
    status, page, seconds = officer.upload_frame(frame_campaign.id, "loi.csv", data)
    assert status == 200 and seconds < 25
    assert len(page) < 100_000
    assert "Tệp có 700.000 lỗi" in page and "50 lỗi đầu tiên" in page
    link = re.search(r'href="([^"]+)"[^>]*>\s*Tải danh sách đầy đủ', page)
    assert link, "the page offers no download of the full list"
    download = officer.get(html.unescape(link.group(1))).decode("utf-8-sig")
    lines = download.splitlines()
    assert lines[0] == "Dòng,Cột,Giá trị,Lý do"
    assert len(lines) == 700_001


def test_a_real_frame_of_100000_rows_imports_in_bounded_memory(live_server, frame_campaign) -> None:
    units = ["21172-T01", "21172-T02", "21172-T03"]
    data = csv_file(frame_row(n, units[n % 3]) for n in range(100_000))
    assert len(data) > 8 * 1024 * 1024
    workers = _worker_pids(live_server)
    before = {pid: _status_kb(pid, "VmRSS") for pid in workers}
    status, page, seconds = Officer(live_server).upload_frame(frame_campaign.id, "khung.csv", data)
    assert status == 200, page[-2000:]
    assert "Đã nhập 100.000 hồ sơ" in page
    assert seconds < 30
    growth_mb = max(_status_kb(pid, "VmHWM") - before[pid] for pid in workers) / 1024
    assert growth_mb < 120, f"a worker grew by {growth_mb:.0f} MB"
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(FrameContact)) == 100_000


def _worker_pids(base_url: str) -> list[int]:
    """The gunicorn workers serving ``base_url``: the children of the master listening on its port."""
    port = int(base_url.rsplit(":", 1)[1])
    masters = [
        path.parent.name
        for path in Path("/proc").glob("[0-9]*/cmdline")
        if f"127.0.0.1:{port}".encode() in _read(path) and b"gunicorn" in _read(path)
    ]
    children = []
    for master in masters:
        for task in Path(f"/proc/{master}/task").iterdir():
            children += [int(pid) for pid in (task / "children").read_text().split()]
    return children


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:
        return b""


def _status_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise AssertionError(f"{field} not in /proc/{pid}/status")


def test_a_file_over_the_upload_limit_gets_a_page_naming_the_limit_and_what_to_do(gunicorn, frame_campaign) -> None:
    server = gunicorn(UPLOAD_MAX_BYTES=str(1024 * 1024))
    data = csv_file(frame_row(n) for n in range(20_000))
    assert len(data) > 1024 * 1024
    status, page, seconds = Officer(server.url).upload_frame(frame_campaign.id, "khung.csv", data)
    assert status == 413 and seconds < 10
    assert "quá lớn, vượt giới hạn 1 MB" in page and "CSV UTF-8" in page and "chia thành nhiều tệp" in page
    assert db.session.scalar(select(func.count()).select_from(FrameRecord)) == 0
