"""``flask backup``: an online copy of the SQLite database that restores, even under writes.

These tests run on SQLite files of their own, whatever ``DATABASE_URL`` says; the refusal on
PostgreSQL runs when the suite runs there.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from surveyapp import create_app
from surveyapp.extensions import db
from surveyapp.models import Unit, UserRole
from surveyapp.services.users import authenticate, create_user
from tests.helpers import PASSWORD


def sqlite_app(path: Path) -> Flask:
    return create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "TESTING": True, "SECRET_KEY": "test"})


@pytest.fixture
def live(tmp_path: Path) -> Iterator[Flask]:
    """A SQLite database in use, with a unit and an officer stored."""
    app = sqlite_app(tmp_path / "live.sqlite")
    with app.app_context():
        db.create_all()
        db.session.add(Unit(code="21172", name="Phường Trương Quang Trọng", kind="phường"))
        create_user(username="canbo", full_name="Cán bộ", password=PASSWORD, role=UserRole.OFFICER)
        db.session.commit()
        db.session.remove()
    yield app
    with app.app_context():
        db.engine.dispose()


def backup(app: Flask, destination: Path):
    return app.test_cli_runner().invoke(args=["backup", str(destination)])


def test_a_backup_restores_the_data(live: Flask, tmp_path: Path) -> None:
    result = backup(live, tmp_path / "backup.sqlite")
    assert result.exit_code == 0, result.output
    assert "Backed up" in result.output

    restored = sqlite_app(tmp_path / "backup.sqlite")
    with restored.app_context():
        try:
            assert db.session.scalar(select(Unit.name).filter_by(code="21172")) == "Phường Trương Quang Trọng"
            assert authenticate("canbo", PASSWORD) is not None
        finally:
            db.session.remove()
            db.engine.dispose()


def test_the_backup_is_one_self_contained_file(live: Flask, tmp_path: Path) -> None:
    folder = tmp_path / "backups"
    folder.mkdir()
    assert backup(live, folder).exit_code == 0
    written = list(folder.iterdir())
    # A folder gets a dated file name; no -wal or -journal file is needed beside it.
    assert len(written) == 1 and written[0].name.startswith("live-") and written[0].suffix == ".sqlite"
    with closing(sqlite3.connect(written[0])) as copy:
        assert copy.execute("PRAGMA journal_mode").fetchone() == ("delete",)
        assert copy.execute("SELECT count(*) FROM users").fetchone() == (1,)


def test_a_backup_never_overwrites_a_file(live: Flask, tmp_path: Path) -> None:
    earlier = tmp_path / "earlier.sqlite"
    earlier.write_bytes(b"an earlier backup")
    refused = backup(live, earlier)
    onto_itself = backup(live, tmp_path / "live.sqlite")
    assert refused.exit_code == 1 and "exists already" in refused.output
    assert earlier.read_bytes() == b"an earlier backup"
    assert onto_itself.exit_code == 1 and "the database itself" in onto_itself.output


def test_a_backup_taken_while_the_server_writes_is_a_consistent_snapshot(live: Flask, tmp_path: Path) -> None:
    database = tmp_path / "live.sqlite"
    started, done = threading.Event(), threading.Event()

    def write_units() -> None:
        # Another process would do the same: one committed unit at a time, through its own connection.
        with closing(sqlite3.connect(database, timeout=10)) as writer:
            for number in range(400):
                writer.execute(
                    "INSERT INTO units (code, name, kind) VALUES (?, ?, ?)", (f"T{number:03d}", f"Tổ {number}", "tổ")
                )
                writer.commit()
                if number == 50:
                    started.set()
        done.set()

    thread = threading.Thread(target=write_units)
    thread.start()
    started.wait(timeout=30)
    result = backup(live, tmp_path / "during.sqlite")
    thread.join(timeout=60)

    assert result.exit_code == 0, result.output
    assert done.is_set()
    with closing(sqlite3.connect(tmp_path / "during.sqlite")) as copy:
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        codes = [code for (code,) in copy.execute("SELECT code FROM units WHERE code LIKE 'T%' ORDER BY code")]
    # Every unit up to some point and none after it: a snapshot, not a mixture.
    assert 51 <= len(codes) <= 400
    assert codes == [f"T{number:03d}" for number in range(len(codes))]
    with live.app_context():
        assert db.session.scalar(select(func.count()).select_from(Unit)) == 401
        db.session.remove()


def test_postgresql_is_refused_with_a_pointer_to_pg_dump(app: Flask, tmp_path: Path) -> None:
    if db.engine.url.get_backend_name() == "sqlite":
        pytest.skip("the suite runs on SQLite: see the other tests")
    result = app.test_cli_runner().invoke(args=["backup", str(tmp_path / "x.sqlite")])
    assert result.exit_code == 1 and "pg_dump" in result.output
    assert not (tmp_path / "x.sqlite").exists()
