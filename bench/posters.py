"""A4 QR posters for 3,300 units: the officer's ZIP download and the printable page.

A SIPAS campaign over 3,300 communes gives 3,300 collection points, each with its poster. Times,
in the process (Flask test client, an officer logged in), ``/admin/campaigns/<id>/posters.zip``
(one SVG poster per unit) and ``/admin/campaigns/<id>/posters`` (every poster on one page to
print), and checks the ZIP holds one poster per unit. Target: under 60 s.
Usage: ``python bench/posters.py [--units 3300]``.
"""

from __future__ import annotations

import argparse
import io
import tempfile
import time
import zipfile
from pathlib import Path

from _support import databases, init_database, make_app, open_campaign_over, print_machine, verdict
from dashboard import PASSWORD, logged_in

from surveyapp.extensions import db
from surveyapp.models import CampaignPurpose, Unit, UserRole
from surveyapp.services.users import create_user

TARGET_SECONDS = 60.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--units", type=int, default=3300)
    options = parser.parse_args()
    print_machine()
    with tempfile.TemporaryDirectory(prefix="bench-posters-") as work:
        database = databases(Path(work), "posters")[0]  # the database hardly matters here: SQLite only
        app = make_app(database.url)
        init_database(app)
        with app.app_context():
            communes = [
                Unit(code=f"X{n:05d}", name=f"Ủy ban nhân dân xã Số {n} huyện Bình Sơn", kind="xã")
                for n in range(1, options.units + 1)
            ]
            campaign_id = open_campaign_over(app, ["SIPAS-2017"], communes, purpose=CampaignPurpose.SIPAS)
            create_user(username="canbo", full_name="Cán bộ", password=PASSWORD, role=UserRole.OFFICER)
            db.session.commit()
            db.engine.dispose()
        officer = logged_in(app, "canbo")
        print(f"{options.units:,} units, SIPAS-2017: one poster per unit")
        for label, path in (
            ("ZIP of SVG posters", f"/admin/campaigns/{campaign_id}/posters.zip"),
            ("printable page, all posters", f"/admin/campaigns/{campaign_id}/posters"),
        ):
            started = time.perf_counter()
            reply = officer.get(path)
            seconds = time.perf_counter() - started
            assert reply.status_code == 200, f"{path}: {reply.status_code}"
            body = reply.get_data()
            detail = f"{len(body) / 1e6:.1f} MB"
            if path.endswith(".zip"):
                posters = len(zipfile.ZipFile(io.BytesIO(body)).namelist())
                assert posters == options.units, f"the ZIP holds {posters} posters"
                detail += f", {posters:,} posters"
            print(f"  {label:30s} {seconds:6.1f} s ({detail}) → {verdict(seconds < TARGET_SECONDS)}", flush=True)


if __name__ == "__main__":
    main()
