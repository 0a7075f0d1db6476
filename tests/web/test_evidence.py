"""Evidence files of assessed units: what is kept, what is refused, who may read and delete them.

Each accepted type is uploaded through the unit's page and read back; hostile or careless files
(a web page or an SVG renamed ``.pdf``, an empty file, a path in the name, a file over a limit)
are refused with a message naming the file and nothing is kept, on disk or in the database.
The download's headers are read over real HTTP from gunicorn, as a browser receives them.
"""

from __future__ import annotations

import hashlib
import http.client
import io
import re
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from surveyapp.extensions import db
from surveyapp.models import AuditAction, AuditEntry, EvidenceFile, Unit, User, UserRole
from surveyapp.services.evidence import check_evidence_store
from tests.conftest import existing_account
from tests.helpers import PASSWORD, AuthActions, csrf_token_of
from tests.web.test_hostile_uploads import multipart
from tests.web.test_sessions import Browser

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(17)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(20) + b"\xff\xd9"
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)


def zipped(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def office_open_xml(folder: str) -> bytes:
    return zipped({"[Content_Types].xml": b"<Types/>", f"{folder}/document.xml": b"<document/>"})


def open_document(kind: str) -> bytes:
    return zipped({"mimetype": f"application/vnd.oasis.opendocument.{kind}".encode(), "content.xml": b"<x/>"})


OOXML = "application/vnd.openxmlformats-officedocument"
ACCEPTED = [
    ("ke-hoach.pdf", PDF, "application/pdf"),
    ("anh-chup.png", PNG, "image/png"),
    ("bien-ban.jpg", JPEG, "image/jpeg"),
    ("bien-ban.JPEG", JPEG, "image/jpeg"),
    ("bao-cao.docx", office_open_xml("word"), f"{OOXML}.wordprocessingml.document"),
    ("so-lieu.xlsx", office_open_xml("xl"), f"{OOXML}.spreadsheetml.sheet"),
    ("trinh-bay.pptx", office_open_xml("ppt"), f"{OOXML}.presentationml.presentation"),
    ("van-ban.odt", open_document("text"), "application/vnd.oasis.opendocument.text"),
    ("bang-tinh.ods", open_document("spreadsheet"), "application/vnd.oasis.opendocument.spreadsheet"),
    ("cong-van.doc", OLE, "application/msword"),
    ("thong-ke.xls", OLE, "application/vnd.ms-excel"),
]


@pytest.fixture
def other_unit_account(app: Flask) -> User:
    other = Unit(code="21175", name="Phường Đồng Sơn", kind="phường")
    db.session.add(other)
    db.session.commit()
    account = {"username": "dongson", "full_name": "Văn phòng phường Đồng Sơn", "password": PASSWORD}
    return existing_account(**account, role=UserRole.UNIT, assessed_unit=other)


def store_of(app: Flask) -> Path:
    return Path(app.config["EVIDENCE_DIR"])


def stored_blobs(app: Flask) -> dict[str, bytes]:
    """Every content in the store, by its path below the store (``ab/abcdef…``)."""
    store = store_of(app)
    return {
        path.relative_to(store).as_posix(): path.read_bytes()
        for path in store.glob("*/*")
        if path.is_file() and path.parent.name != "incoming"
    }


def incoming(app: Flask) -> list[Path]:
    return list((store_of(app) / "incoming").glob("*"))


def upload(client: FlaskClient, name: str, data: bytes, title: str = "Kế hoạch CCHC năm 2025"):
    """Post the upload form as a browser encodes it (the test client's own encoder leaves a
    temporary file open for a big file)."""
    token = csrf_token_of(client.get("/unit/evidence").get_data(as_text=True))
    body, content_type = multipart({"csrf_token": token, "title": title}, "file", name, data)
    return client.post("/unit/evidence", data=body, content_type=content_type)


def fetch(client: FlaskClient, url: str):
    """The response to a GET, read whole and closed (a sent file stays open until then)."""
    response = client.get(url)
    response.get_data()
    response.close()
    return response


def count(model: type) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize(("name", "data", "mimetype"), ACCEPTED, ids=[name for name, _d, _m in ACCEPTED])
def test_each_accepted_type_is_kept_once_under_its_hash_and_listed(
    app, client, auth: AuthActions, unit_account, name: str, data: bytes, mimetype: str
) -> None:
    auth.login("phuong")
    response = upload(client, name, data)
    assert response.status_code == 302, response.get_data(as_text=True)
    page = client.get("/unit/evidence").get_data(as_text=True)
    assert "Kế hoạch CCHC năm 2025" in page and name in page and "Đã lưu tài liệu" in page
    evidence = db.session.scalar(select(EvidenceFile))
    digest = hashlib.sha256(data).hexdigest()
    assert (evidence.file_name, evidence.mimetype, evidence.size) == (name, mimetype, len(data))
    assert evidence.sha256 == digest
    assert evidence.unit_id == unit_account.assessed_unit_id and evidence.uploaded_by_id == unit_account.id
    assert stored_blobs(app) == {f"{digest[:2]}/{digest}": data}
    assert incoming(app) == []
    download = fetch(client, f"/unit/evidence/{evidence.id}")
    assert download.status_code == 200 and download.data == data and download.mimetype == mimetype


HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("ke-hoach.pdf", HTML, "Nội dung tệp «ke-hoach.pdf» không phải là tệp .pdf"),
        ("ke-hoach.pdf", SVG, "Nội dung tệp «ke-hoach.pdf» không phải là tệp .pdf"),
        ("anh.png", JPEG, "Nội dung tệp «anh.png» không phải là tệp .png"),
        ("bao-cao.docx", zipped({"word/document.xml": b"<d/>"}), "không phải là tệp .docx"),
        ("bao-cao.docx", office_open_xml("xl"), "không phải là tệp .docx"),
        ("van-ban.odt", open_document("spreadsheet"), "không phải là tệp .odt"),
        ("so-lieu.xlsx", b"PK\x03\x04 not really a zip", "không phải là tệp .xlsx"),
        ("rong.pdf", b"", "Tệp «rong.pdf» rỗng (0 byte)"),
        ("trang.html", HTML, "Tệp «trang.html» không thuộc loại được nhận"),
        ("hinh.svg", SVG, "Tệp «hinh.svg» không thuộc loại được nhận"),
        ("chay.exe", b"MZ\x90\x00", "Tệp «chay.exe» không thuộc loại được nhận"),
        ("khong-duoi", PDF, "Tệp «khong-duoi» không thuộc loại được nhận"),
        ("..", PDF, "Tên tệp «..» không dùng được"),
    ],
)
def test_a_file_not_of_an_accepted_type_is_refused_naming_it_and_nothing_is_kept(
    app, client, auth, unit_account, name: str, data: bytes, message: str
) -> None:
    auth.login("phuong")
    response = upload(client, name, data)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert count(EvidenceFile) == 0 and count(AuditEntry) == 0
    assert stored_blobs(app) == {} and incoming(app) == []


