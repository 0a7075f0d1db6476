"""Sessions can be revoked: log-out ends every saved cookie of the account; CSRF tokens change at log-in.

Replayed over real HTTP against gunicorn, as someone who copied a cookie would.
"""

from __future__ import annotations

import http.client
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit

from tests.helpers import PASSWORD, csrf_token_of


class Browser:
    """A client of the served app that keeps its session cookie and never follows redirects."""

    def __init__(self, base_url: str) -> None:
        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname, parts.port
        self.session: str | None = None

    def request(self, method: str, path: str, data: dict | None = None) -> tuple[int, dict[str, str], str]:
        headers = {"Cookie": f"session={self.session}"} if self.session else {}
        body = urlencode(data) if data is not None else None
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            for value in response.headers.get_all("Set-Cookie") or []:
                cookie = SimpleCookie(value)
                if "session" in cookie:
                    self.session = cookie["session"].value or None
            return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read().decode()
        finally:
            connection.close()

    def get(self, path: str) -> tuple[int, dict[str, str], str]:
        return self.request("GET", path)

    def post_form(self, path: str, data: dict, *, token_from: str | None = None) -> tuple[int, dict[str, str], str]:
        """Open ``token_from`` (default ``path``) for its CSRF token, then post ``data`` with it."""
        token = csrf_token_of(self.get(token_from or path)[2])
        return self.request("POST", path, {"csrf_token": token, **data})

    def login(self, username: str, password: str = PASSWORD) -> None:
        status, _headers, _ = self.post_form("/login", {"username": username, "password": password})
        assert status == 302, "the log-in failed"

    def logout(self) -> None:
        status, _, _ = self.post_form("/logout", {}, token_from="/admin/audit")
        assert status == 302


def is_sent_to_login(response: tuple[int, dict[str, str], str]) -> bool:
    status, headers, _ = response
    return status == 302 and headers.get("location", "").startswith("/login")


def test_a_cookie_saved_before_log_out_does_not_work_after_it(live_server, officer) -> None:
    browser = Browser(live_server)
    browser.login("canbo")
    saved = browser.session
    assert browser.get("/admin/audit")[0] == 200
    browser.logout()
    thief = Browser(live_server)
    thief.session = saved
    assert is_sent_to_login(thief.get("/admin/audit"))


def test_log_out_in_one_browser_ends_the_sessions_of_the_account_in_every_other(live_server, officer) -> None:
    office, home = Browser(live_server), Browser(live_server)
    office.login("canbo")
    home.login("canbo")
    assert office.get("/admin/")[0] == 200
    home.logout()
    assert is_sent_to_login(office.get("/admin/"))
    office.login("canbo")  # logging in again works
    assert office.get("/admin/")[0] == 200


def test_a_csrf_token_from_before_log_in_is_refused_after_it(client, auth, officer) -> None:
    before = csrf_token_of(client.get("/login").get_data(as_text=True))
    auth.login("canbo")
    assert client.post("/logout", data={"csrf_token": before}).status_code == 400


def test_pages_with_personal_data_are_never_stored(live_server, officer, surveyor) -> None:
    anonymous = Browser(live_server)
    assert anonymous.get("/login")[1].get("cache-control") == "no-store"
    assert anonymous.get(f"/r/link/{'x' * 32}")[1].get("cache-control") == "no-store"
    assert anonymous.get("/static/app.css")[1].get("cache-control") != "no-store"
    browser = Browser(live_server)
    browser.login("canbo")
    for path in ("/admin/", "/admin/audit", "/field/"):
        status, headers, _ = browser.get(path)
        assert (status, headers.get("cache-control")) == (200, "no-store"), path
