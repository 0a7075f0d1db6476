"""Rows written in bulk (COPY on PostgreSQL) read back exactly, under ids that are theirs and
that the database does not give again, in the session's transaction."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from surveyapp.bulk_rows import insert_rows, insert_rows_returning_ids
from surveyapp.extensions import db
from surveyapp.models import Campaign, FrameContact, FrameRecord, Unit

# Text a careless export holds: COPY's own separators and escapes, quotes, Vietnamese, blanks.
AWKWARD_NAMES = (
    "Nguyễn Văn\tAn",
    "Trần Thị\nBình",
    "Lê\\Cường",
    "\\N",
    "",
    " Phạm 'Dũng' \"Em\" ",
    "Hoàng,Giang;Hà|Khánh",
)


@pytest.fixture()
def campaign(make_campaign) -> Campaign:
    return make_campaign(["CX4"], [Unit(code="21172-T01", name="Tổ dân phố 1", kind="tổ dân phố")])


def _records(campaign: Campaign, count: int, start: int = 0) -> list[dict[str, object]]:
    return [
        {
            "campaign_id": campaign.id,
            "unit_id": campaign.units[0].id,
            "record_code": f"000.00.21.H55-{n:08d}",
            "procedure_field": "Hộ tịch",
            "returned_on": dt.date(2026, 1, 5) + dt.timedelta(days=n % 30),
        }
        for n in range(start, start + count)
    ]


def test_rows_written_in_bulk_read_back_exactly_under_their_own_ids(campaign) -> None:
    records = _records(campaign, len(AWKWARD_NAMES))
    connection = db.session.connection()
    ids = insert_rows_returning_ids(connection, FrameRecord.__table__, records)
    contacts = [
        {"record_id": id_, "name": name, "phone": f"09{n:08d}"}
        for n, (id_, name) in enumerate(zip(ids, AWKWARD_NAMES, strict=True))
    ]
    insert_rows(connection, FrameContact.__table__, contacts)
    db.session.commit()

    stored = db.session.execute(
        select(FrameRecord.record_code, FrameRecord.returned_on, FrameContact.name, FrameContact.phone)
        .join(FrameContact, FrameContact.record_id == FrameRecord.id)
        .order_by(FrameRecord.record_code)
    ).all()
    assert [tuple(row) for row in stored] == [
        (record["record_code"], record["returned_on"], name, f"09{n:08d}")
        for n, (record, name) in enumerate(zip(records, AWKWARD_NAMES, strict=True))
    ]
    assert len(set(ids)) == len(ids)


def test_ids_taken_in_bulk_are_not_given_again(campaign) -> None:
    ids = insert_rows_returning_ids(db.session.connection(), FrameRecord.__table__, _records(campaign, 3))
    later = FrameRecord(**_records(campaign, 1, start=3)[0])
    db.session.add(later)
    db.session.commit()
    assert later.id not in ids


def test_rows_written_in_bulk_are_undone_with_the_sessions_transaction(campaign) -> None:
    connection = db.session.connection()
    ids = insert_rows_returning_ids(connection, FrameRecord.__table__, _records(campaign, 2))
    insert_rows(
        connection, FrameContact.__table__, [{"record_id": id_, "name": "An", "phone": "0900000000"} for id_ in ids]
    )
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(FrameRecord)) == 0
    assert db.session.scalar(select(func.count()).select_from(FrameContact)) == 0
