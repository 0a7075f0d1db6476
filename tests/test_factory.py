"""The application factory and its configuration."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from surveyapp import create_app
from surveyapp.extensions import db
from tests.helpers import SECRET_KEY


def test_the_test_configuration_overrides_the_defaults(app) -> None:
    assert app.testing
    assert app.config["PUBLIC_BASE_URL"] == "https://khaosat.example.vn"
    assert not create_app({"SECRET_KEY": SECRET_KEY}).testing


def test_the_default_database_is_an_embedded_sqlite_file(monkeypatch) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    import importlib

    import surveyapp.config

    config = importlib.reload(surveyapp.config)
    assert config.Config.SQLALCHEMY_DATABASE_URI.startswith("sqlite:///")
    assert config.Config.SQLALCHEMY_DATABASE_URI.endswith("instance/surveyapp.sqlite")


def test_sqlite_connections_use_write_ahead_logging(app) -> None:
    if db.engine.dialect.name != "sqlite":
        pytest.skip(f"SQLite pragmas; the tests' database is {db.engine.dialect.name}")
    with db.engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert connection.execute(text("PRAGMA synchronous")).scalar() == 1  # NORMAL


def test_vietnamese_is_the_default_language_and_english_is_available(client) -> None:
    assert 'lang="vi"' in client.get("/login").get_data(as_text=True)
    english = client.get("/login?lang=en").get_data(as_text=True)
    assert 'lang="en"' in english and "Log in" in english
    assert 'lang="en"' in client.get("/login").get_data(as_text=True), "the choice is remembered"


def test_an_unknown_page_is_a_friendly_page_not_a_traceback(client) -> None:
    page = client.get("/khong-co-trang-nay")
    assert page.status_code == 404
    assert "Không tìm thấy trang" in page.get_data(as_text=True)


@pytest.mark.parametrize("idle_seconds, is_replaced", [(0, True), (3600, False)], ids=["idle", "in steady use"])
def test_a_pooled_connection_the_database_dropped_while_idle_is_pinged_and_replaced(
    app, idle_seconds, is_replaced
) -> None:
    """A restarted PostgreSQL (or a firewall) leaves dead connections in the pool: one idle
    longer than ``DATABASE_PING_AFTER_IDLE`` is pinged and replaced; one in steady use is not pinged."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip(f"a server that drops connections; the tests' database is {db.engine.dialect.name}")
    served = create_app(dict(app.config) | {"DATABASE_PING_AFTER_IDLE": idle_seconds})
    with served.app_context():
        pid = db.session.execute(text("SELECT pg_backend_pid()")).scalar_one()
        db.session.remove()  # back to the pool
        with app.app_context(), db.engine.connect() as other:
            other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            other.commit()
        try:
            db.session.execute(text("SELECT 1"))
            is_answered = True
        except OperationalError:
            is_answered = False
        finally:
            db.session.remove()
            db.engine.dispose()
    assert is_answered is is_replaced
