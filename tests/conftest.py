"""Fixtures: a fresh application and database per test, on SQLite or on PostgreSQL.

The suite runs on a temporary SQLite file by default; when ``DATABASE_URL`` points at
PostgreSQL it runs there instead (CI does both). The schema is created once per session;
every test starts from empty tables.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from jinja2 import MemcachedBytecodeCache
from sqlalchemy import delete

from surveyapp import create_app
from surveyapp.config import Config
from surveyapp.extensions import db
from surveyapp.models import AuditAction, AuditEntry, Campaign, CampaignPurpose, CampaignStatus, Unit, User, UserRole
from surveyapp.services.catalog import sync_questionnaires
from surveyapp.services.criteria_sets import sync_criteria_sets
from surveyapp.services.users import create_user
from tests.helpers import PASSWORD, PASSWORD_HASH_METHOD, SECRET_KEY, AuthActions, pdf_files_missing
from tests.served import Server

ROOT = Path(__file__).resolve().parent.parent
FORMS_DIR = ROOT / "forms"
CRITERIA_DIR = ROOT / "criteria"
PUBLIC_BASE_URL = "https://khaosat.example.vn"

# Tests write dates as the machine's today (``dt.date.today()``); the service reads them as today
# in its time zone (``local_today``: Vietnam). Between 17:00 and 24:00 UTC the two days differ, so
# the tests' clock runs in the service's zone (the servers they start inherit it).
os.environ["TZ"] = Config.TIMEZONE
time.tzset()


def pytest_runtest_setup(item: pytest.Item) -> None:
    """A test marked ``pdf`` is skipped where PDF files cannot be made as in production (no
    Pango, or no system font with the Vietnamese letters: README "PDF files"), unless
    ``REQUIRE_PDF=1`` (CI) makes that a failure."""
    if item.get_closest_marker("pdf") is None:
        return
    missing = pdf_files_missing()
    if missing and os.environ.get("REQUIRE_PDF") == "1":
        pytest.fail(missing)
    if missing:
        pytest.skip(missing)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return os.environ.get("DATABASE_URL") or f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"


@pytest.fixture(scope="session")
def _schema(database_url: str) -> Iterator[None]:
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "TESTING": True})
    with app.app_context():
        db.drop_all()
        db.create_all()
    yield
    with app.app_context():
        db.drop_all()
        db.engine.dispose()


@pytest.fixture(scope="session")
def evidence_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The evidence folder of the tests' app and of every gunicorn they start, never the real
    instance/; emptied after each test, as the tables are."""
    return tmp_path_factory.mktemp("evidence")


class _CompiledTemplates(dict):
    """The client Jinja's memcached bytecode cache wants, kept in memory for the session."""

    def set(self, key: str, value: bytes, timeout: int | None = None) -> None:
        self[key] = value


# Each test's application compiles the templates it renders anew (a tenth of a second per page
# and per test); they share what is compiled instead, keyed by each template's source.
_COMPILED_TEMPLATES = MemcachedBytecodeCache(_CompiledTemplates())


@pytest.fixture
def app(database_url: str, _schema: None, tmp_path: Path, evidence_dir: Path) -> Iterator[Flask]:
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "TESTING": True,
            "SECRET_KEY": SECRET_KEY,
            "PASSWORD_HASH_METHOD": PASSWORD_HASH_METHOD,
            "PUBLIC_BASE_URL": PUBLIC_BASE_URL,
            # Tests post forms at once; the tests of form keys set their own wait.
            "FORM_SECONDS_PER_ANSWER": 0,
            # load-demo writes the demo accounts' passwords here, never into the real instance/.
            "DEMO_ACCOUNTS_FILE": str(tmp_path / "demo-accounts.txt"),
            "EVIDENCE_DIR": str(evidence_dir),
        }
    )
    app.jinja_env.bytecode_cache = _COMPILED_TEMPLATES
    with app.app_context():
        yield app
        db.session.remove()
        for table in reversed(db.metadata.sorted_tables):
            db.session.execute(delete(table))
        db.session.commit()
        db.engine.dispose()
        shutil.rmtree(evidence_dir)
        evidence_dir.mkdir()


