"""Security as a browser, a citizen and an attacker see it: headers, cookies, throttles, limits, logs."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select, text

from surveyapp import create_app
from surveyapp.extensions import db
from surveyapp.models import Response, User, UserRole
from surveyapp.security import LOGIN_FAILURES, LOGIN_LOCKS, SUBMISSIONS
from surveyapp.services import limits
from surveyapp.services.limits import BatchedLimit, count_events, record_and_count
from surveyapp.services.users import create_user
from surveyapp.tables.reading import UnreadableTable, read_table
from tests.helpers import PASSWORD, csrf_token_of, filled_form, form_fields_of, submit

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
LOCKED = "Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau 15 phút."
WRONG = "Tên đăng nhập hoặc mật khẩu không đúng."


def stored_responses() -> int:
    return db.session.scalar(select(func.count()).select_from(Response))


@pytest.fixture
def desk(make_campaign, ward):
    """An open SIPAS-2017 campaign at the ward's one-stop desk."""
    campaign = make_campaign(["SIPAS-2017"], [ward])
    return campaign.questionnaires[0].definition, f"/r/{campaign.id}/SIPAS-2017/21172"


@pytest.fixture
def make_app(app: Flask) -> Iterator:
    """Another application on the same test database, with some settings changed."""
    made: list[Flask] = []

    def make(**settings: object) -> Flask:
        other = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                "TESTING": True,
                "SECRET_KEY": app.config["SECRET_KEY"],
                "FORM_SECONDS_PER_ANSWER": 0,
            }
            | settings
        )
        made.append(other)
        return other

    yield make
    for other in made:
        with other.app_context():
            db.engine.dispose()


