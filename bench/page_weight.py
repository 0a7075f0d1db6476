"""The citizen's page as a phone gets it: bytes on the wire, requests, and first paint on slow 3G.

Serves the real application with gunicorn (as ``make run`` does), opens the SIPAS-2017 and
SIPAS-2023 questionnaires of an open campaign in headless Chromium with an empty cache, and
prints what went over the wire (Chromium's own count: headers and bodies as sent), the number
of requests and their statuses, and the first paint on a network slowed down by Chromium
(``tests/browser/wire.py``: WebPageTest's "3G Slow", and DevTools' "Slow 3G" for reference).
Targets (issue 14): under 30 KB for SIPAS-2017 and 40 KB for SIPAS-2023, no answer ≥ 400
(a favicon), first paint under 1 s on slow 3G. ~30 s, SQLite only.
Usage: ``python bench/page_weight.py [--rounds 3]``.
"""

from __future__ import annotations

import argparse
import http.client
import statistics
import tempfile
from pathlib import Path

from _support import databases, init_database, make_app, open_campaign_over, our_app_env, print_machine, serving
from playwright.sync_api import sync_playwright

from surveyapp.models import CampaignPurpose, Unit
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, DEVICES
from tests.browser.wire import DEVTOOLS_SLOW_3G, SLOW_3G, load_page

# Questionnaire code → the most its page may weigh on the wire, in bytes (1 KB = 1,000 B).
TARGET_BYTES = {"SIPAS-2017": 30_000, "SIPAS-2023": 40_000}
TARGET_FIRST_PAINT_MS = 1000.0
NETWORKS = {"loopback": None, "3G Slow": SLOW_3G, "DevTools Slow 3G": DEVTOOLS_SLOW_3G}


def body_bytes(port: int, path: str, encoding: str) -> int:
    """The size of the page's body as sent with ``Accept-Encoding: encoding``."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", path, headers={"Accept-Encoding": encoding})
    size = len(connection.getresponse().read())
    connection.close()
    return size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--rounds", type=int, default=3, help="loads per page and network (the median is kept)")
    options = parser.parse_args()
    print_machine()
    with tempfile.TemporaryDirectory(prefix="bench-weight-") as work:
        database = databases(Path(work), "weight")[0]
        app = make_app(database.url)
        init_database(app)
        with app.app_context():
            ward = Unit(code="21172", name="Phường Trương Quang Trọng", kind="phường")
            campaign_id = open_campaign_over(app, list(TARGET_BYTES), [ward], purpose=CampaignPurpose.SIPAS)
        with (
            serving("wsgi:app", our_app_env(database.url)) as server,
            sync_playwright() as playwright,
        ):
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            for code, target in TARGET_BYTES.items():
                path = f"/r/{campaign_id}/{code}/21172"
                plain, gzipped = body_bytes(server.port, path, "identity"), body_bytes(server.port, path, "gzip")
                print(f"\n{code} ({path}): HTML body {plain:,} B plain, {gzipped:,} B with gzip")
                for label, conditions in NETWORKS.items():
                    loads = []
                    for _ in range(options.rounds):
                        context = browser.new_context(**DEVICES["phone"], locale="vi-VN")
                        loads.append(load_page(context.new_page(), server.url + path, conditions))
                        context.close()
                    paint = statistics.median(load.first_paint_ms for load in loads)
                    load = loads[0]
                    failed = {url.split("/", 3)[-1]: status for url, status in load.statuses.items() if status >= 400}
                    print(
                        f"  {label:>16}: {load.wire_bytes:,} B on the wire in {load.requests} requests"
                        f" ({load.wire_bytes / target:.2f} of the {target // 1000} KB target),"
                        f" first paint {paint:.0f} ms ({paint / TARGET_FIRST_PAINT_MS:.2f} of 1 s)"
                        + (f", failed: {failed}" if failed else "")
                    )
            browser.close()


if __name__ == "__main__":
    main()