@pytest.mark.parametrize(
    ("name", "kept"),
    [
        ("../../../etc/cron.d/ke-hoach.pdf", "ke-hoach.pdf"),
        ("/tmp/.ke-hoach.pdf", "ke-hoach.pdf"),
        ("Kế hoạch <số 12>; năm 2025.pdf", "Kế hoạch _số 12__ năm 2025.pdf"),
        ("bao\tcao\x7f.pdf", "bao_cao_.pdf"),
    ],
)
def test_a_path_or_odd_characters_in_a_file_name_are_dropped(app, client, auth, unit_account, name, kept) -> None:
    auth.login("phuong")
    assert upload(client, name, PDF).status_code == 302
    assert db.session.scalar(select(EvidenceFile.file_name)) == kept
    digest = hashlib.sha256(PDF).hexdigest()
    assert stored_blobs(app) == {f"{digest[:2]}/{digest}": PDF}  # inside the store, under its hash only


def test_a_file_over_the_limit_of_a_file_or_of_the_unit_is_refused_naming_the_limit(
    app, client, auth, unit_account
) -> None:
    app.config["EVIDENCE_MAX_BYTES"] = 3 * 1024 * 1024
    app.config["EVIDENCE_UNIT_MAX_BYTES"] = 4 * 1024 * 1024
    auth.login("phuong")
    # Just over the limit of a file, within the form's margin: read, measured and refused by name.
    big = PDF + bytes(3 * 1024 * 1024)
    page = upload(client, "quet.pdf", big).get_data(as_text=True)
    assert "Tệp «quet.pdf» vượt giới hạn 3 MB cho mỗi tệp nên chưa được lưu" in page
    assert upload(client, "mot.pdf", PDF + bytes(2 * 1024 * 1024)).status_code == 302
    page = upload(client, "hai.pdf", PDF + bytes(2 * 1024 * 1024 + 1)).get_data(as_text=True)
    assert "Tệp «hai.pdf» (2 MB) chưa được lưu: tài liệu kiểm chứng của đơn vị đã dùng 2 MB" in page
    assert "tổng dung lượng 4 MB" in page
    assert count(EvidenceFile) == 1 and len(stored_blobs(app)) == 1 and incoming(app) == []


