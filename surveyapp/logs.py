"""Structured logs: one JSON object per line on stderr, one line per request.

A line holds the time (UTC), level, logger and message, and for requests the method, the
path, the status and the duration. What is never logged, so that the log cannot identify a
respondent or open their answers:

- the query string and the request body (form answers, passwords);
- the token of a single-use answer link: ``/r/link/<token>`` becomes ``/r/link/<redacted>``,
  and a receipt link's code ``/r/m/<code>`` becomes ``/r/m/<redacted>``;
- the client's IP address or user agent.

Unhandled exceptions are logged with their traceback (``exception``); the user only sees the
friendly page of ``surveyapp.errors``. Run gunicorn without ``--access-logfile``: its access
log holds addresses and full URLs.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import sys
import time

from flask import Flask, Response, g, request
from flask.logging import default_handler

LOGGER_NAME = "surveyapp"
REQUEST_LOGGER_NAME = "surveyapp.request"
_LINK_TOKEN = re.compile(r"/r/(link|m)/[^/]+")
# Paths polled by the reverse proxy: logged only when they fail.
QUIET_PATHS = frozenset({"/healthz"})
REQUEST_FIELDS = ("method", "path", "status", "duration_ms")


def redact_path(path: str) -> str:
    """``path`` (or any text quoting one) without the secret a single-use link carries.

    >>> redact_path("/r/link/AbC-123_x")
    '/r/link/<redacted>'
    >>> redact_path("/r/m/ABCDEFGHJKMN")
    '/r/m/<redacted>'
    >>> redact_path("/r/4/CX4/21172-T01")
    '/r/4/CX4/21172-T01'
    """
    return _LINK_TOKEN.sub(r"/r/\1/<redacted>", path)


class JsonFormatter(logging.Formatter):
    """A log record as one line of JSON (non-ASCII kept readable: Vietnamese messages)."""

    def format(self, record: logging.LogRecord) -> str:
        """The record's time, level, logger, message, request fields and traceback, if any."""
        entry: dict[str, object] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": redact_path(record.getMessage()),
        }
        for name in REQUEST_FIELDS:
            if name in record.__dict__:
                entry[name] = record.__dict__[name]
        if record.exc_info:
            # An error message may quote the URL it failed on.
            entry["exception"] = redact_path(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False, default=str)


class StderrHandler(logging.Handler):
    """Write to the ``sys.stderr`` of the moment (gunicorn and test runners replace it)."""

    def emit(self, record: logging.LogRecord) -> None:
        """Write one formatted line and flush, so that lines of several workers do not mix."""
        try:
            stream = sys.stderr
            stream.write(self.format(record) + "\n")
            stream.flush()
        except Exception:
            self.handleError(record)


def configure_logging(level: str | int = "INFO") -> logging.Logger:
    """Send the ``surveyapp`` loggers (``app.logger`` among them) to stderr as JSON lines.

    Calling it again (one application per test) replaces the handler instead of adding one.
    """
    logger = logging.getLogger(LOGGER_NAME)
    for handler in [h for h in logger.handlers if isinstance(h, StderrHandler) or h is default_handler]:
        logger.removeHandler(handler)
    handler = StderrHandler()
    handler.setFormatter(JsonFormatter())
    logger.addHandler(handler)
    logger.setLevel(level)
    # Our handler writes the lines: do not write them a second time through the root logger.
    logger.propagate = False
    return logger


def _start_timer() -> None:
    g.request_started = time.perf_counter()


def _log_request(response: Response) -> Response:
    path = request.path
    if path in QUIET_PATHS and response.status_code < 400:
        return response
    started = g.get("request_started")
    duration = round((time.perf_counter() - started) * 1000, 1) if started is not None else None
    level = logging.ERROR if response.status_code >= 500 else logging.INFO
    logging.getLogger(REQUEST_LOGGER_NAME).log(
        level,
        "request",
        extra={
            "method": request.method,
            "path": redact_path(path),
            "status": response.status_code,
            "duration_ms": duration,
        },
    )
    return response


def init_app(app: Flask) -> None:
    """Configure the JSON log and log every request when it is answered."""
    configure_logging(app.config.get("LOG_LEVEL", "INFO"))
    # First of all before-request functions: the duration includes the CSRF check.
    app.before_request_funcs.setdefault(None, []).insert(0, _start_timer)
    app.after_request(_log_request)
