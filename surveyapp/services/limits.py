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

Every call runs on a connection of its own, in a short transaction committed at once: the
caller's session is neither committed nor rolled back. On SQLite, which lets one writer in
at a time, call these functions **before** the request's session writes anything (a second
writer waits for the first to commit, i.e. until the request ends).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import math
import random
import time

from flask import current_app, request
from sqlalchemy import Connection, delete, func, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from surveyapp.extensions import db
from surveyapp.models.limits import LimitCount

BUCKET_SECONDS = 60
# One key per UTC day; rows are kept a day, so a window spans at most two keys.
KEY_PERIOD_SECONDS = 24 * 60 * 60
RETENTION = KEY_PERIOD_SECONDS
# Prune old rows once in this many calls of record_and_count, on average.
PRUNE_EVERY = 100
IPV6_PREFIX = 64


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


def record_and_count(scope: str, identity: str, window: int, *, at: float | None = None) -> int:
    """Record one event of (scope, identity) now and return how many events of it fall
    in the last `window` seconds, this one included, counted across every worker and
    instance sharing the database.

    ``at`` (a Unix time) replaces the clock, for tests of windows that take minutes to pass.
    """
    _check_window(window)
    bucket = _bucket(at)
    digest = _digest(scope, identity, bucket)
    with db.engine.begin() as connection:
        is_postgresql = connection.dialect.name == "postgresql"
        if is_postgresql:
            # A counter lost in a crash costs nothing; waiting for its WAL flush costs every
            # submission a second disk flush. (SQLite runs with synchronous=NORMAL already.)
            connection.exec_driver_sql("SET LOCAL synchronous_commit TO OFF")
        insert = postgresql_insert if is_postgresql else sqlite_insert
        upsert = insert(LimitCount).values(scope=scope, identity_digest=digest, bucket=bucket, count=1)
        connection.execute(
            upsert.on_conflict_do_update(
                index_elements=[LimitCount.scope, LimitCount.identity_digest, LimitCount.bucket],
                set_={"count": LimitCount.count + 1},
            )
        )
        count = _count(connection, scope, identity, window, bucket)
        if random.randrange(PRUNE_EVERY) == 0:
            connection.execute(delete(LimitCount).where(LimitCount.bucket <= bucket - RETENTION // BUCKET_SECONDS))
    return count


def count_events(scope: str, identity: str, window: int, *, at: float | None = None) -> int:
    """How many events of (scope, identity) fall in the last ``window`` seconds, recording none."""
    _check_window(window)
    with db.engine.connect() as connection:
        return _count(connection, scope, identity, window, _bucket(at))


def clear_events(scope: str, identity: str) -> None:
    """Forget every kept event of (scope, identity): e.g. the failures before a good log-in."""
    bucket = _bucket(None)
    digests = {_digest(scope, identity, bucket - back) for back in (0, RETENTION // BUCKET_SECONDS)}
    with db.engine.begin() as connection:
        connection.execute(delete(LimitCount).where(LimitCount.scope == scope, LimitCount.identity_digest.in_(digests)))


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
    period = bucket * BUCKET_SECONDS // KEY_PERIOD_SECONDS
    secret = current_app.config["SECRET_KEY"]
    secret = secret.encode() if isinstance(secret, str) else secret
    key = hmac.new(secret, f"surveyapp.limits:{period}".encode(), hashlib.sha256).digest()
    return hmac.new(key, f"{scope}\0{identity}".encode(), hashlib.sha256).hexdigest()[:32]


def _count(connection: Connection, scope: str, identity: str, window: int, bucket: int) -> int:
    """The events of the window ending with ``bucket``, under each day key the window spans."""
    first = bucket - math.ceil(window / BUCKET_SECONDS) + 1
    digests = {_digest(scope, identity, first), _digest(scope, identity, bucket)}
    total = connection.scalar(
        select(func.coalesce(func.sum(LimitCount.count), 0)).where(
            LimitCount.scope == scope,
            LimitCount.identity_digest.in_(digests),
            LimitCount.bucket.between(first, bucket),
        )
    )
    return int(total or 0)
