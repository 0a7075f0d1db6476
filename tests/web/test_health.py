"""The health check a reverse proxy polls: 200 when the database answers, 503 when it does not."""

from __future__ import annotations

import json

from surveyapp import create_app
from surveyapp.extensions import db


def test_the_health_check_answers_ok_without_a_login(client) -> None:
    page = client.get("/healthz")
    assert page.status_code == 200
    assert page.get_json() == {"status": "ok", "database": "ok"}
    assert page.headers["Cache-Control"] == "no-store"


def test_the_health_check_needs_no_csrf_token_and_only_answers_get(client) -> None:
    assert client.head("/healthz").status_code == 200
    assert client.post("/healthz").status_code == 405


def test_polls_that_succeed_do_not_fill_the_log(client, capsys) -> None:
    capsys.readouterr()
    poll = client.get("/healthz")
    client.get("/login")  # an ordinary request, logged, shows the log is being read
    log = capsys.readouterr().err

    assert poll.status_code == 200
    assert poll.get_json() == {"status": "ok", "database": "ok"}
    assert '"path": "/login"' in log
    assert "/healthz" not in log


def test_an_unreachable_database_gives_503_and_a_log_line(tmp_path, capsys) -> None:
    # A SQLite file in a folder that does not exist: the database cannot be opened.
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'missing' / 'db.sqlite'}", "TESTING": True})
    capsys.readouterr()
    try:
        page = app.test_client().get("/healthz")
    finally:
        with app.app_context():
            db.engine.dispose()

    assert page.status_code == 503
    assert page.get_json() == {"status": "unavailable", "database": "unavailable"}
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.startswith("{")]
    assert any(line["level"] == "WARNING" and "database is unavailable" in line["message"] for line in lines)
    assert any(line.get("path") == "/healthz" and line.get("status") == 503 for line in lines)
