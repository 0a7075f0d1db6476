"""surveyapp: the PAR Index and SIPAS survey service of Vietnamese local governments."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Mapping
from typing import Any

from flask import Flask
from sqlalchemy import event, exc
from sqlalchemy.engine import Engine

from surveyapp import compression
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

    db.init_app(app)
    with app.app_context():
        if db.engine.dialect.name != "sqlite":  # a database file never drops a connection
            _ping_idle_connections(db.engine, float(app.config["DATABASE_PING_AFTER_IDLE"]))
    migrate.init_app(app, db, directory=str(INSTANCE_DIR.parent / "migrations"))
    csrf.init_app(app)
    login_manager.init_app(app)
    from surveyapp import i18n, paging

    i18n.init_app(app)
    paging.init_app(app)

    from surveyapp import admin, api, appraise, auth, cli, errors, field, health, logs, public, respond, security, unit

    compression.init_app(app)  # first, so that it runs after every other after_request hook
    logs.init_app(app)
    security.init_app(app)
    app.register_blueprint(health.bp)
    app.register_blueprint(respond.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(field.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(unit.bp)
    app.register_blueprint(public.bp)
    app.register_blueprint(appraise.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(cli.bp)
    errors.init_app(app)
    return app


def _ping_idle_connections(engine: Engine, idle_seconds: float) -> None:
    """Ping a pooled connection before use when it has been idle ``idle_seconds`` or more.

    A database server that restarted, or a firewall that timed out an idle connection, leaves
    dead connections in the pool: the ping finds them and the pool opens new ones instead of
    failing a request. A connection in steady use is not pinged: the pool's own
    ``pool_pre_ping`` pinged on every checkout, a round trip more per request on PostgreSQL
    (two per public submission, bench/README.md).
    """

    @event.listens_for(engine.pool, "checkin")
    def _note_idle(_dbapi_connection: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine.pool, "checkout")
    def _ping_if_idle(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        idle_since = record.info.get("idle_since")
        if idle_since is None or time.monotonic() - idle_since < idle_seconds:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            # Connections of the same age are likely dead too: the pool replaces them all.
            raise exc.InvalidatePoolError(str(error)) from error


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
