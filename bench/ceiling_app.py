"""The ceiling: a bare Flask app doing the least work our pages could do, served the same way.

- ``GET /`` renders a Jinja page of exactly ``CEILING_PAGE_BYTES`` bytes (a form with the same
  fields as ours, padded), carrying a form key like our questionnaire page.
- ``POST /`` checks that every field of ``CEILING_FIELDS`` is present and holds one of its
  allowed values, inserts one row through SQLAlchemy Core and redirects to ``/thanks``.

No CSRF, no session, no quota, no dedupe: what is left is Flask, Jinja, SQLAlchemy and the
database. Configured by the environment (gunicorn ``bench.ceiling_app:app``):
``CEILING_DATABASE_URL``, ``CEILING_PAGE_BYTES``, ``CEILING_FIELDS`` (JSON: field → allowed values).
"""

from __future__ import annotations

import json
import os
import sqlite3
import uuid
from typing import Any

from flask import Flask, redirect, render_template_string, request
from sqlalchemy import JSON, Column, Integer, MetaData, Table, create_engine, event, insert
from sqlalchemy.engine import Engine
from werkzeug.wrappers import Response as WerkzeugResponse

metadata = MetaData()
ceiling_responses = Table(
    "ceiling_responses", metadata, Column("id", Integer, primary_key=True), Column("answers", JSON, nullable=False)
)

PAGE = """<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>Phiếu khảo sát</title></head>
<body><form method="post"><input type="hidden" name="form_key" value="{{ key }}">
{% for name, values in fields.items() %}<fieldset><legend>{{ name }}</legend>
{% for value in values %}<label><input type="radio" name="{{ name }}" value="{{ value }}"> {{ value }}</label>
{% endfor %}</fieldset>{% endfor %}<button>Gửi phiếu</button></form><p>{{ filler }}</p></body></html>"""


@event.listens_for(Engine, "connect")
def _tune_sqlite(dbapi_connection: Any, _record: Any) -> None:
    """The same SQLite settings as the real app: WAL and synchronous=NORMAL."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.close()


def create_schema(database_url: str) -> None:
    """Create the ceiling's one table (called by the benchmark before gunicorn starts)."""
    engine = create_engine(database_url)
    metadata.create_all(engine)
    engine.dispose()


def create_ceiling_app(database_url: str, page_bytes: int, fields: dict[str, list[str]]) -> Flask:
    """The ceiling app over ``database_url``, its page ``page_bytes`` long, validating ``fields``."""
    app = Flask(__name__)
    engine = create_engine(database_url)
    allowed = {name: frozenset(values) for name, values in fields.items()}

    def render(filler: str) -> str:
        return render_template_string(PAGE, key=uuid.uuid4().hex, fields=fields, filler=filler)

    with app.test_request_context():
        padding = max(page_bytes - len(render("").encode()), 0)
    filler = "x" * padding  # ASCII: one byte per character

    @app.get("/")
    def page() -> str:
        return render(filler)

    @app.post("/")
    def submit() -> WerkzeugResponse | tuple[str, int]:
        answers = {}
        for name, values in allowed.items():
            value = request.form.get(name)
            if value not in values:
                return f"missing or bad field {name}", 422
            answers[name] = value
        with engine.begin() as connection:
            connection.execute(insert(ceiling_responses).values(answers=answers))
        return redirect("/thanks")

    @app.get("/thanks")
    def thanks() -> str:
        return "Cảm ơn"

    return app


if os.environ.get("CEILING_DATABASE_URL"):
    app = create_ceiling_app(
        os.environ["CEILING_DATABASE_URL"],
        int(os.environ.get("CEILING_PAGE_BYTES", "3000")),
        json.loads(os.environ.get("CEILING_FIELDS", "{}")),
    )