@pytest.fixture(scope="session")
def gunicorn(database_url: str, _schema: None, evidence_dir: Path) -> Iterator[Callable[..., Server]]:
    """``gunicorn(**env)``: the app served by gunicorn (2 workers) on the tests' database.

    One server per distinct environment, started at its first use and kept for the session
    (starting one takes about a second). It shares the tests' database, secret key and evidence
    folder: what a test stores is what the server shows, and the tables and the folder are
    emptied after each test as usual.
    """
    servers: dict[tuple[tuple[str, str], ...], Server] = {}

    def serve(**env: str) -> Server:
        key = tuple(sorted(env.items()))
        if key not in servers:
            base = {
                "DATABASE_URL": database_url,
                "SECRET_KEY": SECRET_KEY,
                "PASSWORD_HASH_METHOD": PASSWORD_HASH_METHOD,
                "PUBLIC_BASE_URL": PUBLIC_BASE_URL,
                "FORM_SECONDS_PER_ANSWER": "0",
                "EVIDENCE_DIR": str(evidence_dir),
            }
            servers[key] = Server(base | env).start()
        return servers[key]

    yield serve
    for server in servers.values():
        server.__exit__()


@pytest.fixture
def live_server(app: Flask, gunicorn: Callable[..., Server]) -> str:
    """The base address of the app served by gunicorn, for a test that goes over real HTTP."""
    return gunicorn().url


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


@pytest.fixture
def questionnaires(app: Flask) -> dict:
    """Every questionnaire file of ``forms/``, stored."""
    stored = sync_questionnaires(FORMS_DIR)
    db.session.commit()
    return {q.code: q for q in stored}


@pytest.fixture
def criteria_sets(app: Flask) -> dict:
    """Every criteria set file of ``criteria/``, stored."""
    stored = sync_criteria_sets(CRITERIA_DIR, FORMS_DIR)
    db.session.commit()
    return {s.code: s for s in stored}


@pytest.fixture
def ward(app: Flask) -> Unit:
    """Phường Trương Quang Trọng with three of its residential groups (seed 000)."""
    ward = Unit(code="21172", name="Phường Trương Quang Trọng", kind="phường")
    for number in (1, 2, 3):
        ward.children.append(Unit(code=f"21172-T{number:02d}", name=f"Tổ dân phố {number}", kind="tổ dân phố"))
    db.session.add(ward)
    db.session.commit()
    return ward


@pytest.fixture
def make_campaign(app: Flask, questionnaires: dict):
    """Build a campaign running the given questionnaire codes over the given units."""

    def make(
        codes: list[str],
        units: list[Unit],
        *,
        status: CampaignStatus = CampaignStatus.OPEN,
        opens_on: dt.date | None = None,
        closes_on: dt.date | None = None,
    ) -> Campaign:
        today = dt.date.today()
        campaign = Campaign(
            name="Khảo sát thử",
            year=today.year,
            purpose=CampaignPurpose(questionnaires[codes[0]].purpose),
            status=status,
            opens_on=opens_on or today - dt.timedelta(days=30),
            closes_on=closes_on or today + dt.timedelta(days=30),
            questionnaires=[questionnaires[code] for code in codes],
            units=units,
        )
        db.session.add(campaign)
        db.session.commit()
        return campaign

    return make


def existing_account(**account: Any) -> User:
    """An account that exists before the test starts: made by ``create_user``, without the
    audit entry of its creation, so that a test's audit trail holds only what the test did
    (``tests/web/test_audit.py`` checks that ``create_user`` records itself)."""
    user = create_user(**account)
    db.session.execute(delete(AuditEntry).where(AuditEntry.action == AuditAction.USER_CREATED))
    db.session.commit()
    return user


@pytest.fixture
def officer(app: Flask) -> User:
    return existing_account(username="canbo", full_name="Cán bộ Nội vụ", password=PASSWORD, role=UserRole.OFFICER)


@pytest.fixture
def surveyor(app: Flask, ward: Unit) -> User:
    return existing_account(
        username="dtv1",
        full_name="Điều tra viên 1",
        password=PASSWORD,
        role=UserRole.SURVEYOR,
        units=[ward.children[0]],
    )


@pytest.fixture
def unit_account(app: Flask, ward: Unit) -> User:
    """The account of the ward's staff, who assess the ward (role *đơn vị*)."""
    return existing_account(
        username="phuong", full_name="Văn phòng phường", password=PASSWORD, role=UserRole.UNIT, assessed_unit=ward
    )


@pytest.fixture
def auth(client: FlaskClient) -> AuthActions:
    return AuthActions(client)
