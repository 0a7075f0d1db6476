"""Configuration read from the environment, with defaults for a ward's single server."""

import os
from pathlib import Path
from typing import ClassVar

INSTANCE_DIR = Path(__file__).resolve().parent.parent / "instance"


def _default_database_url() -> str:
    return f"sqlite:///{INSTANCE_DIR / 'surveyapp.sqlite'}"


class Config:
    """Settings of the application; every value can be overridden by the environment."""

    SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-change-me")
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL") or _default_database_url()
    SQLALCHEMY_ENGINE_OPTIONS: ClassVar[dict] = {"pool_pre_ping": True}
    # Public address printed in QR codes and posters; falls back to the request's host.
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "")
    FORMS_DIR = os.environ.get("FORMS_DIR", str(Path(__file__).resolve().parent.parent / "forms"))
    # Dates of submissions are recorded in the local calendar of the survey.
    TIMEZONE = os.environ.get("SURVEYAPP_TIMEZONE", "Asia/Ho_Chi_Minh")
    BABEL_DEFAULT_LOCALE = "vi"
    BABEL_DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"
    LANGUAGES = ("vi", "en")
    # A respondent may take long over a form: the CSRF token lives as long as the session.
    WTF_CSRF_TIME_LIMIT = None
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = os.environ.get("SESSION_COOKIE_SECURE", "") == "1"
    MAX_CONTENT_LENGTH = 2 * 1024 * 1024
