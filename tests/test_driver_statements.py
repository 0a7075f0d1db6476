"""Statements sent straight to the driver store what SQLAlchemy's own path stores, in the
session's transaction, and a connection the database dropped is not handed out again."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Date, bindparam, insert, select, text
from sqlalchemy.exc import OperationalError

from surveyapp.driver_statements import DriverStatement
from surveyapp.extensions import db
from surveyapp.models import Campaign, Questionnaire, Response, ResponseMode, SubmissionReceipt, Unit

COLUMNS = ("campaign_id", "unit_id", "questionnaire_id", "respondent_group", "mode", "submitted_on", "answers")


@pytest.fixture()
def point(make_campaign) -> tuple[Campaign, Questionnaire, Unit]:
    campaign = make_campaign(["SIPAS-2017"], [Unit(code="21172", name="Phường Trương Quang Trọng", kind="phường")])
    return campaign, campaign.questionnaires[0], campaign.units[0]


def _row(point: tuple[Campaign, Questionnaire, Unit], answer: str) -> dict[str, object]:
    campaign, questionnaire, unit = point
    return {
        "campaign_id": campaign.id,
        "unit_id": unit.id,
        "questionnaire_id": questionnaire.id,
        "respondent_group": "citizen",
        "mode": ResponseMode.DESK_QR,
        "submitted_on": dt.date(2026, 12, 4),
        "answers": {"Q1": answer, "GHI_CHU": "Thủ tục nhanh"},
    }


def test_a_row_inserted_on_the_driver_reads_back_as_one_inserted_by_sqlalchemy(point) -> None:
    """Enum, date and JSON columns go through their types' bind processors."""
    db.session.execute(insert(Response), [_row(point, "4")])
    DriverStatement(insert(Response.__table__), column_keys=COLUMNS).execute_many(
        db.session.connection(), [_row(point, "5")]
    )
    db.session.commit()
    stored = db.session.execute(select(Response).order_by(Response.answers["Q1"].as_string())).scalars().all()
    by_sqlalchemy, by_driver = ({c: getattr(r, c) for c in COLUMNS} for r in stored)
    assert by_driver == {**by_sqlalchemy, "answers": {"Q1": "5", "GHI_CHU": "Thủ tục nhanh"}}
    raw = db.session.execute(text("SELECT mode, submitted_on FROM responses")).all()
    assert raw[0] == raw[1]  # the same stored representation, not only the same values read back


def test_a_driver_statement_is_undone_with_the_sessions_transaction(app) -> None:
    receipt = DriverStatement(
        text("INSERT INTO submission_receipts (key_digest, received_on) VALUES (:key, :on)").bindparams(
            bindparam("on", type_=Date)
        )
    )
    receipt.execute(db.session.connection(), {"key": "a" * 64, "on": dt.date(2026, 12, 4)})
    db.session.rollback()
    receipt.execute(db.session.connection(), {"key": "b" * 64, "on": dt.date(2026, 12, 4)})
    db.session.commit()
    assert db.session.scalars(select(SubmissionReceipt.key_digest)).all() == ["b" * 64]
    assert db.session.scalar(select(SubmissionReceipt.received_on)) == dt.date(2026, 12, 4)


def test_values_the_statement_holds_itself_are_sent_with_the_callers(point) -> None:
    """A literal compared in the statement and a LIMIT are parameters the caller does not give."""
    campaign, _questionnaire, _unit = point
    statement = DriverStatement(
        select(Campaign.name).where(Campaign.id == bindparam("id"), Campaign.name != "không có").limit(1)
    )
    assert statement.execute(db.session.connection(), {"id": campaign.id}).fetchall() == [(campaign.name,)]


def test_a_connection_the_database_dropped_is_invalidated_not_handed_out_again(app) -> None:
    if db.engine.dialect.name != "postgresql":
        pytest.skip(f"a server that drops connections; the tests' database is {db.engine.dialect.name}")
    connection = db.session.connection()
    pid = connection.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()
    with db.engine.connect() as other:
        other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        other.commit()
    with pytest.raises(db.engine.dialect.loaded_dbapi.OperationalError):
        DriverStatement(text("SELECT 1")).execute(connection, {})
    assert connection.invalidated
    db.session.rollback()
    try:
        assert db.session.execute(text("SELECT 1")).scalar_one() == 1  # on a new connection
    except OperationalError:
        pytest.fail("the dropped connection was handed out again")
