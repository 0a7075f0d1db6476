"""Publishing a campaign's results: a frozen snapshot on a public page, open-data files, corrections."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from surveyapp.extensions import db
from surveyapp.models import AuditAction, AuditEntry, Publication, PublishedVersionChanged
from surveyapp.services.publications import Decision, publish_results
from tests.helpers import csrf_token_of
from tests.web.test_par_results import cx4_csv
from tests.web.test_results import import_worked_example, sipas_csv, upload

DECISION = "Quyết định số 123/QĐ-UBND của UBND phường"


@pytest.fixture
def sipas_campaign(make_campaign, ward):
    return make_campaign(["SIPAS-2017"], [ward])


@pytest.fixture
def logged_in(auth, officer):
    auth.login("canbo")


def publish(client, campaign, decision: str = DECISION, note: str = "", decided_on: str = "2026-12-01"):
    """Open the publish page and send its form."""
    url = f"/admin/campaigns/{campaign.id}/publish"
    token = csrf_token_of(client.get(url).get_data(as_text=True))
    data = {"csrf_token": token, "decision": decision, "decided_on": decided_on, "change_note": note}
    return client.post(url, data=data)


def public_files(client, page: str) -> dict[str, bytes]:
    """The public page at ``page`` and every open-data file it links to, by address."""
    body = client.get(page).get_data(as_text=True)
    links = re.findall(r'href="(/cong-bo/[^"]+\.(?:csv|xlsx))"', body)
    assert any(link.endswith(".xlsx") for link in links) and any(link.endswith(".csv") for link in links)
    return {page: body.encode()} | {link: client.get(link).get_data() for link in links}


def test_an_officer_publishes_and_anyone_reads_the_figures_without_log_in(app, client, logged_in, sipas_campaign):
    import_worked_example(client, sipas_campaign)
    confirm = client.get(f"/admin/campaigns/{sipas_campaign.id}/publish").get_data(as_text=True)
    assert "Số liệu sẽ công bố" in confirm and "97,13" in confirm  # element 3, as it will be published
    response = publish(client, sipas_campaign)
    assert response.status_code == 302
    address = response.headers["Location"]
    assert db.session.scalar(select(AuditEntry.action).order_by(AuditEntry.id.desc())) is AuditAction.RESULTS_PUBLISHED

    visitor = app.test_client()
    page = visitor.get(address)
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert DECISION in text and "01/12/2026" in text  # the decision and its date
    assert "97,13" in text and "82,76" not in text  # elements, not single questions
    assert "<script" not in text and 'lang="vi"' in text and "<caption" in text and "<svg" in text
    assert page.headers["Cache-Control"].startswith("public, max-age=")
    assert visitor.get(address, headers={"If-None-Match": page.headers["ETag"]}).status_code == 304
    assert address in visitor.get("/cong-bo/").get_data(as_text=True)
    results_page = client.get(f"/admin/campaigns/{sipas_campaign.id}/results").get_data(as_text=True)
    assert f'href="{address}"' in results_page  # the officer finds what was published


def test_later_answers_renamed_units_and_changed_settings_leave_a_publication_as_it_was(
    app, client, logged_in, sipas_campaign, ward
):
    import_worked_example(client, sipas_campaign)
    address = publish(client, sipas_campaign).headers["Location"]
    visitor = app.test_client()
    before = public_files(visitor, address)

    more = sipas_csv([dict.fromkeys(["C1_1", "C2_1", "C3_1"], 1)] * 40)
    imported = upload(client, f"/admin/campaigns/{sipas_campaign.id}/import", "responses-responses_file", "t.csv", more)
    assert imported.status_code == 302
    ward.name = "Phường Đổi Tên"
    sipas_campaign.sipas_target = 50
    sipas_campaign.rank_min_forms = 1000
    db.session.commit()

    assert public_files(visitor, address) == before
    assert "Phường Đổi Tên" not in before[address].decode()


def test_a_correction_is_a_new_version_that_says_what_changed_and_the_first_stays_readable(
    app, client, logged_in, sipas_campaign
):
    import_worked_example(client, sipas_campaign)
    address = publish(client, sipas_campaign).headers["Location"]
    first = app.test_client().get(f"{address}/v1").get_data()

    refused = publish(client, sipas_campaign, "Quyết định số 130/QĐ-UBND")
    assert refused.status_code == 200 and "hãy ghi rõ nội dung thay đổi" in refused.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Publication)) == 1

    more = sipas_csv([{}] * 10)
    upload(client, f"/admin/campaigns/{sipas_campaign.id}/import", "responses-responses_file", "t.csv", more)
    note = "Bổ sung 10 phiếu nhập muộn của Bộ phận một cửa."
    assert publish(client, sipas_campaign, "Quyết định số 130/QĐ-UBND", note).headers["Location"] == address

    visitor = app.test_client()
    newest = visitor.get(address).get_data(as_text=True)
    assert "phiên bản 2" in newest and note in newest and "130/QĐ-UBND" in newest and "130" in newest
    assert f'href="{address}/v1"' in newest
    # Version 1 gained the list of versions; its figures and files are what they were.
    figures = visitor.get(f"{address}/v1").get_data()
    assert figures.partition(b'id="open-data"')[2] == first.partition(b'id="open-data"')[2]
    assert b"Phi\xc3\xaan b\xe1\xba\xa3n 2" in figures
    assert "Xem phiên bản mới nhất" in visitor.get(f"{address}/v1").get_data(as_text=True)
    versions = db.session.scalars(select(Publication).order_by(Publication.version)).all()
    assert [(v.version, v.snapshot["responses"]) for v in versions] == [(1, 120), (2, 130)]


def test_publishing_is_refused_without_decision_with_a_future_date_or_without_answers(
    client, logged_in, sipas_campaign
):
    no_decision = publish(client, sipas_campaign, decision="  ")
    assert "Hãy ghi quyết định phê duyệt kết quả" in no_decision.get_data(as_text=True)
    after_today = (dt.date.today() + dt.timedelta(days=2)).isoformat()  # whatever the time zone
    future = publish(client, sipas_campaign, decided_on=after_today)
    assert "Ngày ký quyết định không được sau hôm nay." in future.get_data(as_text=True)
    no_answers = publish(client, sipas_campaign)
    assert "chưa có phiếu nào" in no_answers.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Publication)) == 0


def test_a_published_version_cannot_be_changed_or_deleted(client, logged_in, sipas_campaign):
    import_worked_example(client, sipas_campaign)
    publication = publish_results(sipas_campaign, Decision(DECISION, dt.date(2026, 12, 1)))
    db.session.commit()
    publication.decision = "Quyết định khác"
    with pytest.raises(PublishedVersionChanged):
        db.session.flush()
    db.session.rollback()
    db.session.delete(publication)
    with pytest.raises(PublishedVersionChanged):
        db.session.flush()
    db.session.rollback()
    assert db.session.get(Publication, publication.id).decision == DECISION


def test_open_data_is_neutralised_against_formulas_in_unit_names(app, client, logged_in, sipas_campaign, ward):
    ward.name = '=HYPERLINK("http://x","bấm")'
    db.session.commit()
    import_worked_example(client, sipas_campaign)
    address = publish(client, sipas_campaign).headers["Location"]
    files = public_files(app.test_client(), address)
    tables = [
        csv.reader(io.StringIO(body.decode("utf-8-sig"))) for link, body in files.items() if link.endswith(".csv")
    ]
    assert all(body.startswith(b"\xef\xbb\xbf") for link, body in files.items() if link.endswith(".csv"))
    names = [cell for table in tables for row in table for cell in row if "HYPERLINK" in cell]
    assert names and all(name.startswith("'=") for name in names)
    workbook = next(body for link, body in files.items() if link.endswith(".xlsx"))
    cells = [
        cell
        for sheet in load_workbook(io.BytesIO(workbook), read_only=True).worksheets
        for row in sheet.iter_rows(values_only=True)
        for cell in row
        if isinstance(cell, str) and "HYPERLINK" in cell
    ]
    assert cells and all(cell.startswith("'=") for cell in cells)


def test_an_unknown_publication_or_version_is_not_found(app, client, logged_in, sipas_campaign):
    import_worked_example(client, sipas_campaign)
    address = publish(client, sipas_campaign).headers["Location"]
    visitor = app.test_client()
    assert visitor.get("/cong-bo/khong-co").status_code == 404
    assert visitor.get(f"{address}/v2").status_code == 404
    assert visitor.get(f"{address}/v1/khong-co.csv").status_code == 404


def test_the_workbook_carries_the_time_of_publication_not_the_time_of_download(app, client, logged_in, sipas_campaign):
    import_worked_example(client, sipas_campaign)
    address = publish(client, sipas_campaign).headers["Location"]
    workbook = app.test_client().get(f"{address}/v1/du-lieu.xlsx").get_data()
    published_at = db.session.scalar(select(Publication.published_at))
    with zipfile.ZipFile(io.BytesIO(workbook)) as archive:
        stamps = {info.date_time for info in archive.infolist()}
    *minute, second = published_at.timetuple()[:6]
    assert stamps == {(*minute, second - second % 2)}  # ZIP counts time in steps of two seconds


def test_a_par_survey_campaign_publishes_each_units_points_and_sub_criteria(
    app, client, logged_in, make_campaign, ward, questionnaires
):
    campaign = make_campaign(["CX4"], [ward.children[0], ward.children[1]])
    first, second = ward.children[0].code, ward.children[1].code
    rows = [(first, "A")] * 12 + [(second, "B")] * 12
    url = f"/admin/campaigns/{campaign.id}/import"
    assert upload(client, url, "responses-responses_file", "cx4.csv", cx4_csv(rows)).status_code == 302
    address = publish(client, campaign).headers["Location"]
    files = public_files(app.test_client(), address)
    page = files[address].decode()
    maximum = sum(s.max_points for s in questionnaires["CX4"].definition.methodology.subcriteria)
    assert f"{maximum:.2f}".replace(".", ",") in page and f"{maximum * 0.6:.2f}".replace(".", ",") in page
    subcriteria = next(body for link, body in files.items() if link.endswith("-tieu-chi.csv"))
    assert "Tiêu chí thành phần" in subcriteria.decode("utf-8-sig").splitlines()[0]


def test_a_unit_with_fewer_forms_than_the_publication_minimum_is_named_without_its_figures(
    app, client, logged_in, sipas_campaign
):
    import_worked_example(client, sipas_campaign)  # 120 forms, all at the ward
    app.config["PUBLISH_MIN_FORMS"] = 121
    address = publish(client, sipas_campaign).headers["Location"]

    files = public_files(app.test_client(), address)
    page = files[address].decode()
    assert "Không công bố số liệu: ít hơn 121 phiếu." in page
    assert "97,13" in page  # the campaign's own element index is still published
    by_unit_and_element = next(body for link, body in files.items() if link.endswith("-don-vi-yeu-to.csv"))
    rows = list(csv.reader(io.StringIO(by_unit_and_element.decode("utf-8-sig"))))
    assert rows[1:] == []  # no figure of the ward by element
