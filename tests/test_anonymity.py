"""Anonymity by construction: the schema and the raw export cannot identify a respondent.

No column of ``responses`` can hold a name, a contact, an address, a token, a key or an exact
time, and nothing links a response to a sampled person, a staff account or a receipt. Then real
forms go through the public QR page and a single-use link, from a known address and browser,
and neither the database nor the raw export (CSV and XLSX) keeps any of it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import Date, DateTime, Interval, Time, select
from sqlalchemy.schema import Table

from surveyapp.extensions import db
from surveyapp.models import Response, SampleEntry, SampleStatus, SubmissionReceipt
from surveyapp.services import frames
from surveyapp.services.results.exports import raw_columns
from surveyapp.services.results.raw_layout import HEAD_COLUMNS
from surveyapp.services.samples import draw_sample, issue_links
from tests.helpers import filled_form, form_fields_of

CLIENT_IP = "203.0.113.7"
USER_AGENT = "Mozilla/5.0 (Linux; Android 14; Máy-thử-ẩn-danh) Zalo/24.1"
BROWSER = {"environ_base": {"REMOTE_ADDR": CLIENT_IP}, "headers": {"User-Agent": USER_AGENT}}
# Words that, as a part of a column name, would mean it identifies someone or times an answer.
IDENTIFYING_WORDS = {
    "name", "fullname", "phone", "tel", "mobile", "email", "mail", "ip", "addr", "address", "agent", "ua",
    "browser", "device", "cookie", "fingerprint", "token", "key", "session", "digest", "hash", "user",
    "username", "staff", "contact", "record", "entry", "sample", "receipt", "created", "updated", "time",
    "timestamp", "datetime", "at", "lat", "lng", "latitude", "longitude", "location",
}  # fmt: skip
IDENTIFYING_TABLES = {
    "users", "surveyor_units", "frame_records", "frame_contacts", "sample_entries", "replacements",
    "submission_receipts", "audit_entries",
}  # fmt: skip
CONTACT = ("Nguyễn Văn Ẩn Danh", "0905123456")
TIME_OF_DAY = re.compile(r"\b\d{1,2}:\d{2}\b|\d{1,2}h\d{2}\b")


def table(name: str) -> Table:
    return db.metadata.tables[name]


def referenced_tables(start: str) -> set[str]:
    """Every table reachable from ``start`` by following foreign keys (what a join can reach)."""
    reached, todo = set(), [start]
    while todo:
        for key in table(todo.pop()).foreign_keys:
            if key.column.table.name not in reached:
                reached.add(key.column.table.name)
                todo.append(key.column.table.name)
    return reached


# The schema -------------------------------------------------------------------------------


@pytest.mark.parametrize("column", list(Response.__table__.columns), ids=lambda column: column.name)
def test_no_column_of_responses_can_identify_a_respondent_or_time_an_answer(app, column) -> None:
    words = set(column.name.lower().split("_"))
    assert not words & IDENTIFYING_WORDS, f"responses.{column.name} sounds like it identifies someone"
    assert not isinstance(column.type, DateTime | Time | Interval), f"responses.{column.name} holds a time of day"


def test_the_only_date_of_a_response_is_a_calendar_date(app) -> None:
    dated = [column.name for column in table("responses").columns if isinstance(column.type, Date)]
    assert dated == ["submitted_on"]
    assert table("responses").columns["submitted_on"].type.python_type is dt.date


def test_responses_refer_only_to_the_campaign_the_unit_and_the_questionnaire(app) -> None:
    direct = {key.column.table.name for key in table("responses").foreign_keys}
    assert direct == {"campaigns", "units", "questionnaires"}
    reachable = referenced_tables("responses")
    assert not reachable & IDENTIFYING_TABLES, f"a join from responses reaches {reachable & IDENTIFYING_TABLES}"


def test_nothing_refers_to_a_single_response(app) -> None:
    """No receipt, sample entry, audit entry or account can point at the response it produced."""
    pointing = sorted(
        f"{other.name}.{key.parent.name}"
        for other in db.metadata.sorted_tables
        for key in other.foreign_keys
        if key.column.table.name == "responses"
    )
    assert pointing == []


def test_a_submission_receipt_holds_only_a_digest_and_a_date(app) -> None:
    receipts = table("submission_receipts")
    assert {column.name: type(column.type).__name__ for column in receipts.columns} == {
        "key_digest": "String",
        "received_on": "Date",
    }
    assert not receipts.foreign_keys
    assert receipts.columns["key_digest"].type.length == 64  # a SHA-256 digest, never the key itself


# Real submissions and the raw export ------------------------------------------------------------


def frame_csv(unit_code: str) -> bytes:
    """A sampling frame of one person, whose name and phone must never reach the answers."""
    stream = io.StringIO()
    writer = csv.writer(stream)
    writer.writerow(frames.REQUIRED_COLUMNS)
    writer.writerow(["HS-001", "Hộ tịch", unit_code, "01/03/2025", "05/03/2025", frames.RETURNED_STATUS, *CONTACT])
    return stream.getvalue().encode()


def post_form(client, url: str, data: dict) -> str:
    """Open the questionnaire at ``url`` from the test browser and send ``data``; returns the key it carried."""
    html = client.get(url, **BROWSER).get_data(as_text=True)
    fields = form_fields_of(html)
    key = fields["form_key"]
    response = client.post(url, data={**fields, **data}, **BROWSER)
    assert response.status_code == 302 and "/thanks" in response.headers["Location"], response.status_code
    return key


@pytest.fixture
def answered(client, auth, officer, make_campaign, ward):
    """One form through the public QR page and one through a single-use link, then the officer logs in."""
    campaign = make_campaign(["CX4"], list(ward.children))
    questionnaire = campaign.questionnaires[0]
    frames.import_frame(campaign, "khung.csv", frame_csv("21172-T02"), skip_bad_rows=False)
    draw_sample(campaign, questionnaire, "an-danh", 0)
    [link] = issue_links(campaign)
    db.session.commit()
    token = link.token

    form = filled_form(questionnaire.definition)
    keys = [
        post_form(client, f"/r/{campaign.id}/CX4/21172-T01", form),
        post_form(client, f"/r/link/{token}", filled_form(questionnaire.definition, choice=0)),
    ]
    auth.login("canbo")
    return campaign, questionnaire, token, keys


def secrets_in(text: str, token: str, keys: list[str]) -> list[str]:
    found = [secret for secret in (token, *keys, CLIENT_IP, USER_AGENT, "Máy-thử-ẩn-danh", *CONTACT) if secret in text]
    found += [f"time of day {match}" for match in TIME_OF_DAY.findall(text)]
    return found


def test_the_stored_responses_keep_no_token_key_address_browser_or_time(answered) -> None:
    campaign, _questionnaire, token, keys = answered
    db.session.rollback()
    responses = db.session.scalars(select(Response).filter_by(campaign_id=campaign.id)).all()
    assert sorted(r.mode.value for r in responses) == ["desk_qr", "online_link"]
    for response in responses:
        row = {column.name: getattr(response, column.name) for column in Response.__table__.columns}
        assert not secrets_in(repr(row), token, keys)
        assert type(response.submitted_on) is dt.date
    # The link is forgotten once spent: no table keeps the token that could be matched to the answers.
    dump = repr([db.session.execute(select(t)).all() for t in db.metadata.sorted_tables])
    assert token not in dump and CLIENT_IP not in dump and USER_AGENT not in dump
    assert not any(key in dump for key in keys)
    # The entry keeps a keyed digest only; its status waits for the mix (k answers of the unit).
    entry = db.session.scalar(select(SampleEntry).filter_by(campaign_id=campaign.id))
    assert entry.link_digest not in (None, token) and entry.status is SampleStatus.TO_CONTACT


def test_a_receipt_row_is_a_digest_and_a_date(answered) -> None:
    _campaign, _questionnaire, _token, keys = answered
    db.session.rollback()
    receipts = db.session.scalars(select(SubmissionReceipt)).all()
    assert len(receipts) == 2
    for receipt in receipts:
        assert re.fullmatch(r"[0-9a-f]{64}", receipt.key_digest)
        assert receipt.key_digest not in keys
        assert type(receipt.received_on) is dt.date


def test_the_raw_csv_export_has_only_the_documented_columns_and_nothing_identifying(client, answered) -> None:
    campaign, questionnaire, token, keys = answered
    response = client.get(f"/admin/campaigns/{campaign.id}/export/responses/CX4.csv")
    assert response.status_code == 200
    text = response.data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    header, body = rows[0], rows[1:]
    assert header == raw_columns(questionnaire)
    assert header[: len(HEAD_COLUMNS)] == list(HEAD_COLUMNS)
    assert set(header[len(HEAD_COLUMNS) :]) == {q.code for q in questionnaire.definition.questions}
    assert len(body) == 2
    assert not secrets_in(text, token, keys)
    dates = {row[header.index("Ngày")] for row in body}
    assert all(re.fullmatch(r"\d{2}/\d{2}/\d{4}", date) for date in dates)


def test_the_raw_xlsx_export_has_only_the_documented_columns_and_nothing_identifying(client, answered) -> None:
    campaign, questionnaire, token, keys = answered
    response = client.get(f"/admin/campaigns/{campaign.id}/export/responses/CX4.xlsx")
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.data))
    assert len(workbook.worksheets) == 1
    rows = list(workbook.worksheets[0].iter_rows(values_only=True))
    header, body = list(rows[0]), rows[1:]
    assert header == raw_columns(questionnaire)
    assert len(body) == 2
    for row in body:
        for value in row:
            assert not isinstance(value, dt.time | dt.timedelta)
            if isinstance(value, dt.datetime):
                assert value.time() == dt.time(0), f"a time of day in the export: {value}"
            assert not secrets_in(str(value), token, keys), value