def test_a_body_far_over_the_limit_gets_a_page_that_names_the_limit(app, client, auth, unit_account) -> None:
    app.config["EVIDENCE_MAX_BYTES"] = 1024 * 1024
    auth.login("phuong")
    response = upload(client, "quet.pdf", PDF + bytes(2 * 1024 * 1024))
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "Tệp tài liệu kiểm chứng vượt giới hạn 1 MB cho mỗi tệp nên chưa được lưu" in page
    assert count(EvidenceFile) == 0 and stored_blobs(app) == {}


def test_the_same_content_is_stored_once_and_removed_with_its_last_record(app, client, auth, unit_account) -> None:
    auth.login("phuong")
    assert upload(client, "ke-hoach.pdf", PDF, title="Kế hoạch").status_code == 302
    assert upload(client, "ban-sao.pdf", PDF, title="Bản sao kế hoạch").status_code == 302
    first, second = db.session.scalars(select(EvidenceFile).order_by(EvidenceFile.id)).all()
    assert first.sha256 == second.sha256 and len(stored_blobs(app)) == 1
    token = csrf_token_of(client.get("/unit/evidence").get_data(as_text=True))
    assert client.post(f"/unit/evidence/{first.id}/delete", data={"csrf_token": token}).status_code == 302
    assert "Đã xóa tài liệu «Kế hoạch»" in client.get("/unit/evidence").get_data(as_text=True)
    assert len(stored_blobs(app)) == 1  # the other record still has it
    assert fetch(client, f"/unit/evidence/{second.id}").data == PDF
    assert client.post(f"/unit/evidence/{second.id}/delete", data={"csrf_token": token}).status_code == 302
    assert count(EvidenceFile) == 0 and stored_blobs(app) == {}
    trail = [
        (entry.actor, entry.action, entry.details["file"])
        for entry in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))
    ]
    assert trail == [
        ("phuong", AuditAction.EVIDENCE_UPLOADED, "ke-hoach.pdf"),
        ("phuong", AuditAction.EVIDENCE_UPLOADED, "ban-sao.pdf"),
        ("phuong", AuditAction.EVIDENCE_DELETED, "ke-hoach.pdf"),
        ("phuong", AuditAction.EVIDENCE_DELETED, "ban-sao.pdf"),
    ]


def test_a_refused_transaction_leaves_no_content_behind(app, unit_account) -> None:
    """An upload whose transaction is rolled back (a later step failed) places nothing."""
    from surveyapp.services.evidence import upload_evidence

    upload_evidence(unit_account.assessed_unit, "Kế hoạch", "ke-hoach.pdf", io.BytesIO(PDF), by=unit_account)
    assert incoming(app) != []
    db.session.rollback()
    assert incoming(app) == [] and stored_blobs(app) == {} and count(EvidenceFile) == 0


