"""Every download, fetched whole from the app served by gunicorn over real HTTP.

The Flask test client keeps the test's application context (and its database session)
alive while a response streams, which hides streams that read the database after the view
returned. Here each file is read to its end from gunicorn, parsed, and its audit entry checked.
A new download route without a case below fails ``test_every_download_route_is_tested``.
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import http.cookiejar
import io
import json
import re
import urllib.parse
import urllib.request
import zipfile
from collections.abc import Callable
from xml.etree import ElementTree

import pytest
from flask import Flask
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import AssessmentRound, AuditAction, AuditEntry, Campaign
from surveyapp.services.assessment_rounds import RoundDraft, create_round, open_self_assessment
from surveyapp.services.publications import Decision, get_campaign_publications, publish_results
from surveyapp.services.self_assessments import ScoreDraft, get_assessment, get_round_assessments, save_score
from tests.helpers import PASSWORD, csrf_token_of, filled_form, submit
from tests.web.test_hostile_uploads import csv_file, multipart
from tests.web.test_round_index import make_groups, store_small_set

# A route serves a file when its path ends with an extension (or an extension placeholder).
FILE_RULE = re.compile(r"\.(?:[a-z]+|<[^>]+>)$")


def read_csv(body: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))


def read_xlsx(body: bytes) -> list[list]:
    workbook = load_workbook(io.BytesIO(body), read_only=True)
    return [list(row) for sheet in workbook.worksheets for row in sheet.iter_rows(values_only=True)]


def read_zip(body: bytes) -> list:
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        assert archive.testzip() is None
        members = [(name, archive.read(name)) for name in archive.namelist()]
    assert members
    return [read_csv(data) if name.endswith(".csv") else read_svg(data) for name, data in members]


def read_svg(body: bytes) -> ElementTree.Element:
    root = ElementTree.fromstring(body)
    assert root.tag.endswith("svg")
    return root


def read_pdf(body: bytes) -> str:
    """The text of a whole PDF (pypdf reads the cross-reference table at its end)."""
    assert body.startswith(b"%PDF-") and body.rstrip().endswith(b"%%EOF")
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)


def read_png(body: bytes) -> bytes:
    assert body.startswith(b"\x89PNG\r\n\x1a\n") and body.endswith(b"IEND\xaeB`\x82")
    return body


class Officer:
    """An officer's browser: its own cookies, logged in through the real page."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        token = csrf_token_of(self.get("/login")[1].decode())
        form = {"username": "canbo", "password": PASSWORD, "csrf_token": token}
        self.opener.open(base_url + "/login", data=urllib.parse.urlencode(form).encode(), timeout=60).read()

    def get(self, path: str) -> tuple[str, bytes]:
        """The content type and the whole body; an aborted stream raises ``http.client.IncompleteRead``."""
        with self.opener.open(self.base_url + path, timeout=120) as reply:
            assert reply.status == 200, path
            return reply.headers["Content-Type"], reply.read()

    def refused_upload_problems(self, campaign_id: int) -> str:
        """Upload a frame with a bad row; the address of the full list of its problems."""
        path = f"/admin/campaigns/{campaign_id}/sample"
        fields = {"frame-csrf_token": csrf_token_of(self.get(path)[1].decode())}
        body, content_type = multipart(fields, "frame-frame_file", "khung.csv", csv_file([["X1", "", "", "x"]]))
        upload = urllib.request.Request(self.base_url + path, data=body, headers={"Content-Type": content_type})
        with self.opener.open(upload, timeout=60) as reply:
            page = reply.read().decode()
        link = re.search(r'href="([^"]+)"[^>]*>\s*Tải danh sách đầy đủ', page)
        assert link, "the refused upload offers no list of its problems"
        return html.unescape(link.group(1))


@pytest.fixture
def served(app: Flask, live_server: str, officer, make_campaign, ward) -> tuple[Officer, int]:
    """A SIPAS campaign with three responses, and an officer logged in on the served app."""
    campaign = make_campaign(["SIPAS-2017"], [ward])
    client = app.test_client()
    for _ in range(3):
        submit(client, f"/r/{campaign.id}/SIPAS-2017/21172", filled_form(campaign.questionnaires[0].definition))
    return Officer(live_server), campaign.id


def published(campaign_id: int) -> str:
    """The public address of the campaign's results, published now if they are not yet."""
    campaign = db.session.get_one(Campaign, campaign_id)
    publications = get_campaign_publications(campaign)
    if not publications:
        publications = [publish_results(campaign, Decision("Quyết định số 1/QĐ-UBND", dt.date(2026, 12, 1)))]
        db.session.commit()
    return f"/cong-bo/{publications[0].slug}"


def published_tables(campaign_id: int) -> list[str]:
    """The keys of the published tables of the campaign (each one CSV file)."""
    published(campaign_id)
    snapshot = get_campaign_publications(db.session.get_one(Campaign, campaign_id))[0].snapshot
    return [table["key"] for section in snapshot["sections"] for table in section["tables"]]


def test_the_public_page_of_published_results_has_no_script_and_is_small(served) -> None:
    officer, campaign_id = served
    address = published(campaign_id)
    with urllib.request.urlopen(officer.base_url + address, timeout=60) as reply:  # no log-in
        body = reply.read()
        assert reply.status == 200
        assert reply.headers["Cache-Control"].startswith("public, max-age=")
        assert reply.headers["ETag"]
    assert b"<script" not in body.lower()
    assert b'lang="vi"' in body and "Quyết định số 1/QĐ-UBND".encode() in body
    assert len(body) < 60_000, len(body)


