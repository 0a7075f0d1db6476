"""Security of every request and response: the client's address, limits, headers, session cookies.

**The client's address.** ``TRUSTED_PROXIES`` lists the reverse proxies (addresses or
networks) in front of the application. Only when the direct peer is one of them are its
``X-Forwarded-For`` and ``X-Forwarded-Proto`` honoured (``TrustedProxies``); from anyone else
both headers are dropped, so a client reaching gunicorn directly cannot choose the address it
is counted as. ``request.remote_addr`` always means the client, and
``surveyapp.services.limits.client_source`` turns it into a source (an IPv6 /64 counts once).

**Limits** are counted in the database (``surveyapp.services.limits``): every gunicorn worker
and every instance sharing the database sees the same counts, and no address or username is
stored, only keyed hashes under a daily key. They are read and written on connections of
their own, before the request's session writes anything (SQLite lets one writer in at a time).

- Log-in: ``LOGIN_MAX_FAILURES`` failures for one username (any case) within
  ``LOGIN_FAILURE_WINDOW`` lock it for ``LOGIN_LOCK_SECONDS``, the right password included;
  ``LOGIN_SOURCE_MAX_FAILURES`` failures from one source, whatever the usernames, lock that
  source alike. A successful log-in clears the failures of its own username only.
- Public submissions: at most ``RESPOND_LIMIT`` POSTs to the ``respond`` pages per source per
  hour, all campaigns together; beyond it, 429 (the form comes back with its answers kept).
  Each worker counts them itself and writes them ``RESPOND_LIMIT_BATCH`` at a time
  (``BatchedLimit``): a source may get up to workers × batch forms beyond the limit.
  A registered desk device (``services.devices``) is not limited: a kiosk serves a whole
  desk from one address.
"""

from __future__ import annotations

import ipaddress
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from flask import Flask, Response, current_app, request
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import URLSafeTimedSerializer
from werkzeug.exceptions import TooManyRequests

from surveyapp.i18n import is_language_switch
from surveyapp.services.devices import DEVICE_COOKIE, is_desk_device
from surveyapp.services.limits import (
    BUCKET_SECONDS,
    RETENTION,
    BatchedLimit,
    clear_events,
    client_source,
    count_events,
    record_and_count,
)


def content_security_policy(*style_digests: str) -> str:
    """Nothing but our own files: no inline script, no framing, forms post only here.

    No inline style either, except the ``<style>`` elements whose SHA-256 digests (base64)
    are given: exactly those texts, nothing an attacker could write into a page.
    """
    styles = " ".join(["'self'", *(f"'sha256-{digest}'" for digest in style_digests)])
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            f"style-src {styles}",
            "img-src 'self' data:",
            "frame-ancestors 'none'",
            "form-action 'self'",
            "base-uri 'none'",
            "object-src 'none'",
        ]
    )


CONTENT_SECURITY_POLICY = content_security_policy()
# The service needs no device feature at all; the citizen's phone camera is used by the
# phone's own QR scanner, never by our pages.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "camera",
        "microphone",
        "geolocation",
        "payment",
        "usb",
    )
)
HSTS = "max-age=31536000; includeSubDomains"
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    # Single-use answer links carry their token in the path (/r/link/<token>): never send
    # it to another site through the Referer header.
    "Referrer-Policy": "no-referrer",
    "Permissions-Policy": PERMISSIONS_POLICY,
}
# By lower-cased name: every response sees in one pass which of them it still lacks.
_SECURITY_HEADERS_BY_KEY = {name.lower(): (name, value) for name, value in SECURITY_HEADERS.items()}
EXTENSION_KEY = "surveyapp.security"
SUBMISSION_LIMIT_KEY = "surveyapp.submission_limit"


Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address

# Scopes of the shared counters (surveyapp.services.limits).
LOGIN_FAILURES = "login-failure"
LOGIN_LOCKS = "login-lock"
SOURCE_LOGIN_FAILURES = "login-failure-source"
SOURCE_LOGIN_LOCKS = "login-lock-source"
SUBMISSIONS = "respond"
SUBMISSION_WINDOW = 3600


def parse_trusted_proxies(value: object) -> tuple[Network, ...]:
    """The networks of a ``TRUSTED_PROXIES`` setting: addresses or networks, comma-separated.

    >>> parse_trusted_proxies("127.0.0.1, 10.0.0.0/8")
    (IPv4Network('127.0.0.1/32'), IPv4Network('10.0.0.0/8'))
    >>> parse_trusted_proxies("")
    ()
    >>> parse_trusted_proxies("1")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ValueError: TRUSTED_PROXIES: '1' is a number of proxies, ... e.g. TRUSTED_PROXIES=127.0.0.1 ...
    """
    networks = []
    for entry in (part.strip() for part in str(value).split(",")):
        if not entry:
            continue
        if entry.isdigit():
            raise ValueError(
                f"TRUSTED_PROXIES: {entry!r} is a number of proxies, which lets any client choose its address; "
                "list the proxies' addresses or networks instead, e.g. TRUSTED_PROXIES=127.0.0.1 or "
                "TRUSTED_PROXIES=127.0.0.1,10.0.0.0/8 (empty without a proxy)"
            )
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            raise ValueError(
                f"TRUSTED_PROXIES: {entry!r} is not an IP address or network (e.g. 127.0.0.1 or 10.0.0.0/8)"
            ) from None
    return tuple(networks)