def test_another_units_file_is_unknown_to_a_unit_and_readable_by_an_officer(
    app, client, auth, unit_account, other_unit_account, officer, surveyor
) -> None:
    auth.login("phuong")
    upload(client, "ke-hoach.pdf", PDF)
    evidence = db.session.scalar(select(EvidenceFile))
    client.post("/logout", data={"csrf_token": csrf_token_of(client.get("/unit/").get_data(as_text=True))})
    auth.login("dongson")
    assert client.get(f"/unit/evidence/{evidence.id}").status_code == 404
    assert client.get(f"/unit/evidence/{evidence.id + 1}").status_code == 404  # alike: no id is confirmed
    token = csrf_token_of(client.get("/unit/evidence").get_data(as_text=True))
    assert client.post(f"/unit/evidence/{evidence.id}/delete", data={"csrf_token": token}).status_code == 404
    assert "ke-hoach.pdf" not in client.get("/unit/evidence").get_data(as_text=True)
    assert client.get(f"/admin/evidence/{evidence.id}").status_code == 403
    assert count(EvidenceFile) == 1 and len(stored_blobs(app)) == 1
    client.post("/logout", data={"csrf_token": token})
    auth.login("dtv1")
    assert client.get(f"/admin/evidence/{evidence.id}").status_code == 403
    assert client.get(f"/unit/evidence/{evidence.id}").status_code == 403
    client.post("/logout", data={"csrf_token": csrf_token_of(client.get("/field/").get_data(as_text=True))})
    auth.login("canbo")
    page = client.get(f"/admin/units/{unit_account.assessed_unit_id}/evidence").get_data(as_text=True)
    assert "Kế hoạch CCHC năm 2025" in page and "ke-hoach.pdf" in page
    assert "/delete" not in page  # officers read a unit's evidence; only the unit deletes it
    assert fetch(client, f"/admin/evidence/{evidence.id}").data == PDF


# Over real HTTP ------------------------------------------------------------------------------


def http_request(browser: Browser, method: str, path: str, body: bytes | None = None, content_type: str = ""):
    """A request with the browser's session cookie; status, headers (lower-cased) and raw body."""
    headers = {"Cookie": f"session={browser.session}"}
    if content_type:
        headers["Content-Type"] = content_type
    connection = http.client.HTTPConnection(browser.host, browser.port, timeout=60)
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def http_upload(browser: Browser, name: str, data: bytes, title: str) -> tuple[int, str]:
    token = csrf_token_of(browser.get("/unit/evidence")[2])
    body, content_type = multipart({"csrf_token": token, "title": title}, "file", name, data)
    status, _headers, page = http_request(browser, "POST", "/unit/evidence", body, content_type)
    return status, page.decode()


@pytest.fixture
def served_store(app: Flask, gunicorn) -> tuple[str, Path]:
    """The address of the app served with a 1 MB limit per file, and the evidence folder it shares."""
    return gunicorn(EVIDENCE_MAX_BYTES=str(1024 * 1024)).url, store_of(app)


def test_a_download_over_http_is_an_attachment_that_no_browser_runs(
    served_store, unit_account, other_unit_account, officer
) -> None:
    url, store = served_store
    unit = Browser(url)
    unit.login("phuong")
    status, page = http_upload(unit, "Kế hoạch CCHC 2025.pdf", PDF, "Kế hoạch cải cách hành chính năm 2025")
    assert status == 302, page
    evidence = db.session.scalar(select(EvidenceFile))
    assert (store / evidence.sha256[:2] / evidence.sha256).read_bytes() == PDF

    status, headers, body = http_request(unit, "GET", f"/unit/evidence/{evidence.id}")
    assert status == 200 and body == PDF
    assert headers["content-type"] == "application/pdf"
    disposition = headers["content-disposition"]
    assert disposition.startswith("attachment;") and "inline" not in disposition
    assert "filename*=UTF-8''K%E1%BA%BF%20ho%E1%BA%A1ch%20CCHC%202025.pdf" in disposition
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["content-security-policy"] == "sandbox"
    assert headers["cache-control"] == "no-store"

    officer_browser = Browser(url)
    officer_browser.login("canbo")
    status, headers, body = http_request(officer_browser, "GET", f"/admin/evidence/{evidence.id}")
    assert status == 200 and body == PDF and headers["content-disposition"].startswith("attachment;")

    other = Browser(url)
    other.login("dongson")
    assert http_request(other, "GET", f"/unit/evidence/{evidence.id}")[0] == 404


