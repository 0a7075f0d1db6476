"""Submitting the 25-item SIPAS-2017 questionnaire under 32 concurrent clients, against a ceiling.

Ours: gunicorn (2 sync workers) serving the real app; every POST carries the CSRF token and
signed one-time key of its form, is validated, takes a place in a quota cell and stores an anonymous
response. The ceiling: a bare Flask app validating the same fields and inserting one row
through SQLAlchemy (``bench/ceiling_app.py``), same server, same kind of database.

Two measurements, each run interleaved (ours, ceiling, ours, ceiling):

- ``POST``: the clients send POSTs only, each with a form key signed beforehand by the bench
  with the server's secret key, as GETs would have signed them; only the POSTs are timed. The
  server does the same work per POST as after a fresh GET.
- ``GET+POST``: each submission opens a fresh form (GET) and posts its key; the
  figure is complete submissions per second and the latency of the pair.

Targets: at least 60% of the ceiling's submissions per second, p99 under 150 ms. Runs on a
temporary SQLite WAL file, and also on PostgreSQL when ``DATABASE_URL`` is set (that database
is wiped). Usage: ``python bench/submit.py [--duration 5] [--rounds 2] [--clients 32]``.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from _support import (
    Comparison,
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

TARGET_RATIO, TARGET_P99_MS = 0.60, 150.0
# More form keys than the fastest server could take per second of a POST-only run.
KEYS_PER_SECOND = 4000


def report(label: str, comparison: Comparison) -> bool:
    """Print the medians of a comparison; returns whether both targets are met."""
    ratio, p99 = comparison.ratio(), comparison.p99_ms("ours")
    is_met = ratio >= TARGET_RATIO and p99 < TARGET_P99_MS
    print(
        f"  {label} {comparison.kind}: ours/ceiling = {ratio:.0%} (target ≥ {TARGET_RATIO:.0%}); "
        f"p99 ours {p99:.0f} ms (target < {TARGET_P99_MS:.0f}), ceiling {comparison.p99_ms('ceiling'):.0f} ms "
        f"→ {verdict(is_met)}",
        flush=True,
    )
    return is_met


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per run")
    parser.add_argument("--rounds", type=int, default=2, help="interleaved rounds per measurement")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument(
        "--without-limits", action="store_true", help="turn the submission limit and allowance off (what they cost)"
    )
    options = parser.parse_args()
    print_machine()
    with tempfile.TemporaryDirectory(prefix="bench-submit-") as work:
        for database in databases(Path(work), "submit"):
            survey = setup_desk_survey(database)
            print(f"{database.label}: SIPAS-2017, {len(survey.answers)} answer fields, {options.clients} clients")
            with serving(
                "wsgi:app",
                our_app_env(database.url, limits=not options.without_limits),
                ready_path=survey.path,
                workers=options.workers,
            ) as ours:
                page_bytes = page_size(ours.port, survey.path)
                env = ceiling_env(ceiling_database_url(database, Path(work)), page_bytes, survey.allowed)
                with serving("bench.ceiling_app:app", env, workers=options.workers) as ceiling:
                    for server, path in ((ours, survey.path), (ceiling, "/")):  # warm both up
                        run_load(LoadPlan(server.port, path, "pair", 4, 1.0, survey.answers), processes=1)
                    keys = survey.form_keys(int(KEYS_PER_SECOND * options.duration * options.rounds))
                    for scenario, kind in (("post", "POST"), ("pair", "GET+POST")):
                        plans = [
                            LoadPlan(port, path, scenario, options.clients, options.duration, survey.answers, keys=keys)
                            for port, path in ((ours.port, survey.path), (ceiling.port, "/"))
                        ]
                        comparison = interleave(*plans, kind=kind, rounds=options.rounds)
                        report(database.label, comparison)


if __name__ == "__main__":
    main()
