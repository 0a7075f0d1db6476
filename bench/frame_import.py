"""Importing a sampling frame: the officer's upload of up to ``UPLOAD_MAX_ROWS`` records.

The frame is stored in the request that uploads it, by a gunicorn worker that is killed after
30 s (the officer then gets an error page and nothing is stored). Builds a CSV of ``--rows``
good records (one person each, over 3 wards, as the one-stop system exports them) and times,
in the process: reading every row of the file without checking or storing it (the same-run ceiling: the
part no storing can avoid), then ``import_frame`` with its commit, into an empty frame and
again over the stored one (the old rows are deleted first). Prints each import as a ratio to
the reading. Target: the largest frame the upload limit allows stored within two thirds of the
worker's timeout (a machine half again as slow still stores it), projected linearly from
``--rows``.
Usage: ``python bench/frame_import.py [--rows 100000]``; set ``DATABASE_URL`` to a throwaway
PostgreSQL database (it is wiped) to measure it too.
"""

from __future__ import annotations

import argparse
import csv
import io
import tempfile
import time
from pathlib import Path

from _support import databases, init_database, make_app, open_campaign_over, print_machine, verdict

from surveyapp.extensions import db
from surveyapp.models import Campaign, CampaignPurpose, Unit
from surveyapp.services.frames import REQUIRED_COLUMNS, import_frame
from surveyapp.tables.reading import read_table

WORKER_TIMEOUT_SECONDS = 30.0
WARDS = ("21172-T01", "21172-T02", "21172-T03")


def frame_csv(rows: int) -> bytes:
    """A frame of ``rows`` good records, as the one-stop system's CSV export has them."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(REQUIRED_COLUMNS)
    for n in range(rows):
        writer.writerow(
            [
                f"000.00.21.H55-{n:08d}",
                "Hộ tịch",
                WARDS[n % len(WARDS)],
                "02/01/2026",
                "05/01/2026",
                "Đã trả kết quả",
                f"Nguyễn Văn {n}",
                f"09{n:08d}",
            ]
        )
    return buffer.getvalue().encode("utf-8")


def seconds_to_read(data: bytes) -> float:
    started = time.perf_counter()
    for _line, _row in read_table("khung.csv", io.BytesIO(data)):
        pass
    return time.perf_counter() - started


def seconds_to_import(campaign: Campaign, data: bytes, rows: int) -> float:
    started = time.perf_counter()
    result = import_frame(campaign, "khung.csv", io.BytesIO(data), skip_bad_rows=False)
    db.session.commit()
    seconds = time.perf_counter() - started
    if result.stored != rows:
        raise AssertionError(f"{result.stored} records stored of {rows}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--rows", type=int, default=100_000)
    options = parser.parse_args()
    print_machine()
    data = frame_csv(options.rows)
    print(f"a CSV frame of {options.rows:,} records, {len(data) / 1024 / 1024:.1f} MB")
    with tempfile.TemporaryDirectory(prefix="bench-frame-") as work:
        for database in databases(Path(work), "frame"):
            app = make_app(database.url)
            init_database(app)
            with app.app_context():
                wards = [Unit(code=code, name=f"Phường {code}", kind="phường") for code in WARDS]
                campaign_id = open_campaign_over(app, ["CX4"], wards, purpose=CampaignPurpose.PAR)
                campaign = db.session.get(Campaign, campaign_id)
                largest = app.config["UPLOAD_MAX_ROWS"]
                reading = seconds_to_read(data)
                first = seconds_to_import(campaign, data, options.rows)
                again = seconds_to_import(campaign, data, options.rows)
                projected = max(first, again) * largest / options.rows
                print(f"\n{database.label}")
                print(f"  reading the file alone (ceiling):     {reading:6.2f} s")
                print(f"  import into an empty frame:           {first:6.2f} s  ({first / reading:.1f}× the ceiling)")
                print(f"  import over the stored frame:         {again:6.2f} s  ({again / reading:.1f}× the ceiling)")
                print(
                    f"  {largest:,} records (the upload limit), projected: {projected:.1f} s of the worker's "
                    f"{WORKER_TIMEOUT_SECONDS:.0f} s; {verdict(projected < WORKER_TIMEOUT_SECONDS * 2 / 3)}"
                )
            with app.app_context():
                db.engine.dispose()


if __name__ == "__main__":
    main()
