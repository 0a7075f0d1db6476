"""From the database to the indices workbook, and the raw CSV export, for a million responses.

Stores ``--responses`` (default 1,000,000) anonymous SIPAS responses over ``--units`` (3,300)
communes in 33 districts, with invented answers to every scored question, then times in a
fresh process, as the officer's download does: reading the responses, scoring every slice
(unit, parent unit, field, respondent group, mode, month), and writing the XLSX workbook;
then the raw export of every response as CSV, then as XLSX (timed; its target is memory).
The indices are timed twice, each in a fresh process: the first download just after the bulk
load (on PostgreSQL the database is still busy with it), and a later one. It prints the peak
memory of the process. Targets: indices workbook under 5 s and 2 GB; raw CSV under 15 s.
Usage: ``python bench/indices.py [--responses 1000000] [--units 3300] [--questionnaire SIPAS-2023]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing
import random
import resource
import tempfile
import time
from pathlib import Path

from _support import databases, init_database, make_app, open_campaign_over, print_machine, verdict
from sqlalchemy import insert, text

from surveyapp.extensions import db
from surveyapp.models import Campaign, CampaignPurpose, Response, Unit
from surveyapp.questionnaires.answers import encode_answer_codes, scored_questions
from surveyapp.services.results import exports
from surveyapp.services.results.indices import compute_results
from surveyapp.tables import writing

WORKBOOK_SECONDS, WORKBOOK_BYTES, CSV_SECONDS = 5.0, 2 * 1024**3, 15.0
BATCH = 50_000


def store_responses(database_url: str, options: argparse.Namespace) -> int:
    """A campaign over the communes and ``options.responses`` invented responses; its id."""
    app = make_app(database_url)
    init_database(app)
    rng = random.Random(2026)
    with app.app_context():
        districts = [Unit(code=f"D{d:03d}", name=f"Huyện {d}", kind="huyện") for d in range(options.units // 100)]
        communes = [
            Unit(code=f"X{n:05d}", name=f"Xã {n}", kind="xã", parent=districts[n % len(districts)])
            for n in range(options.units)
        ]
        campaign_id = open_campaign_over(app, [options.questionnaire], communes, purpose=CampaignPurpose.SIPAS)
        # The version the campaign runs (the newest), not whichever version a query returns first.
        questionnaire = db.session.get(Campaign, campaign_id).questionnaires[0]
        definition = questionnaire.definition
        questions = scored_questions(definition)
        unit_ids = [unit.id for unit in communes]
        groups = [group.code for group in definition.respondent_groups]
        fields = list(definition.procedure_fields) or [None]
        start = dt.date.today() - dt.timedelta(days=60)
        stored = 0
        while stored < options.responses:
            rows = []
            for _ in range(min(BATCH, options.responses - stored)):
                answers = {q.code: rng.choice(q.choices).value for q in questions}
                rows.append(
                    {
                        "campaign_id": campaign_id,
                        "unit_id": rng.choice(unit_ids),
                        "questionnaire_id": questionnaire.id,
                        "respondent_group": rng.choice(groups),
                        "mode": "desk_qr",
                        "procedure_field": rng.choice(fields),
                        "submitted_on": start + dt.timedelta(days=rng.randrange(60)),
                        "answers": answers,
                        "answer_codes": encode_answer_codes(definition, answers),
                    }
                )
            db.session.execute(insert(Response.__table__), rows)
            db.session.commit()
            stored += len(rows)
        if db.engine.dialect.name == "postgresql":
            # A database at rest, as an officer finds it: vacuumed, as autovacuum does soon after
            # a bulk load (else the first read of each row writes its visibility hint), and
            # checkpointed (else the timed read competes with writing a gigabyte of dirty pages).
            # Together about 2 s of the first read here.
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.execute(text("VACUUM ANALYZE responses"))
                connection.execute(text("CHECKPOINT"))
        db.engine.dispose()
    return campaign_id


def measure(database_url: str, campaign_id: int, work: Path, with_raw: bool, queue: multiprocessing.Queue) -> None:
    """In a fresh process: the officer's downloads, timed stage by stage, written to files
    (the indices, then with ``with_raw`` the raw CSV and XLSX)."""
    app = make_app(database_url)
    figures = {}
    with app.test_request_context():
        campaign = db.session.get(Campaign, campaign_id)
        started = started_at = time.perf_counter()
        results = compute_results(campaign)
        figures["read and score every slice"] = time.perf_counter() - started
        scored = time.perf_counter()
        with (work / "indices.xlsx").open("wb") as file:
            writing.write_xlsx(exports.indices_tables(results), file)
        figures["indices workbook, end to end"] = time.perf_counter() - started
        figures["workbook bytes"] = (work / "indices.xlsx").stat().st_size
        started = time.perf_counter()
        archive = writing.csv_zip(exports.indices_tables(results), "chi-so")
        figures["indices as a ZIP of CSV"] = time.perf_counter() - started + (scored - started_at)
        figures["zip bytes"] = len(archive)
        figures["peak memory"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        if not with_raw:
            queue.put(figures)
            return
        questionnaire = campaign.questionnaires[0]
        started = time.perf_counter()
        with (work / "raw.csv").open("wb") as file:
            file.writelines(writing.csv_chunks(exports.raw_table(campaign, questionnaire)))
        figures["raw CSV export"] = time.perf_counter() - started
        figures["raw CSV bytes"] = (work / "raw.csv").stat().st_size
        started = time.perf_counter()
        with (work / "raw.xlsx").open("wb") as file:
            writing.write_xlsx([exports.raw_table(campaign, questionnaire)], file)
        figures["raw XLSX export"] = time.perf_counter() - started
        figures["raw XLSX bytes"] = (work / "raw.xlsx").stat().st_size
    figures["peak memory with raw XLSX"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    queue.put(figures)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--responses", type=int, default=1_000_000)
    parser.add_argument("--units", type=int, default=3300)
    parser.add_argument("--questionnaire", default="SIPAS-2023")
    options = parser.parse_args()
    print_machine()
    with tempfile.TemporaryDirectory(prefix="bench-indices-") as work:
        for database in databases(Path(work), "indices"):
            started = time.perf_counter()
            campaign_id = store_responses(database.url, options)
            print(
                f"{database.label}: stored {options.responses:,} responses to {options.questionnaire} over "
                f"{options.units:,} units in {time.perf_counter() - started:.0f} s (set-up, not timed)",
                flush=True,
            )
            for when, with_raw in (("first download, just after the bulk load", True), ("a later download", False)):
                figures = measured(database.url, campaign_id, Path(work), with_raw)
                workbook_seconds = figures["indices workbook, end to end"]
                print(f"  {when}:")
                print(f"    read and score every slice       {figures['read and score every slice']:6.2f} s")
                print(
                    f"    indices workbook, end to end     {workbook_seconds:6.2f} s "
                    f"({figures['workbook bytes'] / 1e6:.1f} MB) → {verdict(workbook_seconds < WORKBOOK_SECONDS)}"
                )
                zip_seconds = figures["indices as a ZIP of CSV"]
                print(
                    f"    indices as CSV (ZIP), end to end {zip_seconds:6.2f} s "
                    f"({figures['zip bytes'] / 1e6:.1f} MB) → {verdict(zip_seconds < WORKBOOK_SECONDS)}"
                )
                print(
                    f"    peak memory of that process      {figures['peak memory'] / 1024**3:6.2f} GB "
                    f"→ {verdict(figures['peak memory'] < WORKBOOK_BYTES)}",
                    flush=True,
                )
                if with_raw:
                    print_raw_figures(figures)


def measured(database_url: str, campaign_id: int, work: Path, with_raw: bool) -> dict[str, float]:
    """The figures of ``measure``, run in a fresh process (a new worker, no warm caches)."""
    queue: multiprocessing.Queue = multiprocessing.get_context("spawn").Queue()
    process = multiprocessing.get_context("spawn").Process(
        target=measure, args=(database_url, campaign_id, work, with_raw, queue)
    )
    process.start()
    process.join()
    if process.exitcode != 0:
        raise SystemExit(f"the measuring process failed (exit status {process.exitcode})")
    return queue.get()


def print_raw_figures(figures: dict[str, float]) -> None:
    """The raw exports' lines of the report."""
    print(
        f"    raw CSV export                   {figures['raw CSV export']:6.2f} s "
        f"({figures['raw CSV bytes'] / 1e6:.0f} MB) → {verdict(figures['raw CSV export'] < CSV_SECONDS)}"
    )
    print(
        f"    raw XLSX export                  {figures['raw XLSX export']:6.2f} s "
        f"({figures['raw XLSX bytes'] / 1e6:.0f} MB); peak memory of the process then "
        f"{figures['peak memory with raw XLSX'] / 1024**3:.2f} GB",
        flush=True,
    )


if __name__ == "__main__":
    main()
