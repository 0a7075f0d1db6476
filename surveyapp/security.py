"""Security of every response: headers, rate limits of public submissions, log-in throttling.

Both limits keep their counts **in the memory of one worker process**, on purpose:

- no IP address or username is ever written to the database, a file or a log: the counts
  vanish with the process, and an address is only kept while it has submissions in the
  window;
- the schema stays as it is, and a database round trip is not added to every submission.

The price is that each gunicorn worker counts on its own: with ``--workers 2`` an address may
send up to twice ``RESPOND_RATE_LIMIT`` submissions per window, and an attacker may try up to
twice ``LOGIN_MAX_FAILURES`` passwords per lock period before every worker refuses. This is
still a hard cap of a few guesses per minute, which is what throttling is for; a province
that runs many workers on many machines should add a limit at the reverse proxy (nginx
``limit_req``) in front of them.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from dataclasses import dataclass, field

from flask import Flask, Response, current_app, request
from werkzeug.exceptions import TooManyRequests
from werkzeug.middleware.proxy_fix import ProxyFix

# Nothing but our own files: no inline script or style, no framing, forms post only here.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "frame-ancestors 'none'",
        "form-action 'self'",
        "base-uri 'none'",
        "object-src 'none'",
    ]
)
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


class SlidingWindow:
    """At most ``limit`` events per key in any ``window`` seconds, counted in memory.

    >>> window = SlidingWindow(limit=2, window=60.0)
    >>> window.hit("a", now=0.0), window.hit("a", now=1.0), window.hit("a", now=2.0)
    (None, None, 58.0)
    >>> window.hit("a", now=60.5)  # the first event left the window
    """

    def __init__(self, *, limit: int, window: float) -> None:
        if limit < 1:
            raise ValueError(f"limit: must be at least 1, got {limit}")
        if window <= 0:
            raise ValueError(f"window: must be positive, got {window}")
        self.limit = limit
        self.window = window
        self._events: dict[str, deque[float]] = {}
        self._lock = threading.Lock()
        self._next_sweep = 0.0

    def hit(self, key: str, *, now: float | None = None) -> float | None:
        """Count one event of ``key``; ``None`` when allowed, else the seconds to wait.

        A refused event is not counted, so a client that waits the given time gets through.
        """
        now = time.monotonic() if now is None else now
        with self._lock:
            self._sweep(now)
            events = self._events.setdefault(key, deque())
            while events and events[0] <= now - self.window:
                events.popleft()
            if len(events) >= self.limit:
                return events[0] + self.window - now
            events.append(now)
            return None

    def _sweep(self, now: float) -> None:
        """Forget keys without events in the window, so that memory follows current traffic."""
        if now < self._next_sweep:
            return
        self._next_sweep = now + self.window
        for key in [key for key, events in self._events.items() if not events or events[-1] <= now - self.window]:
            del self._events[key]


@dataclass
class _Failures:
    times: deque[float] = field(default_factory=deque)
    locked_until: float = 0.0


class LoginThrottle:
    """Refuse a username for ``lock_seconds`` after ``max_failures`` failed log-ins in ``window``.

    Usernames are compared case-insensitively. During the lock every attempt is refused,
    with the right password too, so that guessing cannot go on; a successful log-in clears
    the failures. The counts live in this process only (see the module docstring).

    >>> throttle = LoginThrottle(max_failures=2, window=900.0, lock_seconds=900.0)
    >>> throttle.record_failure("CanBo", now=0.0); throttle.record_failure("canbo ", now=1.0)
    >>> throttle.is_locked("canbo", now=2.0), throttle.is_locked("canbo", now=902.0)
    (True, False)
    """

    def __init__(self, *, max_failures: int, window: float, lock_seconds: float) -> None:
        self.max_failures = max_failures
        self.window = window
        self.lock_seconds = lock_seconds
        self._failures: dict[str, _Failures] = {}
        self._lock = threading.Lock()

    @staticmethod
    def _key(username: str) -> str:
        return username.strip().casefold()

    def is_locked(self, username: str, *, now: float | None = None) -> bool:
        """Whether log-ins of ``username`` are refused at the moment."""
        now = time.monotonic() if now is None else now
        with self._lock:
            failures = self._failures.get(self._key(username))
            return failures is not None and now < failures.locked_until

    def record_failure(self, username: str, *, now: float | None = None) -> None:
        """Count a failed log-in; the ``max_failures``-th within the window starts the lock."""
        now = time.monotonic() if now is None else now
        with self._lock:
            self._forget_stale(now)
            failures = self._failures.setdefault(self._key(username), _Failures())
            while failures.times and failures.times[0] <= now - self.window:
                failures.times.popleft()
            failures.times.append(now)
            if len(failures.times) >= self.max_failures:
                failures.locked_until = now + self.lock_seconds
                failures.times.clear()

    def record_success(self, username: str) -> None:
        """A successful log-in starts the count of failures again."""
        with self._lock:
            self._failures.pop(self._key(username), None)

    def _forget_stale(self, now: float) -> None:
        """Drop usernames neither locked nor with a failure in the window (guessed names pile up)."""
        stale = [
            key
            for key, failures in self._failures.items()
            if now >= failures.locked_until and (not failures.times or failures.times[-1] <= now - self.window)
        ]
        for key in stale:
            del self._failures[key]


@dataclass
class _State:
    submissions: SlidingWindow | None
    logins: LoginThrottle


def login_throttle() -> LoginThrottle:
    """The log-in throttle of the current application."""
    state: _State = current_app.extensions[EXTENSION_KEY]
    return state.logins


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
# phones, exports, accounts) and the single-use link's page. No browser or proxy keeps them.
NO_STORE_BLUEPRINTS = frozenset({"admin", "field", "auth"})
NO_STORE_ENDPOINTS = frozenset({"respond.personal_link"})


def _forbid_storing_personal_pages(response: Response) -> Response:
    if request.blueprint in NO_STORE_BLUEPRINTS or request.endpoint in NO_STORE_ENDPOINTS:
        response.headers["Cache-Control"] = "no-store"
    return response


def _limit_public_submissions() -> None:
    """Refuse a citizen's submission beyond the address's allowance with 429 and Retry-After.

    Only POSTs to the public ``respond`` pages count: reading a questionnaire is never limited.
    The limit is generous (120 per 10 minutes by default) because a one-stop desk's tablet,
    or a whole ward office behind one NAT address, legitimately sends a form every few
    seconds on a busy morning; the limit only stops a script flooding the counts.
    """
    state: _State = current_app.extensions[EXTENSION_KEY]
    if state.submissions is None or request.method != "POST" or request.blueprint != "respond":
        return
    wait = state.submissions.hit(request.remote_addr or "unknown")
    if wait is not None:
        raise TooManyRequests(retry_after=max(1, math.ceil(wait)))


def init_app(app: Flask) -> None:
    """Add the security headers to every response and the limits to the requests.

    ``TRUSTED_PROXIES`` (the number of reverse proxies in front of the application) makes the
    client address and scheme come from their ``X-Forwarded-For`` and ``X-Forwarded-Proto``
    headers: without it every citizen would share the proxy's address.
    """
    proxies = int(app.config.get("TRUSTED_PROXIES", 0))
    if proxies > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)  # type: ignore[method-assign]
    limit = int(app.config.get("RESPOND_RATE_LIMIT", 120))
    app.extensions[EXTENSION_KEY] = _State(
        submissions=(
            SlidingWindow(limit=limit, window=float(app.config.get("RESPOND_RATE_WINDOW", 600))) if limit > 0 else None
        ),
        logins=LoginThrottle(
            max_failures=int(app.config.get("LOGIN_MAX_FAILURES", 5)),
            window=float(app.config.get("LOGIN_FAILURE_WINDOW", 900)),
            lock_seconds=float(app.config.get("LOGIN_LOCK_SECONDS", 900)),
        ),
    )
    app.before_request(_limit_public_submissions)
    app.after_request(_add_headers)
    app.after_request(_forbid_storing_personal_pages)
