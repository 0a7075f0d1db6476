"""Quotas under real concurrency: N simultaneous submissions for the last k places of a cell.

``tests/web/test_quotas.py`` already races 16 phones over HTTP for a fresh 3-place cell. These
tests race at the database, where over-filling would happen: each thread has its own
application context, session and connection, loads and validates its form, waits at a barrier,
then stores through ``submit_response`` (receipt, quota reservation, response) and commits, all
at once. They run on SQLite, and on PostgreSQL when ``DATABASE_URL`` is set (see conftest.py).

- a closed cell with k places left, most of it already filled, accepts exactly k, over
  several rounds in which the officer raises the target again;
- a cell that flags the excess accepts everyone and counts each one (no lost update);
- a form sent twice at the same moment (double tap) is stored once.
"""

from __future__ import annotations

import secrets
import threading
from collections import Counter
from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from sqlalchemy import func, select, update
from werkzeug.datastructures import MultiDict

from surveyapp import create_app
from surveyapp.extensions import db
from surveyapp.models import ANY_GROUP, QuotaCell, QuotaPolicy, Response, ResponseMode
from surveyapp.questionnaires.answers import check_submission
from surveyapp.services.collection import get_collection_point
from surveyapp.services.quotas import QuotaFull, QuotaRule, plan_quotas, record_refusals, save_quotas
from surveyapp.services.responses import DuplicateSubmission, submit_response
from tests.helpers import filled_form

PHONES = 16
STORED, FULL, DUPLICATE = "stored", "full", "duplicate"


@pytest.fixture
def racing_app(app: Flask) -> Iterator[Flask]:
    """A second app on the test database whose pool gives every racing thread a connection at once."""
    roomy = create_app(
        {
            **app.config,
            "SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": PHONES + 4, "max_overflow": 0, "pool_timeout": 60},
        }
    )
    yield roomy
    with roomy.app_context():
        db.engine.dispose()


@pytest.fixture
def desk(make_campaign, ward):
    """A SIPAS desk survey at the ward, with the path parts of its one collection point."""
    return make_campaign(["SIPAS-2017"], [ward])


def set_cell(campaign, *, target: int, filled: int, policy: QuotaPolicy) -> None:
    """One quota cell for the ward, as if ``filled`` forms had already come in."""
    questionnaire = campaign.questionnaires[0]
    save_quotas(campaign, plan_quotas(campaign, [QuotaRule(questionnaire, ANY_GROUP, target)]), policy)
    db.session.execute(update(QuotaCell).values(filled=filled))
    db.session.commit()


def cell() -> QuotaCell:
    db.session.expire_all()
    return db.session.scalar(select(QuotaCell))


def response_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Response))


def race(racing_app: Flask, campaign_id: int, keys: list[str]) -> Counter[str]:
    """Submit one valid form per key from as many threads at once; counts the outcomes."""
    start = threading.Barrier(len(keys), timeout=60)
    outcomes: list[str] = []
    errors: list[BaseException] = []

    def phone(key: str) -> None:
        with racing_app.app_context():
            try:
                point = get_collection_point(campaign_id, "SIPAS-2017", "21172")
                check = check_submission(point.definition, MultiDict(filled_form(point.definition)), [])
                assert check.is_valid, check.problems
                start.wait()
                outcomes.append(store(lambda: submit_one(point, check.submission, key)))
            except BaseException as error:  # reported in the main thread
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=phone, args=(key,)) for key in keys]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    assert len(outcomes) == len(keys), "a thread did not finish"
    return Counter(outcomes)


def submit_one(point, submission, key: str) -> None:
    submit_response(
        campaign=point.campaign,
        questionnaire=point.questionnaire,
        units=point.units,
        submission=submission,
        mode=ResponseMode.DESK_QR,
        key_digest=key,
    )
    db.session.commit()


def store(send: Callable[[], None]) -> str:
    """What the respondent would see: stored, quota full, or stored before (double tap).

    Does what the submitting view does (``answering.receive_submission``): a refusal by a
    full cell is counted in a transaction of its own.
    """
    try:
        send()
    except QuotaFull as full:
        db.session.rollback()
        record_refusals(full.cells)
        db.session.commit()
        return FULL
    except DuplicateSubmission:
        return DUPLICATE
    return STORED


@pytest.mark.parametrize("places", [1, 3])
def test_the_last_places_of_a_closed_cell_go_to_exactly_that_many(racing_app, desk, places) -> None:
    target, rounds = 40, 3
    set_cell(desk, target=target, filled=target - places, policy=QuotaPolicy.CLOSE_WHEN_FULL)

    for number in range(1, rounds + 1):
        outcomes = race(racing_app, desk.id, [secrets.token_hex(32) for _ in range(PHONES)])

        assert outcomes == {STORED: places, FULL: PHONES - places}, f"round {number}"
        assert (cell().filled, cell().target) == (target, target)
        assert cell().refused == number * (PHONES - places)
        assert response_count() == number * places
        # The officer raises the target: the next round races for the next ``places`` places.
        target += places
        db.session.execute(update(QuotaCell).values(target=target))
        db.session.commit()


def test_a_flagging_cell_accepts_everyone_and_counts_each(racing_app, desk) -> None:
    set_cell(desk, target=5, filled=4, policy=QuotaPolicy.FLAG_EXCESS)

    outcomes = race(racing_app, desk.id, [secrets.token_hex(32) for _ in range(PHONES)])

    assert outcomes == {STORED: PHONES}
    assert (cell().filled, cell().excess, cell().refused) == (4 + PHONES, PHONES - 1, 0)
    assert response_count() == PHONES


def test_one_form_sent_from_many_threads_at_once_is_stored_once(racing_app, desk) -> None:
    set_cell(desk, target=10, filled=0, policy=QuotaPolicy.CLOSE_WHEN_FULL)
    key = secrets.token_hex(32)

    outcomes = race(racing_app, desk.id, [key] * PHONES)

    assert outcomes == {STORED: 1, DUPLICATE: PHONES - 1}
    assert (cell().filled, cell().refused) == (1, 0)
    assert response_count() == 1
