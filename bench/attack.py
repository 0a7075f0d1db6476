"""The stuffing attacker of issue 10 §3, against gunicorn serving the real app: how many forms count.

Three scenarios, each on a fresh SIPAS-2017 desk campaign (quota closing when full, far from
full), with real GET+POST pairs (each POST carries the signed one-time key of the page just
fetched; ``FORM_SECONDS_PER_ANSWER=0`` so no wait is needed):

- ``direct``: one client, no proxy in front of the app, as fast as it can (``--concurrency``
  requests in flight from one address);
- ``spoofed``: the same client adding a random ``X-Forwarded-For`` to every request while the
  server trusts only another address as its proxy (``TRUSTED_PROXIES=127.0.0.2``: a proxy that
  is not the client, so the header must be ignored);
- ``honest``: 200 phones behind one address (a centre's Wi-Fi, a carrier's NAT) answering within
  a compressed hour (``--honest-seconds``): nothing may be lost (held for review at worst).

Counted = stored in ``responses``; held = in ``held_forms`` (out of every count until an officer
accepts them). The figure per minute is that of the run; the figure **per hour is
extrapolated**: once forms are held, the hourly allowance (``RESPOND_ALLOWANCE``) is used up and
nothing counts until its hour window moves, so an hour counts what the run did; when nothing
was held, linearly from the run's rate. Target: at most 20 counted per hour per
source on one campaign. Usage: ``python bench/attack.py [--duration 30] [--concurrency 4]``.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
import urllib.parse
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from _support import (
    KEY_PATTERN,
    SECRET_KEY,
    Database,
    databases,
    make_app,
    phone_address,
    print_machine,
    request,
    serving,
    setup_desk_survey,
    verdict,
)
from sqlalchemy import func, select

from surveyapp.extensions import db
from surveyapp.models import HeldForm, Response

TARGET_PER_HOUR = 20
HONEST_PHONES = 200


@dataclass
class Tally:
    """What the client saw: POSTs acknowledged (the thank-you redirect) or not, by status."""

    sent: int = 0
    acknowledged: int = 0
    statuses: Counter[int] | None = None

    def __post_init__(self) -> None:
        self.statuses = Counter()


async def _pair(port: int, path: str, answers: dict[str, str], tally: Tally, spoof: bool) -> None:
    """One GET of the form, then one POST of its key and the answers."""
    headers = {"X-Forwarded-For": phone_address()} if spoof else {}
    status, _headers, body = await request(port, "GET", path, headers=headers)
    key = KEY_PATTERN.search(body.decode("utf-8", "replace"))
    if status != 200 or key is None:
        tally.statuses[status] += 1
        return
    form = urllib.parse.urlencode({"form_key": key.group(1), **answers}).encode()
    headers = {"X-Forwarded-For": phone_address()} if spoof else {}
    status, reply, _body = await request(port, "POST", path, headers=headers, body=form)
    location = next((value for name, value in reply if name.lower() == "location"), "")
    tally.sent += 1
    tally.statuses[status] += 1
    if status == 302 and "/thanks" in location:
        tally.acknowledged += 1


async def _flood(port: int, path: str, answers: dict[str, str], seconds: float, concurrency: int, spoof: bool) -> Tally:
    """``concurrency`` loops of GET+POST pairs from one address until ``seconds`` have passed."""
    tally = Tally()
    deadline = time.monotonic() + seconds

    async def loop() -> None:
        while time.monotonic() < deadline:
            try:
                await _pair(port, path, answers, tally, spoof)
            except (ConnectionError, OSError):
                tally.statuses[0] += 1

    await asyncio.gather(*(loop() for _ in range(concurrency)))
    return tally


async def _phones(port: int, path: str, answers: dict[str, str], phones: int, seconds: float) -> Tally:
    """``phones`` GET+POST pairs from one address, started evenly over ``seconds``."""
    tally = Tally()

    async def phone(delay: float) -> None:
        await asyncio.sleep(delay)
        try:
            await _pair(port, path, answers, tally, spoof=False)
        except (ConnectionError, OSError):
            tally.statuses[0] += 1

    await asyncio.gather(*(phone(n * seconds / phones) for n in range(phones)))
    return tally


def _stored(database: Database) -> tuple[int, int]:
    """(counted responses, held forms) in the database."""
    app = make_app(database.url)
    with app.app_context():
        counted = db.session.scalar(select(func.count()).select_from(Response)) or 0
        held = db.session.scalar(select(func.count()).select_from(HeldForm)) or 0
        db.engine.dispose()
    return counted, held


def _env(database: Database, trusted_proxies: str) -> dict[str, str]:
    return {
        "DATABASE_URL": database.url,
        "SECRET_KEY": SECRET_KEY,
        "PUBLIC_BASE_URL": "https://bench.local",
        "FORM_SECONDS_PER_ANSWER": "0",
        "TRUSTED_PROXIES": trusted_proxies,
        "LOG_LEVEL": "WARNING",
    }


def run_attack(database: Database, label: str, trusted_proxies: str, *, spoof: bool, args: argparse.Namespace) -> bool:
    """One attacker scenario; prints its figures and returns whether the target is met."""
    survey = setup_desk_survey(database)
    try:
        with serving("wsgi:app", _env(database, trusted_proxies), ready_path="/healthz") as server:
            tally = asyncio.run(
                _flood(server.port, survey.path, survey.answers, args.duration, args.concurrency, spoof)
            )
    except RuntimeError as error:  # the server did not start with this environment
        print(f"  {label}: not run, the server refused TRUSTED_PROXIES={trusted_proxies!r}: {error}".splitlines()[0])
        return False
    counted, held = _stored(database)
    per_minute = counted * 60 / args.duration
    # Extrapolated: once forms are held, the allowance is used up and nothing more counts until
    # its hour window moves, so an hour counts what the run did; else the run's rate goes on.
    per_hour, how = (counted, "allowance used up") if held else (round(per_minute * 60), "linear")
    is_met = per_hour <= TARGET_PER_HOUR
    print(
        f"  {label}: {tally.sent} forms posted in {args.duration:.0f} s ({dict(tally.statuses)}), "
        f"{tally.acknowledged} thanked; counted {counted}, held {held}\n"
        f"    counted per minute over the run: {per_minute:.1f}; per hour (extrapolated, {how}): {per_hour} "
        f"(target ≤ {TARGET_PER_HOUR}) → {verdict(is_met)}",
        flush=True,
    )
    return is_met


def run_honest(database: Database, args: argparse.Namespace) -> bool:
    """200 phones behind one address within a compressed hour: all stored, counted or held."""
    survey = setup_desk_survey(database)
    with serving("wsgi:app", _env(database, ""), ready_path="/healthz") as server:
        tally = asyncio.run(_phones(server.port, survey.path, survey.answers, HONEST_PHONES, args.honest_seconds))
    counted, held = _stored(database)
    is_met = counted + held == HONEST_PHONES
    print(
        f"  honest: {HONEST_PHONES} phones behind one address over {args.honest_seconds:.0f} s "
        f"({dict(tally.statuses)}): {tally.acknowledged} thanked; counted {counted}, held {held}, "
        f"lost {HONEST_PHONES - counted - held} → {verdict(is_met)}",
        flush=True,
    )
    return is_met


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=30.0, help="seconds of each attacker run (default 30)")
    parser.add_argument("--concurrency", type=int, default=4, help="requests in flight from the attacker (default 4)")
    parser.add_argument("--honest-seconds", type=float, default=60.0, help="the compressed hour (default 60 s)")
    parser.add_argument(
        "--trusted-proxies", default="127.0.0.2", help="TRUSTED_PROXIES of the spoofed run (default 127.0.0.2)"
    )
    args = parser.parse_args()
    print_machine()
    results = []
    with tempfile.TemporaryDirectory(prefix="surveyapp-bench-") as work:
        for index, database in enumerate(databases(Path(work), "attack")):
            print(f"{database.label}:", flush=True)

            def fresh(name: str, index: int = index) -> Database:
                """A database of its own for each scenario (PostgreSQL's is wiped by the set-up)."""
                return databases(Path(work), f"attack-{name}")[index]

            results.append(run_attack(fresh("direct"), "direct", "", spoof=False, args=args))
            results.append(run_attack(fresh("spoofed"), "spoofed", args.trusted_proxies, spoof=True, args=args))
            results.append(run_honest(fresh("honest"), args))
    raise SystemExit(0 if all(results) else 1)


if __name__ == "__main__":
    main()
