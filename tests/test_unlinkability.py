"""Whoever holds the database files cannot tie an answer sent through a personal link to its person.

The attacks of issue 10 §2, each played on the files as they are after real submissions:

- PostgreSQL stamps every row with the transaction that wrote it (``xmin``): an answer and its
  person's status change written together give ``responses JOIN sample_entries ON xmin``.
- SQLite's write-ahead log keeps each transaction's pages together: a transaction that writes
  pages of both tables ties them the same way.

Spending a link writes only a spent-link digest with the answer; the people who answered come
out of the mix ``ANONYMITY_K`` at a time, shuffled, in a transaction of their own.
"""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import OperationalError

from surveyapp.extensions import db
from surveyapp.models import Response, SampleEntry, SampleStatus, SpentLink
from surveyapp.services import frames
from surveyapp.services.samples import draw_sample, issue_links
from tests.helpers import PASSWORD, csrf_token_of, filled_form, form_fields_of, submit
from tests.served import Visitor

K = 3
PEOPLE = 6
UNIT = "21172-T01"  # the surveyor's group


def frame_csv(people: int) -> bytes:
    stream = io.StringIO()
    writer = csv.writer(stream)
    writer.writerow(frames.REQUIRED_COLUMNS)
    for n in range(people):
        writer.writerow(
            [
                f"HS-{n:03}",
                "Hộ tịch",
                UNIT,
                "01/03/2025",
                "05/03/2025",
                frames.RETURNED_STATUS,
                f"Người {n}",
                f"090{n:07}",
            ]
        )
    return stream.getvalue().encode()


@pytest.fixture
def links(app, make_campaign, ward):
    """A sample of six people of one residential group, each with a personal link; k = 3."""
    app.config["ANONYMITY_K"] = K
    campaign = make_campaign(["CX4"], list(ward.children))
    questionnaire = campaign.questionnaires[0]
    frames.import_frame(campaign, "khung.csv", frame_csv(PEOPLE), skip_bad_rows=False)
    draw_sample(campaign, questionnaire, "k", 0)
    issued = issue_links(campaign)
    db.session.commit()
    assert len(issued) == PEOPLE
    return questionnaire, [f"/r/link/{link.token}" for link in issued]


def answer(client, questionnaire, link: str, choice: int = 0) -> None:
    sent = submit(client, link, filled_form(questionnaire.definition, choice=choice))
    assert sent.status_code == 302 and "/thanks" in sent.headers["Location"]


def statuses() -> list[SampleStatus]:
    db.session.rollback()
    return sorted(db.session.scalars(select(SampleEntry.status)), key=lambda status: status.value)


def test_people_are_marked_answered_only_k_at_a_time(client, links) -> None:
    questionnaire, urls = links
    for n, link in enumerate(urls[: K - 1]):
        answer(client, questionnaire, link, n % 2)
    # An officer polling the sample page sees nobody flip while the answers come in.
    assert statuses().count(SampleStatus.COMPLETED) == 0
    assert db.session.query(Response).count() == K - 1
    answer(client, questionnaire, urls[K - 1])
    assert statuses().count(SampleStatus.COMPLETED) == K
    # A released person's link digest is gone; the links still unused keep theirs.
    assert all(
        (entry.link_digest is None) == (entry.status is SampleStatus.COMPLETED)
        for entry in db.session.scalars(select(SampleEntry))
    )


def test_a_link_answers_once_even_before_its_person_is_released(client, links) -> None:
    questionnaire, urls = links
    first_tab = client.get(urls[0]).get_data(as_text=True)
    answer(client, questionnaire, urls[0])
    assert statuses().count(SampleStatus.COMPLETED) == 0  # still held in the mix
    assert "Đường dẫn này đã được sử dụng" in client.get(urls[0]).get_data(as_text=True)
    # The page opened before the answer, in another tab, cannot send a second one.
    fields = form_fields_of(first_tab)
    again = client.post(urls[0], data=fields | filled_form(questionnaire.definition, choice=1))
    assert "Đường dẫn này đã được sử dụng" in again.get_data(as_text=True)
    assert db.session.query(Response).count() == 1
    assert db.session.query(SpentLink).count() == 1


def test_switching_the_language_of_a_link_keeps_the_answers_and_does_not_spend_it(client, links) -> None:
    questionnaire, urls = links
    page = client.get(urls[0]).get_data(as_text=True)
    answers = filled_form(questionnaire.definition, choice=1)
    english = client.post(f"{urls[0]}?lang=en", data=form_fields_of(page) | answers | {"switch_language": "en"})
    rated = next(name for name in answers if name.startswith("q_"))
    assert f'name="{rated}" value="{answers[rated]}" checked' in english.get_data(as_text=True)
    assert db.session.query(SpentLink).count() == 0 and db.session.query(Response).count() == 0
    sent = client.post(urls[0], data=form_fields_of(english.get_data(as_text=True)) | answers)
    assert sent.status_code == 302 and db.session.query(SpentLink).count() == 1


def test_postgresql_xmin_does_not_tie_an_answer_to_its_person(app, client, links) -> None:
    if db.engine.dialect.name != "postgresql":
        pytest.skip("xmin is PostgreSQL's")
    questionnaire, urls = links
    for n, link in enumerate(urls[:K]):
        answer(client, questionnaire, link, n % 2)
    db.session.rollback()
    joined = db.session.execute(
        text("SELECT count(*) FROM responses r JOIN sample_entries s ON r.xmin::text = s.xmin::text")
    ).scalar()
    assert joined == 0, "an answer was written in the same transaction as its person's status"
    # The k people who answered were marked in one transaction: nothing tells them apart.
    batches = db.session.execute(
        text("SELECT count(DISTINCT xmin::text) FROM sample_entries WHERE status = 'completed'")
    ).scalar()
    assert batches == 1