def assessed_round() -> tuple[int, int]:
    """The ids of a round in self-assessment (made now if there is none) and of one unit it assesses,
    partly scored: the index's small set over a ward's two residential groups."""
    assessment_round = db.session.scalar(select(AssessmentRound))
    if assessment_round is None:
        first, _second = make_groups()
        today = dt.date.today()
        draft = RoundDraft("Chỉ số CCHC thử", today.year, store_small_set().id, first.parent_id, today, today)
        assessment_round = create_round(draft)
        open_self_assessment(assessment_round)
        save_score(get_assessment(assessment_round.id, first.id), "1.1", ScoreDraft("3", "", (), "Chưa số hóa"))
        db.session.commit()
    return assessment_round.id, get_round_assessments(assessment_round)[0].unit_id


def exported_files() -> list[str]:
    db.session.rollback()  # see what the server committed since
    return [
        e.details["file"]
        for e in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))
        if e.action is AuditAction.EXPORTED
    ]


PARSERS: dict[str, Callable[[bytes], object]] = {
    "csv": read_csv,
    "xlsx": read_xlsx,
    "zip": read_zip,
    "pdf": read_pdf,
    "png": read_png,
    "svg": read_svg,
    "json": json.loads,
}
# endpoint → (its paths given the officer and the campaign id, whether a download is recorded as an export)
DOWNLOADS: dict[str, tuple[Callable[[Officer, int], list[str]], bool]] = {
    "admin.export_indices": (lambda _, c: [f"/admin/campaigns/{c}/export/indices.{x}" for x in ("xlsx", "zip")], True),
    "admin.export_responses": (
        lambda _, c: [f"/admin/campaigns/{c}/export/responses/SIPAS-2017.{x}" for x in ("csv", "xlsx")],
        True,
    ),
    "admin.audit_export": (lambda _, c: [f"/admin/audit.csv?campaign={c}", "/admin/audit.csv"], True),
    "admin.import_template": (lambda _, c: [f"/admin/campaigns/{c}/import/template/SIPAS-2017.csv"], True),
    "admin.remuneration_download": (lambda _, c: [f"/admin/campaigns/{c}/remuneration.xlsx"], True),
    "admin.sign_off_download": (lambda _, c: [f"/admin/campaigns/{c}/remuneration/sign-off.xlsx"], True),
    "admin.remuneration_pdf": (lambda _, c: [f"/admin/campaigns/{c}/remuneration.pdf"], True),
    "admin.sign_off_pdf": (lambda _, c: [f"/admin/campaigns/{c}/remuneration/sign-off.pdf"], True),
    "admin.paper_forms_download": (lambda _, c: [f"/admin/campaigns/{c}/paper-forms.xlsx"], True),
    "admin.upload_problems": (lambda officer, c: [officer.refused_upload_problems(c)], False),
    "admin.posters_zip": (lambda _, c: [f"/admin/campaigns/{c}/posters.zip"], False),
    "admin.qr": (lambda _, c: [f"/admin/campaigns/{c}/qr/SIPAS-2017/21172.{x}" for x in ("png", "svg")], False),
    "admin.poster": (lambda _, c: [f"/admin/campaigns/{c}/poster/SIPAS-2017/21172.svg"], False),
    "admin.round_index_xlsx": (lambda _, c: [f"/admin/rounds/{assessed_round()[0]}/index.xlsx"], True),
    "admin.export_round_gaps": (lambda _, c: [f"/admin/rounds/{assessed_round()[0]}/gaps.xlsx"], True),
    "admin.export_round_scoring": (lambda _, c: [f"/admin/rounds/{assessed_round()[0]}/scoring.xlsx"], True),
    "admin.export_unit_scoring": (
        lambda _, c: ["/admin/rounds/{}/units/{}/scoring.xlsx".format(*assessed_round())],
        True,
    ),
    "admin.quick_ratings_csv": (lambda _, c: [f"/admin/campaigns/{c}/quick-ratings.csv"], True),
    "admin.reminder_list": (lambda _, c: [f"/admin/rounds/{assessed_round()[0]}/reminders.csv"], True),
    "public.workbook": (lambda _, c: [f"{published(c)}/v1/du-lieu.xlsx"], False),
    "public.table_csv": (lambda _, c: [f"{published(c)}/v1/{key}.csv" for key in published_tables(c)], False),
    "api.openapi": (lambda _, c: ["/api/v1/openapi.json"], False),
}


def test_every_download_route_is_tested(app: Flask) -> None:
    files = {rule.endpoint for rule in app.url_map.iter_rules() if FILE_RULE.search(rule.rule)}
    assert files - {"static"} == set(DOWNLOADS)


@pytest.mark.parametrize(
    "endpoint",
    [pytest.param(e, marks=pytest.mark.pdf) if e.endswith("_pdf") else e for e in sorted(DOWNLOADS)],
)
def test_a_download_arrives_whole_from_gunicorn_and_is_recorded_once(served, endpoint: str) -> None:
    officer, campaign_id = served
    paths, recorded = DOWNLOADS[endpoint]
    for path in paths(officer, campaign_id):
        before = exported_files()
        _, body = officer.get(path)
        assert PARSERS[path.partition("?")[0].rpartition(".")[2]](body), path
        new = exported_files()[len(before) :]
        assert len(new) == (1 if recorded else 0), path


def test_the_raw_csv_holds_every_response(served) -> None:
    officer, campaign_id = served
    _, body = officer.get(f"/admin/campaigns/{campaign_id}/export/responses/SIPAS-2017.csv")
    rows = read_csv(body)
    assert rows[0][:2] == ["Mẫu phiếu", "Phiên bản"]
    assert [row[0] for row in rows[1:]] == ["SIPAS-2017"] * 3
