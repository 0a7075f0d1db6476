"""Closed by default: no published secret key, bounded ids in URLs, nothing personal cached.

The attacks run against the app served by gunicorn over real HTTP, as the world sees it.
"""

from __future__ import annotations

import http.client
import stat
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.sessions import SecureCookieSessionInterface

from surveyapp import create_app
from surveyapp.instance_files import InsecureSecretKeyError, ensure_secret_key
from tests.served import Server

PUBLISHED_KEY = "dev-only-change-me"  # the default of the service's first versions


def http_get(url: str, cookie: str | None = None, method: str = "GET") -> tuple[int, dict[str, str], str]:
    """Request ``url`` without following redirects: status, headers (lower-cased names), body."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        connection.request(method, parts.path, headers={"Cookie": f"session={cookie}"} if cookie else {})
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read().decode()
    finally:
        connection.close()


def forged_officer_cookie(user_id: int, key: str = PUBLISHED_KEY) -> str:
    """A session cookie saying ``user_id`` is logged in, signed with ``key`` as Flask signs it."""
    forger = Flask("forger")
    forger.secret_key = key
    serializer = SecureCookieSessionInterface().get_signing_serializer(forger)
    assert serializer is not None
    return serializer.dumps({"_user_id": str(user_id), "_fresh": True})


def served(database_url: str, **env: str) -> Server:
    return Server({"DATABASE_URL": database_url, "SECRET_KEY": "", **env})


def test_a_server_without_a_secret_key_refuses_to_start(database_url, officer, tmp_path) -> None:
    with served(database_url, SECRET_KEY_FILE=str(tmp_path / "no-such-file")) as server:
        with pytest.raises(RuntimeError, match="gunicorn exited early"):
            server.start()
        assert "SECRET_KEY is not set" in server.log() and "python -m surveyapp.instance_files" in server.log()


@pytest.mark.parametrize("key", [PUBLISHED_KEY, "short-but-not-empty"])
def test_a_weak_or_published_key_is_refused_outside_tests(key) -> None:
    with pytest.raises(InsecureSecretKeyError, match="too weak"):
        create_app({"SECRET_KEY": key})


def test_a_session_forged_with_the_published_key_is_refused_by_a_make_run_server(
    database_url, officer, tmp_path
) -> None:
    key_file = tmp_path / "secret_key"
    assert ensure_secret_key(key_file)
    with served(database_url, SECRET_KEY_FILE=str(key_file)).start() as server:
        status, headers, _body = http_get(f"{server.url}/admin/", forged_officer_cookie(officer.id))
        assert status == 302 and headers["location"].startswith("/login")
        # The key made once is what the server signs with: a cookie signed with it would pass.
        assert len(key_file.read_text().strip()) == 64


def test_the_key_file_is_made_once_and_readable_by_its_owner_only(tmp_path: Path) -> None:
    key_file = tmp_path / "instance" / "secret_key"
    assert ensure_secret_key(key_file)
    key = key_file.read_text()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert not ensure_secret_key(key_file) and key_file.read_text() == key, "an existing key is kept"
    app = create_app({"SECRET_KEY": "", "SECRET_KEY_FILE": str(key_file)})
    assert app.secret_key == key.strip()


# Huge numbers in URLs ------------------------------------------------------------------------

HUGE_NUMBERS = ("2147483648", "9223372036854775808", "99999999999999999999")


def int_rules(app: Flask) -> list[tuple[str, str]]:
    """Every rule with an ``<int:...>`` part, with the method it is requested with."""
    return sorted(
        (rule.rule, "GET" if "GET" in (rule.methods or ()) else "POST")
        for rule in app.url_map.iter_rules()
        if "<int:" in rule.rule
    )


def test_every_route_with_a_huge_id_is_the_ordinary_not_found_page(app, live_server, officer, auth, client) -> None:
    """Public and staff patterns (as an officer, who may open every staff page), over HTTP."""
    auth.login("canbo")
    cookie = client.get_cookie("session")
    assert cookie is not None
    rules = int_rules(app)
    assert {"/r/<int:campaign_id>/thanks", "/admin/campaigns/<int:campaign_id>/sample"} <= {rule for rule, _ in rules}
    wrong = []
    for rule, method in rules:
        for number in HUGE_NUMBERS:
            path = rule
            for part in rule.split("<")[1:]:
                name = part.split(">", 1)[0]
                path = path.replace(f"<{name}>", number if name.startswith("int:") else "CX4")
            path = path.replace("<any(xlsx, zip):extension>", "xlsx").replace("<any(xlsx, csv):extension>", "csv")
            status, _headers, body = http_get(live_server + path, cookie.value, method)
            if status != 404 or "Không tìm thấy trang" not in body:
                wrong.append(f"{method} {path}: {status}")
    assert not wrong, "\n".join(wrong)
