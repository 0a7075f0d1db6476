"""The one-stop system's API: receipt links per second over gunicorn (2 workers), new and asked again.

A calling system asks for the links of ``--dossiers`` new dossiers from ``--clients`` threads
at once (each call: the token's digest looked up, the rate limit counted, a receipt link row
inserted, an audit entry written, a QR PNG drawn), then asks again for every one of them (the
same links, nothing inserted). Prints calls per second and the median and 99th percentile.
Usage: ``python bench/survey_links.py [--dossiers 2000] [--clients 8]``.
"""

from __future__ import annotations

import argparse
import http.client
import json
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from _support import (
    databases,
    init_database,
    make_app,
    median,
    open_campaign_over,
    our_app_env,
    print_machine,
    serving,
)

from surveyapp.extensions import db
from surveyapp.models import Campaign, CampaignPurpose, Unit
from surveyapp.services.calling_systems import create_calling_system


def ask(port: int, token: str, number: int) -> tuple[int, float]:
    body = json.dumps(
        {
            "dossier_code": f"000.00.31.H29-250301-{number:06d}",
            "unit_code": "21172",
            "procedure_field": "Đất đai",
            "procedure": "Đăng ký biến động quyền sử dụng đất",
            "returned_on": "2025-03-05",
        }
    )
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request("POST", "/api/v1/survey-links", body=body.encode(), headers=headers)
        response = connection.getresponse()
        response.read()
    finally:
        connection.close()
    return response.status, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--dossiers", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=8)
    options = parser.parse_args()
    print_machine()
    with tempfile.TemporaryDirectory(prefix="bench-links-") as work:
        for database in databases(Path(work), "links"):
            app = make_app(database.url)
            init_database(app)
            with app.app_context():
                unit = Unit(code="21172", name="Trung tâm Phục vụ hành chính công", kind="phường")
                campaign_id = open_campaign_over(app, ["SIPAS-2017"], [unit], purpose=CampaignPurpose.SIPAS)
                campaign = db.session.get(Campaign, campaign_id)
                token = create_calling_system("Một cửa", campaign, campaign.questionnaires[0], "21172")
                db.session.commit()
                db.engine.dispose()
            env = our_app_env(database.url) | {"API_CALLS_PER_MINUTE": "100000000"}
            with serving("wsgi:app", env, ready_path="/healthz") as server:
                for label, expected in (("new dossiers", 201), ("asked again", 200)):
                    n = options.dossiers
                    started = time.perf_counter()
                    with ThreadPoolExecutor(options.clients) as pool:
                        results = list(pool.map(ask, [server.port] * n, [token] * n, range(n)))
                    seconds = time.perf_counter() - started
                    statuses = {status for status, _took in results}
                    assert statuses == {expected}, statuses
                    times = sorted(took for _status, took in results)
                    print(
                        f"{database.label}, {label}: {options.dossiers / seconds:,.0f} calls/s, "
                        f"median {median(times) * 1000:.1f} ms, p99 {times[int(len(times) * 0.99)] * 1000:.1f} ms "
                        f"({options.clients} clients)"
                    )


if __name__ == "__main__":
    main()