def _address(text: str) -> Address | None:
    """The address ``text`` names (an IPv4-mapped IPv6 address as IPv4), or ``None``."""
    try:
        address = ipaddress.ip_address(text.strip())
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


class TrustedProxies:
    """WSGI middleware: the client's address and scheme from the headers of trusted proxies only.

    From a peer in ``networks``, ``REMOTE_ADDR`` becomes the right-most ``X-Forwarded-For``
    address that is not itself a trusted proxy (what a client writes in the header itself is
    further left, and never reached), and ``wsgi.url_scheme`` the scheme the nearest proxy gives
    in ``X-Forwarded-Proto``. From any other peer both headers are removed.
    """

    def __init__(self, app: Callable[..., Any], networks: Iterable[Network]) -> None:
        self.app = app
        self.networks = tuple(networks)

    def _is_trusted(self, address: Address) -> bool:
        return any(address in network for network in self.networks)

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        peer = _address(environ.get("REMOTE_ADDR", ""))
        if peer is None or not self._is_trusted(peer):
            environ.pop("HTTP_X_FORWARDED_FOR", None)
            environ.pop("HTTP_X_FORWARDED_PROTO", None)
            return self.app(environ, start_response)
        client = peer
        for entry in reversed(environ.get("HTTP_X_FORWARDED_FOR", "").split(",")):
            hop = _address(entry)
            if hop is None:  # not an address: keep the last hop a trusted proxy vouched for
                break
            client = hop
            if not self._is_trusted(hop):
                break
        environ["REMOTE_ADDR"] = str(client)
        scheme = environ.get("HTTP_X_FORWARDED_PROTO", "").rsplit(",", 1)[-1].strip().lower()
        if scheme in ("http", "https"):
            environ["wsgi.url_scheme"] = scheme
        return self.app(environ, start_response)


@dataclass(frozen=True)
class Limits:
    """The limits' settings, read and checked once at start."""

    submissions_per_hour: int
    submission_batch: int
    login_max_failures: int
    source_login_max_failures: int
    login_failure_window: int
    login_lock_seconds: int

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Limits:
        limits = cls(
            submissions_per_hour=int(config.get("RESPOND_LIMIT", 600)),
            submission_batch=int(config.get("RESPOND_LIMIT_BATCH", 10)),
            login_max_failures=int(config.get("LOGIN_MAX_FAILURES", 5)),
            source_login_max_failures=int(config.get("LOGIN_SOURCE_MAX_FAILURES", 20)),
            login_failure_window=int(config.get("LOGIN_FAILURE_WINDOW", 900)),
            login_lock_seconds=int(config.get("LOGIN_LOCK_SECONDS", 900)),
        )
        for name, seconds in (
            ("LOGIN_FAILURE_WINDOW", limits.login_failure_window),
            ("LOGIN_LOCK_SECONDS", limits.login_lock_seconds),
        ):
            if not 0 < seconds <= RETENTION:
                raise ValueError(f"{name}: must be between 1 and {RETENTION} seconds, got {seconds}")
        for name, failures in (
            ("LOGIN_MAX_FAILURES", limits.login_max_failures),
            ("LOGIN_SOURCE_MAX_FAILURES", limits.source_login_max_failures),
            ("RESPOND_LIMIT_BATCH", limits.submission_batch),
        ):
            if failures < 1:
                raise ValueError(f"{name}: must be at least 1, got {failures}")
        return limits


def _limits() -> Limits:
    return current_app.extensions[EXTENSION_KEY]


def _username_key(username: str) -> str:
    return username.strip().casefold()


def is_login_locked(username: str) -> bool:
    """Whether log-ins of ``username``, or from the current client, are refused at the moment."""
    lock = _limits().login_lock_seconds
    return (
        count_events(LOGIN_LOCKS, _username_key(username), lock) > 0
        or count_events(SOURCE_LOGIN_LOCKS, client_source(), lock) > 0
    )


def login_lock_minutes() -> int:
    """How long a lock lasts, in whole minutes, for the message that refuses a log-in."""
    return math.ceil(_limits().login_lock_seconds / 60)


