"""Helpers shared by the tests: logging in through the real page, reading CSRF tokens."""

from __future__ import annotations

import secrets
import subprocess
import threading
from collections.abc import Callable

from flask import Flask, g
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from surveyapp import create_app, pdf
from surveyapp.extensions import db
from surveyapp.questionnaires.answers import PROCEDURE_FIELD_FIELD, RESPONDENT_GROUP_FIELD, field_name
from surveyapp.questionnaires.definition import QuestionnaireDefinition, QuestionType

PASSWORD = "mat-khau-an-toan"
# The tests' application and the gunicorn servers they start share it; new at every run, so
# that no key the tests use is printed in the repository.
SECRET_KEY = secrets.token_hex(32)
# The tests' accounts are hashed at a 32nd of the service's scrypt cost: hashing at full
# cost took about a quarter of a second per account created and per log-in.
PASSWORD_HASH_METHOD = "scrypt:1024:8:1"


def csrf_token_of(html: str) -> str:
    """The CSRF token a rendered page carries."""
    for marker in ('name="csrf_token" type="hidden" value="', 'name="csrf_token" value="'):
        if marker in html:
            return html.split(marker, 1)[1].split('"', 1)[0]
    raise AssertionError("the page has no CSRF token")


class AuthActions:
    """Log a staff member in through the real log-in page."""

    def __init__(self, client: FlaskClient) -> None:
        self._client = client

    def login(self, username: str, password: str = PASSWORD) -> TestResponse:
        page = self._client.get("/login")
        token = csrf_token_of(page.get_data(as_text=True))
        response = self._client.post("/login", data={"username": username, "password": password, "csrf_token": token})
        # The tests' app context outlives requests, and with it Flask-WTF's per-request cache
        # of the token (``g.csrf_token``): drop the one from before log-in, which the log-in
        # took out of the session, as a browser's next request would not see it.
        g.pop("csrf_token", None)
        return response


def filled_form(
    definition: QuestionnaireDefinition, unit_keys: list[str] | tuple[str, ...] = (), choice: int = -1
) -> dict:
    """A complete, valid set of form fields: option ``choice`` of every question's options."""
    data: dict[str, str | list[str]] = {}
    if definition.asks_respondent_group:
        data[RESPONDENT_GROUP_FIELD] = definition.respondent_groups[0].code
    if definition.asks_procedure_field:
        data[PROCEDURE_FIELD_FIELD] = definition.procedure_fields[0]
    for question in definition.questions:
        if question.type is QuestionType.TEXT:
            continue
        value = question.options[choice].key
        for unit_key in unit_keys if question.per_unit else [None]:
            data[field_name(question, unit_key)] = value
    return data


def submit(client: FlaskClient, url: str, data: dict, *, key: str | None = None) -> TestResponse:
    """Open the form at ``url`` as a browser would, then post ``data`` with its hidden fields."""
    html = client.get(url).get_data(as_text=True)
    fields = form_fields_of(html) | ({"form_key": key} if key else {})
    return client.post(url, data=fields | data)


def form_key_of(html: str) -> str:
    """The signed one-time form key a rendered questionnaire carries."""
    return html.split('name="form_key" value="', 1)[1].split('"', 1)[0]


def form_fields_of(html: str) -> dict[str, str]:
    """The hidden fields a rendered questionnaire posts: its form key, and its CSRF token if any.

    The public forms carry no CSRF token (their signed key does its work); the surveyors' do.
    """
    fields = {"form_key": form_key_of(html)}
    if 'name="csrf_token"' in html:
        fields["csrf_token"] = csrf_token_of(html)
    return fields


def pdf_files_missing() -> str:
    """Why PDF files cannot be made here as in production, or ``""``: WeasyPrint needs Pango, and
    the print pages' Times New Roman stand-in must have the Vietnamese letters (Debian's
    fonts-liberation2; README "PDF files")."""
    if not pdf.is_available():
        return "WeasyPrint cannot load Pango here (apt-get install libpango-1.0-0 libpangoft2-1.0-0)"
    try:
        families = subprocess.run(["fc-list", ":lang=vi", "family"], capture_output=True, text=True).stdout
    except FileNotFoundError:
        families = ""
    if "Liberation Serif" not in families:
        return "no Liberation Serif with the Vietnamese letters (apt-get install fonts-liberation2)"
    return ""


def at_once(app: Flask, threads: int, act: Callable[[Callable[[], object]], object]) -> list[object]:
    """Run ``act`` in ``threads`` threads, each in its own application context, session and
    connection (as gunicorn's workers), released together when each calls the ``wait`` it is
    given; returns what each returned, or the exception it raised, in the order they finished."""
    racing_app = create_app({**app.config, "SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": threads + 2, "max_overflow": 0}})
    start = threading.Barrier(threads, timeout=60)
    outcomes: list[object] = []

    def run() -> None:
        with racing_app.app_context():
            try:
                outcomes.append(act(start.wait))
            except BaseException as error:  # reported to the test
                outcomes.append(error)
            finally:
                db.session.remove()

    started = [threading.Thread(target=run) for _n in range(threads)]
    for thread in started:
        thread.start()
    for thread in started:
        thread.join(timeout=120)
    with racing_app.app_context():
        db.engine.dispose()
    return outcomes
