"""surveyapp: the PAR Index and SIPAS survey service of Vietnamese local governments."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from typing import Any

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine

from surveyapp.config import INSTANCE_DIR, Config
from surveyapp.extensions import csrf, db, login_manager, migrate
from surveyapp.instance_files import configure_secret_key
from surveyapp.urls import BoundedIntConverter


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the application: defaults, then the environment, then ``config`` (for tests)."""
    app = Flask(__name__, template_folder="../templates", instance_path=str(INSTANCE_DIR))
    app.config.from_object(Config)
    if config:
        app.config.update(config)
    configure_secret_key(app)
    # Before any rule is added: every <int:...> of every blueprint is bounded.
    app.url_map.converters["int"] = BoundedIntConverter
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
        # A database file never drops a connection: no ping before every checkout.
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = app.config["SQLALCHEMY_ENGINE_OPTIONS"] | {"pool_pre_ping": False}

    db.init_app(app)
    migrate.init_app(app, db, directory=str(INSTANCE_DIR.parent / "migrations"))
    csrf.init_app(app)
    login_manager.init_app(app)
    from surveyapp import i18n, paging

    i18n.init_app(app)
    paging.init_app(app)

    from surveyapp import admin, auth, cli, errors, field, health, logs, respond, security, unit

    logs.init_app(app)
    security.init_app(app)
    app.register_blueprint(health.bp)
    app.register_blueprint(respond.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(field.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(unit.bp)
    app.register_blueprint(cli.bp)
    errors.init_app(app)
    return app


@event.listens_for(Engine, "connect")
def _tune_sqlite(dbapi_connection: Any, _record: Any) -> None:
    """WAL and NORMAL sync on every SQLite connection: durable and several times faster."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.close()