def record_login_failure(username: str) -> None:
    """Count a failed log-in of ``username`` from the current client; lock either at its threshold.

    Once locked, the failures that caused the lock are forgotten: after the lock, the count
    starts again.
    """
    limits = _limits()
    for failures, locks, identity, threshold in (
        (LOGIN_FAILURES, LOGIN_LOCKS, _username_key(username), limits.login_max_failures),
        (SOURCE_LOGIN_FAILURES, SOURCE_LOGIN_LOCKS, client_source(), limits.source_login_max_failures),
    ):
        if record_and_count(failures, identity, limits.login_failure_window) >= threshold:
            record_and_count(locks, identity, limits.login_lock_seconds)
            clear_events(failures, identity)


def record_login_success(username: str) -> None:
    """A successful log-in clears the failures of its username (not those of its source)."""
    clear_events(LOGIN_FAILURES, _username_key(username))


def _add_headers(response: Response) -> Response:
    # A header the view set itself is kept; one pass over the headers, not one per header.
    present = set(response.headers.keys(lower=True))
    for key, (name, value) in _SECURITY_HEADERS_BY_KEY.items():
        if key not in present:
            response.headers.add(name, value)
    # HSTS over plain HTTP is ignored by browsers and would only confuse a test set-up.
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    return response


# Pages that show personal data or a personal link: staff pages (sample lists with names and
# phones, exports, accounts), the single-use link's page, and a kiosk's pages (the next person
# at the desk must not find the last one's answers behind the back button). No browser or
# proxy keeps them.
NO_STORE_BLUEPRINTS = frozenset({"admin", "field", "auth", "unit"})
NO_STORE_ENDPOINTS = frozenset(
    {
        "respond.personal_link",
        "respond.receipt_link",
        "respond.kiosk_enrol",
        "respond.kiosk_start",
        "respond.kiosk",
        "respond.kiosk_rating",
        "respond.kiosk_thanks",
    }
)


def _forbid_storing_personal_pages(response: Response) -> Response:
    if request.blueprint in NO_STORE_BLUEPRINTS or request.endpoint in NO_STORE_ENDPOINTS:
        response.headers["Cache-Control"] = "no-store"
    return response


def _limit_public_submissions() -> None:
    """Refuse a public submission beyond its source's hourly allowance: 429 with Retry-After.

    Only POSTs to the public ``respond`` pages count: reading a questionnaire is never limited.
    A refused submission is not counted, so a source that keeps sending gets ``RESPOND_LIMIT``
    forms an hour through (up to workers × ``RESPOND_LIMIT_BATCH`` more, ``BatchedLimit``).
    Retry-After is a minute, when the oldest minute of the hour leaves the window. A form
    posted only to switch its language is not a submission and does not count. A
    registered desk device is not limited (one kiosk serves a whole desk).
    """
    limit: BatchedLimit | None = current_app.extensions[SUBMISSION_LIMIT_KEY]
    if limit is None or request.method != "POST" or request.blueprint != "respond" or is_language_switch():
        return
    if is_desk_device(request.cookies.get(DEVICE_COOKIE)):
        return
    if not limit.admit(client_source()):
        raise TooManyRequests(retry_after=BUCKET_SECONDS)


class SessionCookies(SecureCookieSessionInterface):
    """Flask's signed session cookie, its signing serializer built once per key instead of on
    every request (about 2% of a public submission's CPU, bench/README.md)."""

    def __init__(self) -> None:
        self._serializers: dict[tuple[object, ...], URLSafeTimedSerializer | None] = {}

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        """The serializer of the application's current ``SECRET_KEY`` (and fallbacks)."""
        keys = (app.secret_key, *(app.config["SECRET_KEY_FALLBACKS"] or ()))
        if keys not in self._serializers:
            self._serializers = {keys: super().get_signing_serializer(app)}
        return self._serializers[keys]


def init_app(app: Flask) -> None:
    """Read the client's address from trusted proxies, limit submissions, add the headers,
    sign the session cookie.

    A bad ``TRUSTED_PROXIES`` or limit setting stops the start with a message saying why.
    """
    networks = parse_trusted_proxies(app.config.get("TRUSTED_PROXIES", ""))
    if networks:
        app.wsgi_app = TrustedProxies(app.wsgi_app, networks)  # type: ignore[method-assign]
    limits = app.extensions[EXTENSION_KEY] = Limits.from_config(app.config)
    app.extensions[SUBMISSION_LIMIT_KEY] = (
        BatchedLimit(SUBMISSIONS, SUBMISSION_WINDOW, limits.submissions_per_hour, limits.submission_batch)
        if limits.submissions_per_hour > 0
        else None
    )
    app.session_interface = SessionCookies()
    app.before_request(_limit_public_submissions)
    app.after_request(_add_headers)
    app.after_request(_forbid_storing_personal_pages)
