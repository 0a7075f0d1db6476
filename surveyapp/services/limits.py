"""Event counters shared by every worker and instance: the storage of rate limits and locks.

A limit counts events of a *scope* (``"login-failure"``, ``"respond"``...) for an *identity*
(a username, a client source) over a sliding window of seconds. The counts live in the
database (``limit_counts``), so that two gunicorn workers, or two servers behind one proxy,
see the same numbers: one minute per row, upserted (``INSERT ... ON CONFLICT DO UPDATE``,
on SQLite and PostgreSQL alike). A window is counted in whole minutes: the current minute and
the ``ceil(window / 60) - 1`` before it.

**No address or username is stored.** An identity is kept as an HMAC-SHA256 of it under a
key derived from ``SECRET_KEY`` and the UTC day of the row (32 hex digits); rows older than
``RETENTION`` seconds are deleted now and then (once every ``PRUNE_EVERY`` calls, on
average). Whoever reads the database without the configuration learns nothing but counts.
The trade-off: the day key can be derived again by whoever holds ``SECRET_KEY``, and there
are only 2^32 IPv4 addresses, so a holder of both the database and the key could find the
addresses of the rows still kept by trying them all; pruning limits that to the last day.
A window may therefore not exceed ``RETENTION``.

Every call but ``record_in_session`` runs on a connection of its own, in a short transaction
committed at once: the caller's session is neither committed nor rolled back. On SQLite,
which lets one writer in at a time, call them **before** the request's session writes
anything (a second writer waits for the first to commit, i.e. until the request ends).
``record_in_session`` counts in the request's own transaction instead: its event is kept only
if the request commits, at no cost of a transaction of its own.

``BatchedLimit`` admits events under a limit in each process and writes them in batches: the
public submission limit, where a transaction per form cost more than the rest of the limit's
work, and a bounded overshoot (``processes × batch``) costs nothing on a limit of hundreds.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import ipaddress
import math
import random
import threading
import time
from collections import Counter

from flask import current_app, request
from sqlalchemy import text

from surveyapp.driver_statements import DriverStatement
from surveyapp.extensions import db
from surveyapp.models.limits import LimitCount

BUCKET_SECONDS = 60
# One key per UTC day; rows are kept a day, so a window spans at most two keys.
KEY_PERIOD_SECONDS = 24 * 60 * 60
RETENTION = KEY_PERIOD_SECONDS
# Prune old rows once in this many calls of record_and_count, on average.
PRUNE_EVERY = 100
IPV6_PREFIX = 64

# Plain SQL, the same on SQLite and PostgreSQL: these run on every public submission, and
# building them as Core statements cost more CPU than the database work (bench/README.md).
# Recording returns the window's count in the same statement: the minute's row as written
# (exact, under the writer's lock) plus the earlier minutes of the window.
_TABLE = LimitCount.__tablename__


def _window_sum(last: str) -> str:
    """SQL summing the window's rows from its first minute to ``last`` (a bound expression).

    The rows of the first day's minutes are keyed by ``first_digest``, the others by
    ``last_digest`` (``_window``): one sum per digest, each found by equality on the
    primary key. (An IN of both digests made PostgreSQL's generic plan of the prepared
    statement scan every row of the window's minutes by the bucket index instead: 2 ms with
    6,000 sources in the hour, bench/README.md.)
    """
    rows = f"SELECT coalesce(sum(earlier.count), 0) FROM {_TABLE} AS earlier WHERE earlier.scope = :scope"
    first_day = f"{rows} AND earlier.identity_digest = :first_digest AND earlier.bucket BETWEEN :first AND :split - 1"
    last_day = f"{rows} AND earlier.identity_digest = :last_digest AND earlier.bucket BETWEEN :split AND {last}"
    return f"({first_day}) + ({last_day})"


_RECORD = text(
    f"INSERT INTO {_TABLE} (scope, identity_digest, bucket, count) VALUES (:scope, :last_digest, :last, 1) "
    f"ON CONFLICT (scope, identity_digest, bucket) DO UPDATE SET count = {_TABLE}.count + 1 "
    f"RETURNING count + {_window_sum(':last - 1')}"
)
# The same, on the submission's path (record_in_session).
_RECORD_ON_DRIVER = DriverStatement(_RECORD)
_COUNT = text(f"SELECT {_window_sum(':last')}")
# A batch of events, one row per identity.
_ADD = text(
    f"INSERT INTO {_TABLE} (scope, identity_digest, bucket, count) VALUES (:scope, :digest, :bucket, :added) "
    f"ON CONFLICT (scope, identity_digest, bucket) DO UPDATE SET count = {_TABLE}.count + :added"
)
_PRUNE = text(f"DELETE FROM {_TABLE} WHERE bucket <= :oldest")
_CLEAR = text(f"DELETE FROM {_TABLE} WHERE scope = :scope AND identity_digest IN (:first_digest, :last_digest)")


def client_source() -> str:
    """The current request's client as a source: an IPv4 address, or an IPv6 /64 prefix
    (e.g. '2001:db8:1:2::/64'); the address X-Forwarded-For gives only when the direct
    peer is a configured proxy (``TRUSTED_PROXIES``, see ``surveyapp.security``).

    One household or phone on IPv6 holds a whole /64, so its addresses count as one source.
    """
    remote = request.remote_addr or ""
    try:
        address = ipaddress.ip_address(remote)
    except ValueError:
        return remote or "unknown"
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, IPV6_PREFIX), strict=False))
    return str(address)


def record_and_count(
    scope: str, identity: str, window: int, *, limit: int | None = None, at: float | None = None
) -> int:
    """Record one event of (scope, identity) now and return how many events of it fall
    in the last `window` seconds, this one included, counted across every worker and
    instance sharing the database.

    With a ``limit``, an event that would make the count exceed it is not kept (its
    transaction is rolled back): the caller refuses it, and refusals do not lengthen the wait.
    ``at`` (a Unix time) replaces the clock, for tests of windows that take minutes to pass.
    """
    bucket = _bucket(at)
    with db.engine.connect() as connection, connection.begin() as transaction:
        if connection.dialect.name == "postgresql":
            # A counter lost in a crash costs nothing; waiting for its WAL flush costs every
            # submission a second disk flush. (SQLite runs with synchronous=NORMAL already.)
            connection.exec_driver_sql("SET LOCAL synchronous_commit TO OFF")
        count = int(connection.execute(_RECORD, _window(scope, identity, window, bucket)).scalar_one())
        if limit is not None and count > limit:
            transaction.rollback()
            return count
        if random.randrange(PRUNE_EVERY) == 0:
            connection.execute(_PRUNE, {"oldest": bucket - RETENTION // BUCKET_SECONDS})
    return count


class BatchedLimit:
    """At most ``limit`` events of one scope per identity in ``window`` seconds, admitted by each
    process on its own and written to the shared table a batch at a time.

    A process lets an event through when the identity's count as it last read it, plus the
    events it has let through since and not yet written, stays under the limit. It writes
    its events once it holds ``batch`` of them (or when the minute changes), in one
    transaction, and reads back the counts of the identities it wrote: what other processes
    wrote becomes known then. An identity it has not written yet counts from 0.

    The process keeps only what the shared table keeps: identities by their keyed digest of
    the day (an address is never held beyond the request that gives it), so a new day starts
    an identity from 0 in the process until its next batch is written.

    **Bound**: each process lets through at most ``batch`` events between two readings of the
    count, so an identity gets at most ``limit + processes × batch`` events in a window,
    ``processes`` being every worker of every instance sharing the database; ``batch = 1`` is
    exact (``record_and_count`` before each event). Refused events are not counted, and an
    identity found at the limit is read again once a minute (when the window has moved) before
    it is let through. Unwritten events of a process that ends are lost, which only loosens
    the count by the same bound.
    """

    def __init__(self, scope: str, window: int, limit: int, batch: int) -> None:
        _check_window(window)
        if batch < 1:
            raise ValueError(f"batch: must be at least 1, got {batch}")
        self.scope, self.window, self.limit, self.batch = scope, window, limit, batch
        # Digest of the day -> (the identity's count in the window when last read, the minute read).
        self._known: dict[str, tuple[int, int]] = {}
        # Events let through and not yet written, per digest, with the minute they fell in and
        # the window parameters naming each identity's events.
        self._unwritten: Counter[str] = Counter()
        self._unwritten_windows: dict[str, dict[str, object]] = {}
        self._unwritten_bucket = 0
        self._forgotten_in = _bucket(None)
        self._lock = threading.Lock()  # the development server answers in threads

    def admit(self, identity: str) -> bool:
        """Whether one more event of ``identity`` stays within the limit; it is counted if so."""
        if self.batch == 1:
            return record_and_count(self.scope, identity, self.window, limit=self.limit) <= self.limit
        bucket = _bucket(None)
        window = _window(self.scope, identity, self.window, bucket)
        key = str(window["last_digest"])
        with self._lock:
            if self._unwritten and bucket != self._unwritten_bucket:
                self._write()  # each event is kept under the minute it fell in
            known, read_in = self._known.get(key, (0, bucket))
            unwritten = self._unwritten.get(key, 0)
            if known + unwritten >= self.limit:
                if read_in == bucket:
                    return False
                known = _count_window(window)  # the window has moved since
                self._known[key] = (known, bucket)
                if known + unwritten >= self.limit:
                    return False
            self._unwritten[key] = unwritten + 1
            self._unwritten_windows[key] = window
            self._unwritten_bucket = bucket
            if self._unwritten.total() >= self.batch:
                self._write()
            return True

    def _write(self) -> None:
        """Write the unwritten events in one transaction and read back their identities' counts."""
        bucket, events, windows = self._unwritten_bucket, self._unwritten, self._unwritten_windows
        self._unwritten, self._unwritten_windows = Counter(), {}
        rows = [{"scope": self.scope, "digest": key, "bucket": bucket, "added": added} for key, added in events.items()]
        with db.engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                connection.exec_driver_sql("SET LOCAL synchronous_commit TO OFF")  # as in record_and_count
            connection.execute(_ADD, rows)
            # One window at a time, each found by the primary key: reading them all with one IN
            # read every source's rows of the hour on PostgreSQL (bench/README.md).
            counts = {key: int(connection.execute(_COUNT, window).scalar_one()) for key, window in windows.items()}
            if random.randrange(PRUNE_EVERY) < len(rows):
                connection.execute(_PRUNE, {"oldest": bucket - RETENTION // BUCKET_SECONDS})
        oldest = bucket - math.ceil(self.window / BUCKET_SECONDS)
        if self._forgotten_in <= oldest:
            # Once a window, drop older readings: an identity not heard of since counts from 0 again.
            self._known = {key: known for key, known in self._known.items() if known[1] > oldest}
            self._forgotten_in = bucket
        for key, count in counts.items():
            self._known[key] = (count, bucket)


def record_in_session(scope: str, identity: str, window: int) -> int:
    """Record one event of (scope, identity) in the session's transaction and return how many
    fall in the last ``window`` seconds, this one included.

    The event is kept only if the caller commits: e.g. a form counted when it is stored, and
    not when its transaction is rolled back. The count is exact under concurrency: the
    upsert takes SQLite's writer lock, or PostgreSQL's lock on the minute's row, first.
    """
    parameters = _window(scope, identity, window, _bucket(None))
    return int(_RECORD_ON_DRIVER.execute(db.session.connection(), parameters).fetchone()[0])


def count_events(scope: str, identity: str, window: int, *, at: float | None = None) -> int:
    """How many events of (scope, identity) fall in the last ``window`` seconds, recording none."""
    return _count_window(_window(scope, identity, window, _bucket(at)))


def _count_window(parameters: dict[str, object]) -> int:
    """How many events the window ``parameters`` name (``_window``) holds."""
    with db.engine.connect() as connection:
        return int(connection.execute(_COUNT, parameters).scalar_one())


def clear_events(scope: str, identity: str) -> None:
    """Forget every kept event of (scope, identity): e.g. the failures before a good log-in."""
    bucket = _bucket(None)
    with db.engine.begin() as connection:
        connection.execute(
            _CLEAR,
            {
                "scope": scope,
                "first_digest": _digest(scope, identity, bucket - RETENTION // BUCKET_SECONDS),
                "last_digest": _digest(scope, identity, bucket),
            },
        )


def source_tag(identity: str) -> str:
    """A short keyed tag (e.g. 8 hex) of an identity, the same for the current key period,
    to show evidence ('forms per source') without the address.

    >>> from surveyapp import create_app
    >>> with create_app({"TESTING": True}).app_context():
    ...     tag = source_tag("203.0.113.9")
    ...     (len(tag), tag == source_tag("203.0.113.9"), tag == source_tag("203.0.113.10"))
    (8, True, False)
    """
    return _digest("source-tag", identity, _bucket(None))[:8]


def _check_window(window: int) -> None:
    if not 0 < window <= RETENTION:
        raise ValueError(f"window: must be between 1 and {RETENTION} seconds, got {window}")


def _bucket(at: float | None) -> int:
    return int((time.time() if at is None else at) // BUCKET_SECONDS)


def _digest(scope: str, identity: str, bucket: int) -> str:
    """The keyed hash of (scope, identity) under the key of the bucket's day."""
    key = _day_key(current_app.config["SECRET_KEY"], _key_period(bucket))
    return hmac.new(key, f"{scope}\0{identity}".encode(), hashlib.sha256).hexdigest()[:32]


def _key_period(bucket: int) -> int:
    """The UTC day whose key digests the identities of the minute ``bucket``."""
    return bucket * BUCKET_SECONDS // KEY_PERIOD_SECONDS


@functools.lru_cache(maxsize=8)
def _day_key(secret: str | bytes, period: int) -> bytes:
    """The HMAC key of one UTC day, derived from ``SECRET_KEY`` (kept: it is asked for on
    every submission, and a day has one)."""
    secret = secret.encode() if isinstance(secret, str) else secret
    return hmac.new(secret, f"surveyapp.limits:{period}".encode(), hashlib.sha256).digest()


def _window(scope: str, identity: str, window: int, bucket: int) -> dict[str, object]:
    """The parameters naming the events of (scope, identity) in the window ending with
    ``bucket``: its first and last minutes, and the digest under each day key it spans."""
    _check_window(window)
    first = bucket - math.ceil(window / BUCKET_SECONDS) + 1
    last_digest = _digest(scope, identity, bucket)
    is_one_day = _key_period(first) == _key_period(bucket)  # (most windows: one digest, not two)
    return {
        "scope": scope,
        "first_digest": last_digest if is_one_day else _digest(scope, identity, first),
        "last_digest": last_digest,
        "first": first,
        # The first minute keyed by the last day's key.
        "split": first if is_one_day else _key_period(bucket) * KEY_PERIOD_SECONDS // BUCKET_SECONDS,
        "last": bucket,
    }