def test_hostile_uploads_over_http_are_refused_and_a_big_body_is_explained(served_store, unit_account) -> None:
    url, store = served_store
    unit = Browser(url)
    unit.login("phuong")
    status, page = http_upload(unit, "ke-hoach.pdf", SVG, "Ảnh")
    assert status == 200 and "Nội dung tệp «ke-hoach.pdf» không phải là tệp .pdf" in page
    status, page = http_upload(unit, "../../ke-hoach.pdf", HTML, "Trang")
    assert status == 200 and "Nội dung tệp «ke-hoach.pdf» không phải là tệp .pdf" in page
    status, page = http_upload(unit, "quet.pdf", PDF + bytes(3 * 1024 * 1024), "Bản quét")
    assert status == 413 and "vượt giới hạn 1 MB cho mỗi tệp" in page
    assert count(EvidenceFile) == 0
    assert [path for path in store.rglob("*") if path.is_file() and path.name != ".lock"] == []


def test_one_content_uploaded_and_deleted_at_once_by_two_units_is_never_lost(
    app, gunicorn, unit_account, other_unit_account
) -> None:
    """Two gunicorn workers: one unit keeps uploading and deleting a document while another
    unit uploads the same document; every record that remains finds its content."""
    url = gunicorn().url
    rounds = 15

    def churn(username: str, *, delete: bool) -> None:
        browser = Browser(url)
        browser.login(username)
        for number in range(rounds):
            status, page = http_upload(browser, f"ban-{number}.pdf", PDF, f"Bản {number}")
            assert status == 302, page
            if delete:
                newest = re.search(r"/unit/evidence/(\d+)/delete", browser.get("/unit/evidence")[2]).group(1)
                status, _, _ = browser.post_form(f"/unit/evidence/{newest}/delete", {}, token_from="/unit/evidence")
                assert status == 302

    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = [pool.submit(churn, "phuong", delete=True), pool.submit(churn, "dongson", delete=False)]
        for future in futures:
            future.result()
    db.session.rollback()
    kept = db.session.scalars(select(EvidenceFile)).all()
    assert len(kept) == rounds and {evidence.unit_id for evidence in kept} == {other_unit_account.assessed_unit_id}
    check = check_evidence_store()
    assert check.is_whole and check.unreferenced == set()
    assert len(stored_blobs(app)) == 1


def test_a_file_of_exactly_the_default_limit_goes_through_over_http(app, gunicorn, unit_account) -> None:
    """20 MB, the default limit of a file, with the form around it: accepted, stored whole."""
    limit = app.config["EVIDENCE_MAX_BYTES"]
    assert limit == 20 * 1024 * 1024
    data = PDF + bytes(limit - len(PDF))
    browser = Browser(gunicorn().url)
    browser.login("phuong")
    started = time.monotonic()
    status, page = http_upload(browser, "ban-quet.pdf", data, "Bản quét quyết định")
    seconds = time.monotonic() - started
    assert status == 302, page
    digest = hashlib.sha256(data).hexdigest()
    assert (store_of(app) / digest[:2] / digest).stat().st_size == limit
    assert seconds < 10, f"a 20 MB upload took {seconds:.1f} s"
    print(f"20 MB evidence upload over gunicorn: {seconds:.2f} s")
