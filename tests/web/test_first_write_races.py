"""Two people doing the same first write at the same moment, against the app served by gunicorn
over real HTTP (two workers): the first save of an item by two staff of a unit, the first
appraisal of an item by two appraisers, two officers publishing a campaign's results.

Each pair logs in from browsers of its own, opens the page, waits at a barrier, and posts at
once. Neither sees an error page; the item ends with one row holding what one of them typed,
and each save is in the audit log; the results are published once and the other officer is
told so. Several items are raced, so that at least some pairs really collide. Run on SQLite,
and on PostgreSQL when ``DATABASE_URL`` is set (see conftest.py).
"""

from __future__ import annotations

import http.cookiejar
import threading
import urllib.error
import urllib.parse
import urllib.request

from sqlalchemy import func, select

from surveyapp.extensions import db
from surveyapp.models import AppraisalScore, AuditAction, AuditEntry, Publication, SelfScore
from surveyapp.services.unit_appraisals import assign_appraiser
from tests.conftest import existing_account
from tests.helpers import PASSWORD, csrf_token_of
from tests.web.test_appraisal import appraiser_account, submitted_round
from tests.web.test_publication import DECISION
from tests.web.test_results import import_worked_example
from tests.web.test_self_assessment import open_round

ITEMS = ("1.1.1", "1.2", "1.3.1", "1.4.1", "1.5", "1.6.1", "2.1.1", "2.1.2", "3.1.1", "3.2.1")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    """Keep a redirect as the answer: its status tells a saved form from a refused one."""

    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """One person's browser: its own cookies, logged in as ``username`` on ``base_url``."""

    def __init__(self, base_url: str, username: str) -> None:
        self.base_url = base_url
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), NoRedirect()
        )
        self.post("/login", "/login", {"username": username, "password": PASSWORD})

    def get(self, path: str) -> str:
        return self.opener.open(self.base_url + path, timeout=60).read().decode()

    def token(self, page: str) -> str:
        return csrf_token_of(self.get(page))

    def post(self, path: str, page: str, fields: dict[str, str], *, token: str | None = None) -> int:
        """Post ``fields`` with the CSRF token of ``page`` (or ``token``); the HTTP status."""
        token = token or self.token(page)
        data = {"csrf_token": token} | {name: value for name, value in fields.items()}
        return self.send(path, data)

    def send(self, path: str, data: dict[str, str]) -> int:
        try:
            with self.opener.open(self.base_url + path, urllib.parse.urlencode(data).encode(), timeout=60) as reply:
                return reply.status
        except urllib.error.HTTPError as error:  # a redirect (not followed) or an error page
            return error.code


def at_once(path: str, *posts: tuple[Browser, dict[str, str]]) -> list[int]:
    """Post to ``path`` from each browser its data, from threads released together; the HTTP statuses."""
    start = threading.Barrier(len(posts), timeout=60)
    statuses: list[int] = []

    def run(browser: Browser, data: dict[str, str]) -> None:
        start.wait()
        statuses.append(browser.send(path, data))

    threads = [threading.Thread(target=run, args=post) for post in posts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return statuses


def audited(action: AuditAction) -> list[AuditEntry]:
    db.session.rollback()
    return list(db.session.scalars(select(AuditEntry).filter_by(action=action).order_by(AuditEntry.id)))


def test_two_first_saves_of_an_item_at_once_both_land_and_one_row_is_kept(
    live_server, criteria_sets, ward, unit_account
) -> None:
    existing_account(
        username="phuong2",
        full_name="Văn phòng phường 2",
        password=PASSWORD,
        role=unit_account.role,
        assessed_unit=ward,
    )
    assessment_round = open_round(criteria_sets["CCHC-XA"], ward)
    page = f"/unit/rounds/{assessment_round.id}"
    first, second = Browser(live_server, "phuong"), Browser(live_server, "phuong2")

    for code in ITEMS:
        prefix = f"item-{code}-"
        reason = {f"{prefix}no_evidence_reason": "Chưa số hóa"}
        posts = [
            (browser, reason | {f"{prefix}csrf_token": browser.token(page), f"{prefix}points": points})
            for browser, points in ((first, "0,25"), (second, "0,5"))
        ]

        statuses = at_once(f"{page}/items/{code}", *posts)

        assert statuses == [302, 302], f"item {code}"
    db.session.rollback()
    scores = db.session.scalars(select(SelfScore)).all()
    assert sorted(score.code for score in scores) == sorted(ITEMS)
    assert {score.points for score in scores} <= {0.25, 0.5}
    assert len(audited(AuditAction.SELF_SCORE_SAVED)) == 2 * len(ITEMS)


def test_two_first_appraisals_of_an_item_at_once_both_land_and_one_row_is_kept(
    live_server, criteria_sets, ward, unit_account
) -> None:
    assessment_round = submitted_round(criteria_sets["CCHC-XA"], ward)
    for username in ("tdv1", "tdv2"):
        assign_appraiser(assessment_round, appraiser_account(username, f"Thẩm định viên {username}"), ward, None)
    db.session.commit()
    page = f"/appraise/rounds/{assessment_round.id}/units/{ward.id}"
    first, second = Browser(live_server, "tdv1"), Browser(live_server, "tdv2")

    for code in ITEMS:
        prefix = f"item-{code}-"
        change = {f"{prefix}decision": "change", f"{prefix}reason": "Thiếu hồ sơ"}
        posts = [
            (browser, change | {f"{prefix}csrf_token": browser.token(page), f"{prefix}points": points})
            for browser, points in ((first, "0"), (second, "0,25"))
        ]

        statuses = at_once(f"{page}/items/{code}", *posts)

        assert statuses == [302, 302], f"item {code}"
    db.session.rollback()
    scores = db.session.scalars(select(AppraisalScore)).all()
    assert sorted(score.code for score in scores) == sorted(ITEMS)
    assert {score.points for score in scores} <= {0.0, 0.25}
    assert len(audited(AuditAction.ITEM_APPRAISED)) == 2 * len(ITEMS)


def test_two_officers_publishing_at_once_publish_once_and_the_other_is_told(
    live_server, client, auth, officer, make_campaign, ward
) -> None:
    existing_account(username="canbo2", full_name="Cán bộ Nội vụ 2", password=PASSWORD, role=officer.role)
    auth.login("canbo")
    campaigns = [make_campaign(["SIPAS-2017"], [ward]) for _ in range(4)]
    for campaign in campaigns:
        import_worked_example(client, campaign)
    first, second = Browser(live_server, "canbo"), Browser(live_server, "canbo2")

    for campaign in campaigns:
        page = f"/admin/campaigns/{campaign.id}/publish"
        fields = {"decision": DECISION, "decided_on": "2026-12-01", "change_note": ""}
        posts = [(browser, fields | {"csrf_token": browser.token(page)}) for browser in (first, second)]

        statuses = at_once(page, *posts)

        assert 500 not in statuses, f"campaign {campaign.id}"
        db.session.rollback()
        versions = db.session.scalar(select(func.count()).select_from(Publication).filter_by(subject_id=campaign.id))
        assert versions == 1
        assert sorted(statuses) == [200, 302]
    assert len(audited(AuditAction.RESULTS_PUBLISHED)) == len(campaigns)