# Headers ---------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/login", "/r/0/NONE", "/static/app.css", "/healthz"])
def test_every_response_carries_the_security_headers(client, path) -> None:
    with client.get(path) as response:
        headers = response.headers
    csp = {part.split()[0]: part.split()[1:] for part in headers["Content-Security-Policy"].split("; ")}
    # The citizen's pages carry the stylesheet inline: that text, and no other, is allowed.
    stylesheet = (Path(client.application.static_folder) / "app.css").read_bytes()
    inline = [f"'sha256-{base64.b64encode(hashlib.sha256(stylesheet).digest()).decode()}'"]
    assert csp == {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", *(inline if path.startswith("/r/") else [])],
        "img-src": ["'self'", "data:"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    }
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "no-referrer"
    assert "camera=()" in headers["Permissions-Policy"]


def test_hsts_is_sent_over_https_only(client) -> None:
    assert "Strict-Transport-Security" not in client.get("/login").headers
    secure = client.get("/login", base_url="https://khaosat.example.vn")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_behind_a_trusted_proxy_https_and_the_client_address_come_from_its_headers(make_app, desk) -> None:
    definition, url = desk
    proxied = make_app(TRUSTED_PROXIES="127.0.0.1", RESPOND_LIMIT=1).test_client()
    page = proxied.get("/login", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" in page.headers

    statuses = []
    for address in ("203.0.113.9", "203.0.113.10", "203.0.113.9"):
        proxied.environ_base["HTTP_X_FORWARDED_FOR"] = address
        statuses.append(submit(proxied, url, filled_form(definition)).status_code)
    assert statuses == [302, 302, 429]  # two citizens, not one proxy address


def test_the_headers_of_a_proxy_not_configured_are_ignored(make_app) -> None:
    direct = make_app(TRUSTED_PROXIES="192.0.2.1").test_client()
    page = direct.get("/login", headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"})
    assert "Strict-Transport-Security" not in page.headers


def test_behind_a_chain_of_proxies_the_client_is_the_address_the_first_of_them_saw(make_app, desk) -> None:
    definition, url = desk
    balanced = make_app(TRUSTED_PROXIES="10.0.0.0/8", RESPOND_LIMIT=1).test_client()
    balanced.environ_base["REMOTE_ADDR"] = "10.0.0.5"  # the balancer, behind nginx at 10.0.0.7

    statuses = []
    for chain in ("198.51.100.1, 203.0.113.9, 10.0.0.7", "198.51.100.2, 203.0.113.9, 10.0.0.7", "203.0.113.10"):
        balanced.environ_base["HTTP_X_FORWARDED_FOR"] = chain
        statuses.append(submit(balanced, url, filled_form(definition)).status_code)
    assert statuses == [302, 429, 302]  # whatever the client prepends, it is 203.0.113.9


def test_no_template_has_inline_script_or_style_the_policy_would_block() -> None:
    # Only the stylesheet itself is inline (its digest is in the citizen's pages' policy).
    inline = re.compile(
        r"<script(?![^>]*\bsrc=)|<style(?!>\{\{ inline_stylesheet \}\}</style>)|\sstyle=|\son[a-z]+=", re.IGNORECASE
    )
    offenders = [
        f"{path.relative_to(TEMPLATES)}: {match.group()}"
        for path in TEMPLATES.rglob("*.html")
        for match in inline.finditer(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


# Session cookie ------------------------------------------------------------------------------


def session_cookie(client) -> str:
    page = client.get("/login")
    return next(value for value in page.headers.getlist("Set-Cookie") if value.startswith("session="))


def test_the_session_cookie_is_httponly_and_samesite_lax(client) -> None:
    cookie = session_cookie(client)
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # plain HTTP in development: a Secure cookie would never come back


def test_the_session_cookie_is_secure_when_served_over_https(make_app) -> None:
    cookie = session_cookie(make_app(SESSION_COOKIE_SECURE=True).test_client())
    assert "Secure" in cookie and "HttpOnly" in cookie


# Passwords and log-in throttling ---------------------------------------------------------------


def test_passwords_are_salted_hashes_that_still_verify(app) -> None:
    first = create_user(username="a", full_name="A", password=PASSWORD, role=UserRole.OFFICER)
    second = create_user(username="b", full_name="B", password=PASSWORD, role=UserRole.OFFICER)
    db.session.commit()
    stored = list(db.session.scalars(select(User.password_hash).order_by(User.username)))
    assert PASSWORD not in stored[0] and stored[0] != stored[1]  # a salt per account
    assert first.check_password(PASSWORD) and second.check_password(PASSWORD)
    assert not first.check_password(PASSWORD.upper())


def test_five_failures_lock_the_username_even_for_the_right_password(client, auth, officer) -> None:
    for attempt in range(5):
        page = auth.login("canbo" if attempt % 2 else "CanBo", "sai-mat-khau")
        assert page.status_code == 200 and WRONG in page.get_data(as_text=True)

    refused = auth.login("canbo")

    assert refused.status_code == 429
    assert LOCKED in refused.get_data(as_text=True)
    assert client.get("/field/").status_code == 302  # still not logged in


def test_the_lock_is_per_username(client, auth, officer, surveyor) -> None:
    for _attempt in range(5):
        auth.login("canbo", "sai-mat-khau")
    assert auth.login("dtv1").headers["Location"] == "/"


def test_the_lock_ends_after_its_period_and_old_failures_leave_the_window(client, auth, officer) -> None:
    sixteen_minutes_ago = time.time() - 16 * 60
    for _failure in range(4):
        record_and_count(LOGIN_FAILURES, "canbo", 900, at=sixteen_minutes_ago)
    assert auth.login("canbo", "sai-mat-khau").status_code == 200  # the first failure of the window
    record_and_count(LOGIN_LOCKS, "canbo", 900, at=sixteen_minutes_ago)  # a lock that has ended
    assert auth.login("canbo").status_code == 302


# Rate limit of public submissions ----------------------------------------------------------------


def test_a_flood_from_one_address_gets_a_friendly_429_while_others_still_submit(make_app, desk) -> None:
    definition, url = desk
    limited = make_app(RESPOND_LIMIT=3)
    flooder, neighbour = limited.test_client(), limited.test_client()
    neighbour.environ_base["REMOTE_ADDR"] = "198.51.100.7"

    accepted = [submit(flooder, url, filled_form(definition)).status_code for _ in range(3)]
    refused = submit(flooder, url, filled_form(definition))

    assert accepted == [302, 302, 302]
    assert refused.status_code == 429
    assert 0 < int(refused.headers["Retry-After"]) <= 3600
    page = refused.get_data(as_text=True)
    assert "chưa được lưu" in page and "Các câu trả lời vẫn còn nguyên" in page
    answered = [name for name in filled_form(definition) if name.startswith("q_")]
    assert page.count(" checked") >= len(answered)  # the form comes back with every answer kept
    assert flooder.get(url).status_code == 200  # reading the questionnaire is never limited
    assert submit(neighbour, url, filled_form(definition)).status_code == 302
    assert stored_responses() == 4


def test_refused_submissions_do_not_lengthen_the_wait(app) -> None:
    fifty_nine_minutes_ago = time.time() - 59 * 60
    with app.app_context():
        for _accepted in range(3):
            assert record_and_count(SUBMISSIONS, "203.0.113.9", 3600, limit=3, at=fifty_nine_minutes_ago) <= 3
        refused = [record_and_count(SUBMISSIONS, "203.0.113.9", 3600, limit=3) for _ in range(5)]
        assert refused == [4, 4, 4, 4, 4]  # the three accepted an hour ago are still in the window
        # An hour after the accepted ones the source may send again, however often it was refused:
        assert count_events(SUBMISSIONS, "203.0.113.9", 3600, at=time.time() + 2 * 60) == 0


def test_forms_sent_before_midnight_utc_still_count_after_it(app) -> None:
    """The keyed digest of a source changes with the UTC day: a window across midnight counts
    the events of both days, so that the limit does not start again at 00:00."""
    midnight = (int(time.time()) // 86_400 + 1) * 86_400
    with app.app_context():
        for _sent in range(3):
            record_and_count(SUBMISSIONS, "203.0.113.9", 3600, at=midnight - 10 * 60)
        assert record_and_count(SUBMISSIONS, "203.0.113.9", 3600, limit=3, at=midnight + 10 * 60) == 4
        assert count_events(SUBMISSIONS, "203.0.113.9", 3600, at=midnight + 10 * 60) == 3


def _rows_scanned(plan: dict) -> int:
    """Rows the scans of a plan (the node and those under it) read: kept, and removed by filters."""
    read = plan.get("Actual Rows", 0) + plan.get("Rows Removed by Filter", 0) if "Scan" in plan["Node Type"] else 0
    return read + sum(_rows_scanned(child) for child in plan.get("Plans", []))


def _numbered(sql: str) -> tuple[str, list[str]]:
    """``sql`` with its ``:name`` parameters as PREPARE wants them (``$1``...), and the names."""
    names: list[str] = []

    def number(match: re.Match[str]) -> str:
        if match[1] not in names:
            names.append(match[1])
        return f"${names.index(match[1]) + 1}"

    return re.sub(r"(?<!:):(\w+)", number, sql), names


@pytest.mark.parametrize("statement", ["_RECORD", "_COUNT"])
def test_counting_a_source_reads_its_own_rows_however_many_sources_the_hour_had(app, statement) -> None:
    """PostgreSQL runs the counting statements prepared, with a generic plan after a few runs:
    that plan must find the source's rows by the primary key, also while the hour's rows are
    newer than the table's statistics. Finding them by the minute instead read every source's
    rows of the hour: 2 ms a submission with 6,000 sources (fails on the statements before)."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip(f"PostgreSQL's generic plans; the tests' database is {db.engine.dialect.name}")
    with app.app_context():
        now = time.time()
        rows = [
            {"scope": SUBMISSIONS, "digest": f"{n:032x}", "bucket": int(now // 60) - n % 3, "added": 1}
            for n in range(3000)
        ]
        db.session.execute(limits._ADD, rows)
        sql, names = _numbered(getattr(limits, statement).text)
        parameters = limits._window(SUBMISSIONS, "203.0.113.9", 3600, int(now // 60))
        db.session.execute(text("SET LOCAL plan_cache_mode = force_generic_plan"))
        db.session.execute(text(f"PREPARE counting AS {sql}"))
        values = ", ".join(repr(parameters[name]) for name in names)
        plan = db.session.execute(text(f"EXPLAIN (ANALYZE, FORMAT JSON) EXECUTE counting({values})")).scalar_one()
        db.session.execute(text("DEALLOCATE counting"))  # (prepared on the connection, not in the transaction)
        db.session.rollback()
    assert _rows_scanned(plan[0]["Plan"]) == 0  # the source sent nothing this hour


def test_two_workers_counting_in_batches_let_a_source_through_at_most_the_limit_plus_their_batches(app) -> None:
    """``RESPOND_LIMIT_BATCH``: each worker writes its counts a batch at a time, so it learns
    late what the other let through; the source still gets no more than limit + workers × batch."""
    workers = [BatchedLimit(SUBMISSIONS, 3600, limit=12, batch=3) for _worker in range(2)]

    admitted = [workers[turn % 2].admit("203.0.113.9") for turn in range(40)]

    assert 12 <= admitted.count(True) <= 12 + 2 * 3  # alone, each would let 12 through: 24
    assert admitted[-20:] == [False] * 20
    assert count_events(SUBMISSIONS, "203.0.113.9", 3600) >= 12  # written where every worker reads
    assert all(workers[0].admit(f"198.51.100.{number}") for number in range(5))  # others are not held back


def test_a_worker_counting_in_batches_keeps_no_address_in_its_memory(app) -> None:
    """The per-worker counts are keyed as the shared table is, by the day's keyed digest: a
    dump of the worker's memory between batches does not list who sent forms."""
    worker = BatchedLimit(SUBMISSIONS, 3600, limit=12, batch=5)
    for _form in range(3):
        assert worker.admit("203.0.113.77")
    assert worker.admit("2001:db8:0:1::")

    held = repr(vars(worker))
    assert "203.0.113.77" not in held and "2001:db8" not in held
    assert "203.0.113" not in held


# Request size and upload types -------------------------------------------------------------------


def test_a_too_large_submission_gets_a_friendly_413_and_stores_nothing(client, desk) -> None:
    definition, url = desk
    fields = form_fields_of(client.get(url).get_data(as_text=True))
    sent = client.post(url, data={**fields, **filled_form(definition), "padding": "x" * (3 * 1024 * 1024)})
    assert sent.status_code == 413
    assert "quá lớn (tối đa 2 MB)" in sent.get_data(as_text=True)
    assert stored_responses() == 0


@pytest.mark.parametrize(
    "name, data, message",
    [
        ("khung.pdf", b"%PDF-1.4", "Chỉ nhận tệp .csv hoặc .xlsx."),
        ("khung", b"a,b\n1,2\n", "Chỉ nhận tệp .csv hoặc .xlsx."),
        ("khung.csv", b"M\xe3 h\xf4 s\xf5\nHS-1\n", "UTF-8"),  # a legacy 8-bit code page
        ("khung.xlsx", b"a,b\n1,2\n", "XLSX"),
    ],
    ids=["pdf", "no extension", "csv not utf-8", "xlsx that is not a workbook"],
)
def test_only_readable_csv_and_xlsx_tables_are_accepted(app, name, data, message) -> None:
    with pytest.raises(UnreadableTable, match=re.escape(message)):
        list(read_table(name, data))


def test_a_csv_upload_in_capitals_is_read(app) -> None:
    assert list(read_table("KHUNG.CSV", "Mã hồ sơ\nHS-1\n".encode())) == [(2, {"Mã hồ sơ": "HS-1"})]


# Structured logs --------------------------------------------------------------------------------


def log_lines(capsys) -> list[dict]:
    return [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.startswith("{")]


def test_each_request_is_one_json_line_without_query_string_body_or_address(client, capsys) -> None:
    capsys.readouterr()
    token = csrf_token_of(client.get("/login?lang=vi&next=/secret-query").get_data(as_text=True))
    client.post("/login", data={"username": "canbo", "password": "mat-khau-bi-mat", "csrf_token": token})

    err = capsys.readouterr().err
    lines = [json.loads(line) for line in err.splitlines() if line.startswith("{")]

    requests = [line for line in lines if line["logger"] == "surveyapp.request"]
    assert [(r["method"], r["path"], r["status"]) for r in requests] == [
        ("GET", "/login", 200),
        ("POST", "/login", 200),
    ]
    assert all({"time", "level", "message"} <= r.keys() and r["duration_ms"] >= 0 for r in requests)
    for secret in ("secret-query", "mat-khau-bi-mat", token, "127.0.0.1"):
        assert secret not in err


def test_the_token_of_a_single_use_link_never_reaches_the_log(client, capsys) -> None:
    capsys.readouterr()
    client.get("/r/link/Bi-Mat_Token-123")
    err = capsys.readouterr().err
    assert "Bi-Mat_Token-123" not in err
    assert json.loads(err.splitlines()[-1])["path"] == "/r/link/<redacted>"


def test_a_crash_is_logged_with_its_traceback_and_the_user_sees_a_friendly_page(app, capsys) -> None:
    def crash() -> str:
        raise RuntimeError("secret internals")

    app.add_url_rule("/crash", view_func=crash)
    capsys.readouterr()

    page = app.test_client().get("/crash")

    html = page.get_data(as_text=True)
    assert page.status_code == 500
    assert "Đã có lỗi xảy ra phía máy chủ" in html
    assert "secret internals" not in html and "Traceback" not in html
    lines = log_lines(capsys)
    crash_line = next(line for line in lines if "exception" in line)
    assert crash_line["level"] == "ERROR" and "RuntimeError: secret internals" in crash_line["exception"]
    assert lines[-1]["path"] == "/crash" and lines[-1]["status"] == 500


def test_a_too_large_frame_upload_gets_a_friendly_413(client, auth, officer, make_campaign, ward) -> None:
    campaign = make_campaign(["CX4"], [ward])
    client.application.config["UPLOAD_MAX_BYTES"] = 2 * 1024 * 1024
    auth.login("canbo")
    url = f"/admin/campaigns/{campaign.id}/sample"
    token = csrf_token_of(client.get(url).get_data(as_text=True))
    big = io.BytesIO(b"a" * (3 * 1024 * 1024))
    sent = client.post(url, data={"frame-csrf_token": token, "frame-frame_file": (big, "khung.csv")})
    sent.request.environ["wsgi.input"].close()  # the test client spools a large body to a temporary file
    assert sent.status_code == 413
    assert "quá lớn" in sent.get_data(as_text=True)


def test_a_database_error_in_the_log_shows_neither_statement_values_nor_link_tokens(app, capsys) -> None:
    secret = "gia-tri-bi-mat"  # apart from the failing line, which the traceback quotes

    def failing_lookup() -> str:
        db.session.execute(text("SELECT * FROM no_such_table WHERE token = :token"), {"token": secret})
        return "unreachable"

    def failing_link() -> str:
        raise LookupError("no entry for /r/link/Token-Bi-Mat")

    app.add_url_rule("/failing-lookup", view_func=failing_lookup)
    app.add_url_rule("/failing-link", view_func=failing_link)
    capsys.readouterr()

    client = app.test_client()
    assert client.get("/failing-lookup").status_code == client.get("/failing-link").status_code == 500

    err = capsys.readouterr().err
    assert "no_such_table" in err and "LookupError" in err  # both crashes are in the log...
    assert "gia-tri-bi-mat" not in err and "Token-Bi-Mat" not in err  # ...without their secrets
