"""Durability: kill gunicorn (master and workers) with SIGKILL under load, restart, count.

32 clients open the SIPAS-2017 form and send it; a client whose POST dies with the server
resends the same form (same one-time key) once the server is back, as a phone's browser would.
The free-text answer carries the form's key, so every stored response can be traced. At the
end, every submission acknowledged to a client (redirect to the thank-you page) must be
stored, and no form may be stored twice (the app dedupes by the key's digest).

Exits 1 on any loss or duplicate. SIGKILL is a process crash: committed transactions survive
it on SQLite WAL with ``synchronous=NORMAL`` and on PostgreSQL. A power cut or kernel crash
is a different test (WAL + NORMAL may lose the last transactions then) that this cannot do.
Usage: ``python bench/durability.py [--kills 5] [--duration 15]``; PostgreSQL too when
``DATABASE_URL`` is set (that database is wiped).
"""

from __future__ import annotations

import argparse
import dataclasses
import random
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

from _support import (
    Database,
    DeskSurvey,
    LoadPlan,
    LoadResult,
    Server,
    databases,
    make_app,
    our_app_env,
    print_machine,
    run_load,
    setup_desk_survey,
)
from sqlalchemy import func, select

from surveyapp.extensions import db
from surveyapp.form_keys import key_digest
from surveyapp.models import Campaign, Response, SubmissionReceipt
from surveyapp.questionnaires.definition import QuestionType


def stored_keys(database: Database) -> tuple[Counter[str], set[str], int]:
    """Keys found in the stored responses (with counts), receipt digests, and the response count."""
    app = make_app(database.url)
    with app.app_context():
        definition = db.session.scalars(select(Campaign)).first().questionnaires[0].definition
        text_code = next(q.code for q in definition.questions if q.type is QuestionType.TEXT)
        answers = db.session.scalars(select(Response.answers))
        keys = Counter(str(answer.get(text_code, "")) for answer in answers)
        digests = set(db.session.scalars(select(SubmissionReceipt.key_digest)))
        total = db.session.scalar(select(func.count()).select_from(Response))
        db.engine.dispose()
    return keys, digests, total


def crash_repeatedly(server: Server, survey: DeskSurvey, kills: int, duration: float) -> list[float]:
    """SIGKILL the server ``kills`` times over ``duration`` seconds, restarting it each time."""
    downtimes = []
    for _ in range(kills):
        time.sleep(duration / (kills + 1) * random.uniform(0.7, 1.0))
        server.kill()
        stopped = time.monotonic()
        time.sleep(0.2)
        server.start(survey.path)
        downtimes.append(time.monotonic() - stopped)
    return downtimes


def run(database: Database, kills: int, duration: float, clients: int) -> bool:
    """One crash test on one database; prints the counts and returns whether nothing was lost or doubled."""
    survey = setup_desk_survey(database)
    app = make_app(database.url)
    with app.app_context():
        definition = db.session.scalars(select(Campaign)).first().questionnaires[0].definition
        text_field = next(f"q_{q.code}" for q in definition.questions if q.type is QuestionType.TEXT)
        db.engine.dispose()
    plan = LoadPlan(0, survey.path, "durable", clients, duration, survey.answers, text_field=text_field, grace=30.0)
    with Server(our_app_env(database.url)) as server:
        server.start(survey.path)
        plan = dataclasses.replace(plan, port=server.port)
        outcome: list[LoadResult] = []
        load = threading.Thread(target=lambda: outcome.append(run_load(plan)))
        load.start()
        downtimes = crash_repeatedly(server, survey, kills, duration)
        load.join()
    result = outcome[0]
    keys, digests, total = stored_keys(database)
    acknowledged = set(result.acknowledged)
    lost = [key for key in acknowledged if keys[key] == 0]
    unreceipted = [key for key in acknowledged if key_digest(key) not in digests]
    doubled = [key for key, count in keys.items() if count > 1]
    stored_unacknowledged = sum(1 for key in keys if key not in acknowledged)
    print(f"{database.label}: {kills} SIGKILLs of master + workers, restarts took {max(downtimes):.1f} s at most")
    print(f"  acknowledged to clients      {len(result.acknowledged):6d} ({len(acknowledged)} distinct keys)")
    print(f"  POSTs resent after a crash   {result.resends:6d}")
    print(f"  opens refused (server down)  {result.connection_errors:6d}")
    kinds = ", ".join(f"{kind}: {count}" for kind, count in sorted(result.failure_kinds.items()))
    print(f"  POSTs given up or refused    {result.failures:6d}" + (f" ({kinds})" if kinds else ""))
    print(f"  responses stored             {total:6d} (receipts {len(digests)})")
    print(f"  stored, never acknowledged   {stored_unacknowledged:6d} (committed, then the reply died with the server)")
    print(f"  acknowledged but LOST        {len(lost):6d} (no receipt: {len(unreceipted)})")
    print(f"  stored TWICE                 {len(doubled):6d}")
    is_sound = not result.failures and not lost and not unreceipted and not doubled and total == len(digests)
    print(f"  → {'no loss, no duplicate' if is_sound else 'FAILED'}", flush=True)
    return is_sound


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--kills", type=int, default=5)
    parser.add_argument("--duration", type=float, default=15.0, help="seconds of load while killing")
    parser.add_argument("--clients", type=int, default=32)
    options = parser.parse_args()
    print_machine()
    with tempfile.TemporaryDirectory(prefix="bench-durability-") as work:
        results = [
            run(database, options.kills, options.duration, options.clients)
            for database in databases(Path(work), "durability")
        ]
    sys.exit(0 if all(results) else 1)


if __name__ == "__main__":
    main()
