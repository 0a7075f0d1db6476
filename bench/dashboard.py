"""Server time of the quota/progress pages for 3,300 communes × 5 respondent groups.

A province of 33 districts × 100 communes; a PAR campaign running CX1, CX2 and CX4 over the
3,300 communes with 5 quota cells per commune (CX1 council delegates 15 and commune leaders
2, CX2 12, CX4 businesses 10 and citizens 20): 16,500 cells. Each cell is filled at random
and the matching anonymous responses are stored (about half the 194,700 planned forms), so a
page that scans the responses instead of reading the cells' counts shows it.

Times each page in the process (Flask test client, logged in through the real log-in page):
the officer's campaign page (progress rolled up the unit tree), the officer's quota page, and
the surveyors' home (``/field/``) of a district surveyor (100 communes) and of a province
surveyor (all 3,300). Target: under 300 ms server time. SQLite by default; PostgreSQL too
when ``DATABASE_URL`` is set (that database is wiped).
Usage: ``python bench/dashboard.py [--districts 33] [--communes 100] [--repeat 5]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import tempfile
import time
from pathlib import Path

from _support import (
    CSRF_PATTERN,
    Database,
    databases,
    init_database,
    make_app,
    open_campaign_over,
    print_machine,
    verdict,
)
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import insert, select, update

from surveyapp.extensions import db
from surveyapp.models import ANY_GROUP, CampaignPurpose, QuotaCell, QuotaPolicy, Response, ResponseMode, Unit, UserRole
from surveyapp.services.users import create_user

TARGET_MS = 300.0
PASSWORD = "mat-khau-do-hieu-nang"
QUOTAS = [
    ("CX1", "council_delegate", 15),
    ("CX1", "commune_leader", 2),
    ("CX2", ANY_GROUP, 12),
    ("CX4", "business", 10),
    ("CX4", "citizen", 20),
]
INSERT_BATCH = 5_000


def build_province(app: Flask, districts: int, communes: int, fill: float) -> int:
    """The province, its campaign and quota cells, filled at random with stored responses."""
    started = time.perf_counter()
    with app.app_context():
        province = Unit(code="51", name="Tỉnh Quảng Ngãi", kind="tỉnh")
        commune_units = []
        for d in range(1, districts + 1):
            district = Unit(code=f"51-D{d:02d}", name=f"Huyện {d}", kind="huyện", parent=province)
            for c in range(1, communes + 1):
                commune_units.append(Unit(code=f"51-D{d:02d}-X{c:03d}", name=f"Xã {d}.{c}", kind="xã", parent=district))
        db.session.add(province)
        campaign_id = open_campaign_over(
            app,
            ["CX1", "CX2", "CX4"],
            commune_units,
            purpose=CampaignPurpose.PAR,
            quotas=QUOTAS,
            policy=QuotaPolicy.FLAG_EXCESS,
        )
        randomizer = random.Random(2026)
        cells = db.session.execute(
            select(
                QuotaCell.id,
                QuotaCell.unit_id,
                QuotaCell.questionnaire_id,
                QuotaCell.respondent_group,
                QuotaCell.target,
            )
        ).all()
        filled = {cell.id: randomizer.randint(0, round(2 * fill * cell.target)) for cell in cells}
        db.session.execute(
            update(QuotaCell),
            [{"id": cell_id, "filled": count} for cell_id, count in filled.items()],
        )
        today = dt.date.today()
        rows = [
            {
                "campaign_id": campaign_id,
                "unit_id": cell.unit_id,
                "questionnaire_id": cell.questionnaire_id,
                "respondent_group": "commune_official" if cell.respondent_group == ANY_GROUP else cell.respondent_group,
                "mode": ResponseMode.DESK_QR,
                "procedure_field": None,
                "submitted_on": today,
                "answers": {f"Q{n:02d}": "3" for n in range(1, 13)},
            }
            for cell in cells
            for _ in range(filled[cell.id])
        ]
        for start in range(0, len(rows), INSERT_BATCH):
            db.session.execute(insert(Response), rows[start : start + INSERT_BATCH])
        officer = create_user(username="canbo", full_name="Cán bộ", password=PASSWORD, role=UserRole.OFFICER)
        district_surveyor = create_user(
            username="dtv.huyen",
            full_name="ĐTV huyện",
            password=PASSWORD,
            role=UserRole.SURVEYOR,
            units=[province.children[0]],
        )
        province_surveyor = create_user(
            username="dtv.tinh", full_name="ĐTV tỉnh", password=PASSWORD, role=UserRole.SURVEYOR, units=[province]
        )
        assert officer and district_surveyor and province_surveyor
        db.session.commit()
        print(
            f"  built {len(commune_units):,} communes, {len(cells):,} quota cells, {len(rows):,} responses "
            f"in {time.perf_counter() - started:.1f} s"
        )
        db.engine.dispose()
    return campaign_id


def logged_in(app: Flask, username: str) -> FlaskClient:
    """A test client logged in through the real log-in page."""
    client = app.test_client()
    token = CSRF_PATTERN.search(client.get("/login").get_data(as_text=True))
    assert token, "the log-in page has no CSRF token"
    reply = client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token.group(1)})
    assert reply.status_code == 302, f"log-in of {username} failed ({reply.status_code})"
    return client


def time_page(client: FlaskClient, path: str, repeat: int) -> tuple[float, float, int]:
    """Median and best server time (ms) of ``path`` after one warm-up request, and its size."""
    size = len(client.get(path).get_data())
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        reply = client.get(path)
        times.append(1000 * (time.perf_counter() - started))
        assert reply.status_code == 200, f"{path}: {reply.status_code}"
    return statistics.median(times), min(times), size


def run(database: Database, districts: int, communes: int, repeat: int) -> None:
    print(f"{database.label}:")
    app = make_app(database.url)
    init_database(app)
    campaign_id = build_province(app, districts, communes, fill=0.5)
    pages = [
        ("officer: campaign page (progress roll-up)", "canbo", f"/admin/campaigns/{campaign_id}"),
        ("officer: quota page", "canbo", f"/admin/campaigns/{campaign_id}/quotas"),
        (f"surveyor of 1 district ({communes} communes): /field/", "dtv.huyen", "/field/"),
        (f"surveyor of the province ({districts * communes:,} communes): /field/", "dtv.tinh", "/field/"),
    ]
    for label, username, path in pages:  # no outer app context: each request gets its own, as in production
        middle, best, size = time_page(logged_in(app, username), path, repeat)
        print(
            f"  {label:58s} median {middle:7.0f} ms  best {best:7.0f} ms  ({size / 1e6:.1f} MB) "
            f"→ {verdict(middle < TARGET_MS)}",
            flush=True,
        )
    with app.app_context():
        db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--districts", type=int, default=33)
    parser.add_argument("--communes", type=int, default=100, help="communes per district")
    parser.add_argument("--repeat", type=int, default=5, help="timed requests per page")
    options = parser.parse_args()
    print_machine()
    with tempfile.TemporaryDirectory(prefix="bench-dashboard-") as work:
        for database in databases(Path(work), "dashboard"):
            run(database, options.districts, options.communes, options.repeat)


if __name__ == "__main__":
    main()
