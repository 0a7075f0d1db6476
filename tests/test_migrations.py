"""The migrations build exactly the schema of the models, up and down, on SQLite and PostgreSQL.

Each test works on a database of its own, so the suite's shared schema is left alone: a
temporary SQLite file, or, when ``DATABASE_URL`` names PostgreSQL, a scratch database on the
same server, created and dropped through an admin connection.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from surveyapp import create_app
from surveyapp.extensions import db
from tests.helpers import SECRET_KEY

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


@pytest.fixture
def empty_database_url(tmp_path: Path) -> Iterator[str]:
    """The address of an empty database apart from the suite's shared schema."""
    url = os.environ.get("DATABASE_URL")
    if not url or url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'migrations.sqlite'}"
        return
    # Named after the suite's database, so that suites on other databases of the server do not meet.
    scratch = f"{make_url(url).database}_migrations"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {scratch} WITH (FORCE)"))
        connection.execute(text(f"CREATE DATABASE {scratch}"))
    try:
        yield make_url(url).set(database=scratch).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {scratch} WITH (FORCE)"))
        admin.dispose()


def test_the_migrations_form_one_line_of_history() -> None:
    """Two migrations written from the same head would make ``upgrade`` fail."""
    heads = ScriptDirectory(str(MIGRATIONS)).get_heads()
    assert len(heads) == 1, f"several heads {heads}: run `flask --app surveyapp db merge heads` or re-parent one"


def test_init_db_builds_the_models_schema_and_downgrading_removes_it(empty_database_url: str) -> None:
    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_database_url, "SECRET_KEY": SECRET_KEY})
    result = app.test_cli_runner().invoke(args=["init-db"])
    assert result.exit_code == 0, result.output
    assert "Database ready" in result.output
    with app.app_context():
        with db.engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), db.metadata)
        assert differences == []
        # Running it again on an up-to-date database is harmless.
        assert app.test_cli_runner().invoke(args=["init-db"]).exit_code == 0
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        db.engine.dispose()
