"""Configuration read from the environment, with defaults for a ward's single server."""

import os
from pathlib import Path
from typing import ClassVar

INSTANCE_DIR = Path(__file__).resolve().parent.parent / "instance"


def _default_database_url() -> str:
    return f"sqlite:///{INSTANCE_DIR / 'surveyapp.sqlite'}"


class Config:
    """Settings of the application; every value can be overridden by the environment."""

    # Signs sessions and CSRF tokens: 32 characters or more. Without it, the key is read from
    # SECRET_KEY_FILE (``make run`` creates instance/secret_key); without either, only tests and
    # the debug server start (with a random key), anything else refuses to.
    SECRET_KEY = os.environ.get("SECRET_KEY", "")
    SECRET_KEY_FILE = os.environ.get("SECRET_KEY_FILE", str(INSTANCE_DIR / "secret_key"))
    # ``load-demo`` writes the demo accounts' random passwords here (owner-only permissions).
    DEMO_ACCOUNTS_FILE = os.environ.get("DEMO_ACCOUNTS_FILE", str(INSTANCE_DIR / "demo-accounts.txt"))
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL") or _default_database_url()
    # hide_parameters: a database error in the log never shows the values of the statement
    # (answers, names and phones of a sampling frame, the tokens of single-use links).
    SQLALCHEMY_ENGINE_OPTIONS: ClassVar[dict] = {"hide_parameters": True}
    # A pooled database connection idle this many seconds is pinged before use (a restarted
    # server or a firewall may have dropped it); one in steady use is not (surveyapp/__init__.py).
    DATABASE_PING_AFTER_IDLE = float(os.environ.get("DATABASE_PING_AFTER_IDLE", "10"))
    # Public address printed in QR codes and posters; falls back to the request's host.
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "")
    # Where the source code of the running service can be had (AGPL-3.0 section 13: a changed
    # copy serving people must offer them its source); linked at the foot of every page.
    SOURCE_URL = os.environ.get("SOURCE_URL", "")
    FORMS_DIR = os.environ.get("FORMS_DIR", str(Path(__file__).resolve().parent.parent / "forms"))
    CRITERIA_DIR = os.environ.get("CRITERIA_DIR", str(Path(__file__).resolve().parent.parent / "criteria"))
    # Dates of submissions are recorded in the local calendar of the survey.
    TIMEZONE = os.environ.get("SURVEYAPP_TIMEZONE", "Asia/Ho_Chi_Minh")
    BABEL_DEFAULT_LOCALE = "vi"
    BABEL_DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"
    LANGUAGES = ("vi", "en")
    # How account passwords are hashed (werkzeug's method string; "scrypt" is scrypt:32768:8:1).
    # Lower the cost only where nobody's password is at stake: the test suite does, to hash in
    # milliseconds instead of a quarter of a second.
    PASSWORD_HASH_METHOD = os.environ.get("PASSWORD_HASH_METHOD", "scrypt")
    # A respondent may take long over a form: the CSRF token lives as long as the session.
    WTF_CSRF_TIME_LIMIT = None
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = os.environ.get("SESSION_COOKIE_SECURE", "") == "1"
    # Flask-Login's "remember me" cookie, should it ever be used, follows the session cookie.
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    REMEMBER_COOKIE_SAMESITE = "Lax"
    # Largest request body: a bigger one gets a 413 page. Officers' uploads have their own limit.
    MAX_CONTENT_LENGTH = 2 * 1024 * 1024
    # Officers' uploaded tables (frames, responses, appraisals): the largest file, in bytes (a
    # frame of 200,000 rows is about 18 MB as CSV); the most data rows; the largest XLSX once
    # unzipped, as its zip directory declares it (reading XLSX is ~25 times slower than CSV:
    # 32 MB of sheet is about 60,000 frame rows, read in about 12 s, within gunicorn's 30 s).
    UPLOAD_MAX_BYTES = int(os.environ.get("UPLOAD_MAX_BYTES", str(32 * 1024 * 1024)))
    UPLOAD_MAX_ROWS = int(os.environ.get("UPLOAD_MAX_ROWS", "200000"))
    UPLOAD_MAX_XLSX_BYTES = int(os.environ.get("UPLOAD_MAX_XLSX_BYTES", str(32 * 1024 * 1024)))
    # The full list of an upload's bad rows (which may hold names and phones) is kept in
    # instance/upload-problems/ for download this many seconds, then deleted.
    UPLOAD_PROBLEMS_KEEP_SECONDS = int(os.environ.get("UPLOAD_PROBLEMS_KEEP_SECONDS", "3600"))
    # Evidence files of assessed units (surveyapp/evidence_files.py): where their contents are
    # kept (back this folder up with the database), the largest file and the most a unit may
    # keep in all, in bytes.
    EVIDENCE_DIR = os.environ.get("EVIDENCE_DIR", str(INSTANCE_DIR / "evidence"))
    EVIDENCE_MAX_BYTES = int(os.environ.get("EVIDENCE_MAX_BYTES", str(20 * 1024 * 1024)))
    EVIDENCE_UNIT_MAX_BYTES = int(os.environ.get("EVIDENCE_UNIT_MAX_BYTES", str(500 * 1024 * 1024)))
    # Signed one-time form keys (surveyapp/form_keys.py): how long a served form may be sent
    # (a respondent's; a form a surveyor types in, which may wait on a phone through a week of
    # rounds in villages without a signal), and the least time a person takes over it: seconds
    # per question, capped.
    FORM_KEY_MAX_AGE = int(os.environ.get("FORM_KEY_MAX_AGE", str(12 * 3600)))
    FIELD_KEY_MAX_AGE = int(os.environ.get("FIELD_KEY_MAX_AGE", str(7 * 24 * 3600)))
    FORM_SECONDS_PER_ANSWER = float(os.environ.get("FORM_SECONDS_PER_ANSWER", "1"))
    FORM_MIN_SECONDS_CAP = int(os.environ.get("FORM_MIN_SECONDS_CAP", "60"))
    # PDF files (surveyapp/pdf.py) are made inside the request, and WeasyPrint lays out about 4 A4
    # pages a second on a 2-core machine under load: a CX4 paper form (12 questions) in 0.3 s, a
    # SIPAS-2023 one (71 questions) in 1.5 s, 150 lines of a sign-off sheet a second. These keep
    # a PDF under about 7 s on a busy machine, far inside gunicorn's 30 s (a worker rendering is
    # a worker not answering citizens): the most questions in one PDF of a batch of paper forms
    # (240: 20 CX4 forms, 8 SIPAS-2017 forms, 3 SIPAS-2023 forms), and the most table lines in
    # one PDF of the sign-off sheets or the payment list. Past them the print page is the way
    # (README "PDF files").
    PDF_MAX_QUESTIONS = int(os.environ.get("PDF_MAX_QUESTIONS", "240"))
    PDF_MAX_LINES = int(os.environ.get("PDF_MAX_LINES", "1000"))
    # QR forms per hour per client source per campaign that count at once; beyond it they are
    # held for an officer's review (services/held.py), never refused. 0 turns the allowance off.
    RESPOND_ALLOWANCE = int(os.environ.get("RESPOND_ALLOWANCE", "20"))
    # The reverse proxies in front of the application, whose X-Forwarded-For/-Proto alone are
    # trusted: comma-separated addresses or networks ("127.0.0.1,10.0.0.0/8"); empty: none.
    TRUSTED_PROXIES = os.environ.get("TRUSTED_PROXIES", "")
    # Public submissions per client source (an IPv4 address, an IPv6 /64) per hour, all
    # campaigns together, counted across every worker and instance; 0 disables.
    RESPOND_LIMIT = int(os.environ.get("RESPOND_LIMIT", "600"))
    # Each worker writes the submissions it counted this many at a time (one transaction per
    # form cost more than the rest of the limit): a source may get up to workers × this many
    # forms beyond RESPOND_LIMIT. 1 counts every form in the database before it is let through.
    RESPOND_LIMIT_BATCH = int(os.environ.get("RESPOND_LIMIT_BATCH", "10"))
    # Log-in throttling: this many failures for a username (any case), or from one client
    # source whatever the usernames, within the window lock it for LOGIN_LOCK_SECONDS.
    LOGIN_MAX_FAILURES = int(os.environ.get("LOGIN_MAX_FAILURES", "5"))
    LOGIN_SOURCE_MAX_FAILURES = int(os.environ.get("LOGIN_SOURCE_MAX_FAILURES", "20"))
    LOGIN_FAILURE_WINDOW = int(os.environ.get("LOGIN_FAILURE_WINDOW", str(15 * 60)))
    LOGIN_LOCK_SECONDS = int(os.environ.get("LOGIN_LOCK_SECONDS", str(15 * 60)))
    # Spent single-use links mark their people "answered" only in shuffled batches of at
    # least this many per campaign, unit and questionnaire (see services/samples.py).
    ANONYMITY_K = int(os.environ.get("ANONYMITY_K", "10"))
    # The one-stop system's API: calls per calling system per minute (counted across every
    # worker and instance), and the largest request body it reads, in bytes.
    API_CALLS_PER_MINUTE = int(os.environ.get("API_CALLS_PER_MINUTE", "120"))
    API_MAX_BODY_BYTES = int(os.environ.get("API_MAX_BODY_BYTES", "4096"))
    # The gateway that sends invitations to the sample: empty, none (the officer downloads the
    # message list); "log", the log; or "package.module:Class" (see services/senders.py).
    MESSAGE_SENDER = os.environ.get("MESSAGE_SENDER", "")
    # Published SIPAS results name a unit with fewer forms than this without its figures.
    PUBLISH_MIN_FORMS = int(os.environ.get("PUBLISH_MIN_FORMS", "5"))
    # Desk kiosks (surveyapp/respond/kiosk.py): seconds without a touch before a kiosk's page
    # returns to its start, seconds its thank-you screen shows, and the fewest quick ratings
    # of a counter for its figures to be shown (fewer: "chưa đủ số phiếu").
    KIOSK_IDLE_SECONDS = int(os.environ.get("KIOSK_IDLE_SECONDS", "60"))
    KIOSK_THANKS_SECONDS = int(os.environ.get("KIOSK_THANKS_SECONDS", "5"))
    COUNTER_MIN_ANSWERS = int(os.environ.get("COUNTER_MIN_ANSWERS", "10"))
    # Level of the JSON-lines log written to stderr.
    LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
