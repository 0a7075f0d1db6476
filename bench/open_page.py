"""Opening the SIPAS-2017 questionnaire (GET) under 32 concurrent clients, against a ceiling.

Ours: gunicorn (2 sync workers) serving the real app: the campaign, questionnaire and unit are
looked up, a one-time key and a CSRF token (in the session cookie) are issued and the form is
rendered. The ceiling: a bare Flask app rendering a Jinja page of the same byte size
(``bench/ceiling_app.py``). Runs interleaved (ours, ceiling, ours, ceiling) on a temporary
SQLite WAL database, and on PostgreSQL too when ``DATABASE_URL`` is set (that database is
wiped). Target: at least 60% of the ceiling's requests per second.
Usage: ``python bench/open_page.py [--duration 5] [--rounds 2] [--clients 32]``.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from _support import (
    LoadPlan,
    ceiling_database_url,
    ceiling_env,
    databases,
    interleave,
    our_app_env,
    page_size,
    print_machine,
    run_load,
    serving,
    setup_desk_survey,
    verdict,
)

TARGET_RATIO = 0.60


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per run")
    parser.add_argument("--rounds", type=int, default=2, help="interleaved rounds")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    options = parser.parse_args()
    print_machine()
    with tempfile.TemporaryDirectory(prefix="bench-open-page-") as work:
        for database in databases(Path(work), "open_page"):
            survey = setup_desk_survey(database)
            with serving(
                "wsgi:app", our_app_env(database.url), ready_path=survey.path, workers=options.workers
            ) as ours:
                page_bytes = page_size(ours.port, survey.path)
                env = ceiling_env(ceiling_database_url(database, Path(work)), page_bytes, survey.allowed)
                with serving("bench.ceiling_app:app", env, workers=options.workers) as ceiling:
                    print(
                        f"{database.label}: questionnaire page {page_bytes:,} bytes, ceiling page "
                        f"{page_size(ceiling.port, '/'):,} bytes, {options.clients} clients"
                    )
                    plans = [
                        LoadPlan(port, path, "get", options.clients, options.duration)
                        for port, path in ((ours.port, survey.path), (ceiling.port, "/"))
                    ]
                    for plan in plans:  # warm up
                        run_load(LoadPlan(plan.port, plan.path, "get", 4, 1.0), processes=1)
                    comparison = interleave(*plans, kind="GET", rounds=options.rounds)
            ratio = comparison.ratio()
            print(
                f"  {database.label} GET: ours/ceiling = {ratio:.0%} (target ≥ {TARGET_RATIO:.0%}); p99 ours "
                f"{comparison.p99_ms('ours'):.0f} ms, ceiling {comparison.p99_ms('ceiling'):.0f} ms "
                f"→ {verdict(ratio >= TARGET_RATIO)}",
                flush=True,
            )


if __name__ == "__main__":
    main()
