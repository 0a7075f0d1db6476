"""The migrations build exactly the schema of the models, up and down, on SQLite and PostgreSQL."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from surveyapp import create_app
from surveyapp.extensions import db

SCRATCH_DATABASE = "surveyapp_migration_test"


@pytest.fixture
def empty_database_url(tmp_path) -> Iterator[str]:
    """A database of its own, apart from the suite's shared schema."""
    url = os.environ.get("DATABASE_URL")
    if not url or url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'migrations.sqlite'}"
        return
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {SCRATCH_DATABASE}"))
        connection.execute(text(f"CREATE DATABASE {SCRATCH_DATABASE}"))
    yield make_url(url).set(database=SCRATCH_DATABASE).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {SCRATCH_DATABASE} WITH (FORCE)"))
    admin.dispose()


def test_upgrading_builds_the_models_schema_and_downgrading_removes_it(empty_database_url: str) -> None:
    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_database_url})
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), db.metadata)
        assert differences == []
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        db.engine.dispose()