def wal_transactions(database: Path) -> list[set[int]]:
    """The pages each committed transaction of the write-ahead log wrote, oldest first."""
    data = (database.parent / f"{database.name}-wal").read_bytes()
    page_size, salt = int.from_bytes(data[8:12], "big"), data[16:24]
    transactions, pages, offset = [], set(), 32
    while offset + 24 + page_size <= len(data):
        header = data[offset : offset + 24]
        if header[8:16] != salt:  # a frame of an earlier round of the log
            break
        pages.add(int.from_bytes(header[:4], "big"))
        if int.from_bytes(header[4:8], "big"):  # a commit frame
            transactions.append(pages)
            pages = set()
        offset += 24 + page_size
    return transactions


def page_tables(database: Path) -> dict[int, str]:
    """The table each page of the database belongs to (an index's pages to its table)."""
    with sqlite3.connect(database) as connection:
        owner = dict(connection.execute("SELECT name, tbl_name FROM sqlite_schema WHERE tbl_name IS NOT NULL"))
        return {page: owner.get(name, name) for name, page in connection.execute("SELECT name, pageno FROM dbstat")}


def test_sqlite_write_ahead_log_does_not_tie_an_answer_to_its_person(app, client, links) -> None:
    if db.engine.dialect.name != "sqlite":
        pytest.skip("the write-ahead log is SQLite's")
    questionnaire, urls = links
    database = Path(db.engine.url.database)
    db.session.commit()
    with sqlite3.connect(database) as connection:
        busy, _log, _done = connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    assert busy == 0
    for n, link in enumerate(urls[:K]):
        answer(client, questionnaire, link, n % 2)
    db.session.commit()

    tables = page_tables(database)
    written = [{tables.get(page, "?") for page in pages} for pages in wal_transactions(database)]
    answers = [t for t in written if "responses" in t]
    flips = [t for t in written if "sample_entries" in t]
    assert len(answers) == K
    assert not [t for t in answers if "sample_entries" in t], "an answer shares a transaction with a status"
    assert len(flips) == 1, "the k people who answered were not marked in one transaction"
    assert "responses" not in flips[0] and "spent_links" not in flips[0]


def test_the_raw_export_lists_answers_by_content_not_by_arrival(client, auth, officer, links) -> None:
    questionnaire, _urls = links
    campaign_id = db.session.scalar(select(SampleEntry.campaign_id))
    url = f"/r/{campaign_id}/CX4/{UNIT}"
    question = next(q for q in questionnaire.definition.questions if q.options)
    for choice in (-1, 0):  # stored: the last option first
        assert submit(client, url, filled_form(questionnaire.definition, choice=choice)).status_code == 302
    auth.login("canbo")
    export = client.get(f"/admin/campaigns/{campaign_id}/export/responses/CX4.csv").get_data(as_text=True)
    header, *rows = list(csv.reader(io.StringIO(export.lstrip("\ufeff"))))
    column = header.index(question.code)
    assert [row[column] for row in rows] == [question.options[0].key, question.options[-1].key]


def test_receipts_keep_no_arrival_order(app) -> None:
    if db.engine.dialect.name != "sqlite":
        pytest.skip("row ids are SQLite's")
    for table in ("submission_receipts", "spent_links"):
        with pytest.raises(OperationalError, match="rowid"):
            db.session.execute(text(f"SELECT rowid FROM {table}"))
        db.session.rollback()


def test_the_log_names_no_sampled_person_and_no_link(gunicorn, links, surveyor) -> None:
    """Served as in production: an interview typed in, its person marked answered, a link answered."""
    questionnaire, urls = links
    server = gunicorn()
    fetch = Visitor(server).fetch

    def send(path: str, data: dict) -> str:
        page = fetch(path)
        return fetch(path, form_fields_of(page) | data)

    page = fetch("/login")
    fetch("/login", {"username": "dtv1", "password": PASSWORD, "csrf_token": csrf_token_of(page)})
    entry = db.session.scalar(select(SampleEntry).order_by(SampleEntry.id))
    answers = filled_form(questionnaire.definition)
    send(f"/field/enter/{entry.campaign_id}/CX4/{UNIT}", answers | {"mode": "interview"})
    sample_page = fetch(f"/field/sample/{entry.campaign_id}/{UNIT}")
    assert "/r/link/" not in sample_page  # the surveyor never sees a working link
    outcome = {"csrf_token": csrf_token_of(sample_page), "entry_id": entry.id, "action": "completed"}
    assert "Đã ghi nhận" in fetch("/field/sample/outcome", outcome)
    send(urls[1], answers)
    assert db.session.query(Response).count() == 2
    token = urls[1].rsplit("/", 1)[1]

    log = server.log()
    paths = [json.loads(line)["path"] for line in log.splitlines() if line.startswith("{") and '"path"' in line]
    assert "/field/sample/outcome" in paths and "/r/link/<redacted>" in paths
    assert token not in log
    assert not [path for path in paths if "/sample/entry" in path], "a log line names a sample entry"
