"""Helpers shared by the tests: logging in through the real page, reading CSRF tokens."""

from __future__ import annotations

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

PASSWORD = "mat-khau-an-toan"


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
        return self._client.post("/login", data={"username": username, "password": password, "csrf_token": token})
