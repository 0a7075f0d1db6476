"""The authorization matrix: every route × anonymous, citizen with a link, surveyors, units, appraisers, officer.

One campaign (PAR: CX4 on the ward's residential groups, the matrix CH3 on a district's
departments) with a drawn sample and single-use links fills every URL pattern with real ids.
``MATRIX`` states what each caller gets from each route; a route of ``app.url_map`` that is not
in it fails ``test_no_route_is_forgotten``, so a new route is added to the table consciously.

The callers:

- ``anonymous``: a browser with no session;
- ``citizen``: anonymous too, but holding a valid single-use link (``/r/link/<token>``) that it
  has opened; the other callers fill ``<token>`` with a guessed token of the same shape;
- ``other surveyor``: a surveyor assigned to another residential group only;
- ``surveyor``: the surveyor assigned to the route's units (residential group 1 and the district);
- ``other unit``: the account of another assessed unit (a ward with no evidence in the world);
- ``unit``: the account of the ward, whose evidence file fills ``<evidence_id>`` and whose
  self-assessment the round (open for self-assessment) holds;
- ``other appraiser``: an appraiser assigned to nothing in the round;
- ``appraiser``: the appraiser assigned to the ward in the round (for all areas); the ward's item
  1.1.1 cites its evidence file, which the appraiser may download;
- ``officer``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

from surveyapp.extensions import db
from surveyapp.models import Campaign, SampleEntry, SampleStatus, Unit, User, UserRole
from surveyapp.models.limits import LimitCount
from surveyapp.services import frames
from surveyapp.services.assessment_rounds import RoundDraft, create_round, open_self_assessment
from surveyapp.services.collection import get_collection_point
from surveyapp.services.evidence import upload_evidence
from surveyapp.services.paper_forms import new_print_key, print_batch
from surveyapp.services.publications import Decision, publish_results
from surveyapp.services.response_import import import_responses
from surveyapp.services.samples import draw_sample, issue_links
from surveyapp.services.self_assessments import ScoreDraft, get_assessment, save_score
from surveyapp.services.unit_appraisals import assign_appraiser
from surveyapp.services.users import create_user
from tests.helpers import PASSWORD, AuthActions, csrf_token_of, filled_form
from tests.web.test_results import sipas_csv

CALLERS = (
    "anonymous",
    "citizen",
    "other surveyor",
    "surveyor",
    "other unit",
    "unit",
    "other appraiser",
    "appraiser",
    "officer",
)
GUESSED_TOKEN = "x" * 32
EVIDENCE = b"%PDF-1.7\n%%EOF\n"


@dataclass(frozen=True)
class Outcome:
    """What a caller sees: a status, and for a redirect where it leads (``{name}`` from the world)."""

    status: int
    location: str | None = None
    text: str | None = None

    def describe(self) -> str:
        return (
            f"{self.status}"
            + (f" → {self.location}" if self.location else "")
            + (f" «{self.text}»" if self.text else "")
        )

    def check(self, response: TestResponse, values: dict) -> str | None:
        """``None`` when ``response`` is this outcome, else what was seen instead."""
        location = response.headers.get("Location", "")
        seen = f"{response.status_code}" + (f" → {location}" if location else "")
        if response.status_code != self.status:
            return seen
        if self.location is not None:
            expected = self.location.format(**values)
            is_prefix = expected.endswith("?")
            if not (location.startswith(expected) if is_prefix else location == expected):
                return seen
        if self.text is not None and self.text.encode() not in response.data:
            return f"{seen} without «{self.text}»"
        if self.status == 200 and self.text is None and b'name="password"' in response.data:
            return f"{seen} (the log-in form)"
        return None


OK = Outcome(200)
LOGIN = Outcome(302, "/login?")  # login_required: to the log-in page, with ?next=
FORBIDDEN = Outcome(403)
HIDDEN = Outcome(404)
LOGIN_FORM = Outcome(200, text='name="password"')
LINK_REFUSED = Outcome(200, text="Đường dẫn này đã được sử dụng")  # never says whether a token exists


def to(path: str) -> Outcome:
    """Allowed, and sent on to a page of the caller's own."""
    return Outcome(302, path)


CAMPAIGN_PAGE = to("/admin/campaigns/{campaign_id}")
SAMPLE_PAGE = to("/admin/campaigns/{campaign_id}/sample")
ROUND_PAGE = to("/admin/rounds/{round_id}")
UNIT_ASSESSMENT_PAGE = to("/admin/rounds/{round_id}/units/{unit_id}")
PUBLIC = (OK,) * len(CALLERS)
STAFF = (LOGIN, LOGIN, OK, OK, OK, OK, OK, OK, OK)
SURVEYORS = (LOGIN, LOGIN, OK, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK)
ASSIGNED = (LOGIN, LOGIN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK)
OFFICERS = (LOGIN, LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK)
UNITS = (LOGIN, LOGIN, FORBIDDEN, FORBIDDEN, OK, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN)
APPRAISERS = (LOGIN, LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, OK, FORBIDDEN)


def officers(allowed: Outcome) -> tuple[Outcome, ...]:
    return (LOGIN, LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, allowed)


def own_unit(allowed: Outcome) -> tuple[Outcome, ...]:
    """A unit's own evidence: another unit does not learn it exists; staff of other roles are refused."""
    return (LOGIN, LOGIN, FORBIDDEN, FORBIDDEN, HIDDEN, allowed, FORBIDDEN, FORBIDDEN, FORBIDDEN)


def assigned_appraiser(allowed: Outcome) -> tuple[Outcome, ...]:
    """A unit's appraisal: an appraiser not assigned to it does not learn it exists; other roles are refused."""
    return (LOGIN, LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, HIDDEN, allowed, FORBIDDEN)


# rule → (methods, outcome of each of CALLERS in its order).
# GET routes are requested with GET; POST-only routes with a POST carrying a valid CSRF token.
# POST-only routes run after the GET ones, in this order (log-out last).
G, GP, P = ("GET",), ("GET", "POST"), ("POST",)
MATRIX: dict[str, tuple[tuple[str, ...], tuple[Outcome, ...]]] = {
    "/healthz": (G, PUBLIC),
    "/login": (GP, (LOGIN_FORM,) * len(CALLERS)),
    "/": (
        G,
        (
            *(to("/login"),) * 2,
            *(to("/field/"),) * 2,
            *(to("/unit/"),) * 2,
            *(to("/appraise/"),) * 2,
            to("/admin/"),
        ),
    ),
    # Public pages reached by QR code: the same for everyone.
    "/r/<int:campaign_id>/<questionnaire_code>": (GP, PUBLIC),
    "/r/<int:campaign_id>/<questionnaire_code>/<unit_code>": (GP, PUBLIC),
    "/r/<int:campaign_id>/thanks": (G, PUBLIC),
    # A dossier's receipt link: where its code is typed, and the link (a guessed code for everyone).
    "/r/m": (G, PUBLIC),
    "/r/m/<code>": (GP, (LINK_REFUSED,) * len(CALLERS)),
    # The one-stop system's API: a bearer token, never a session (its description is public).
    "/api/v1/openapi.json": (G, PUBLIC),
    "/api/v1/survey-links": (P, (Outcome(401),) * len(CALLERS)),
    # A desk kiosk's pages open only on a registered kiosk (its device cookie): nobody here is one.
    "/r/kiosk": (G, (HIDDEN,) * len(CALLERS)),
    "/r/kiosk/enrol": (GP, PUBLIC),  # typing a kiosk token: open to anyone, like a log-in page
    "/r/kiosk/form": (GP, (HIDDEN,) * len(CALLERS)),
    "/r/kiosk/rating": (GP, (HIDDEN,) * len(CALLERS)),
    "/r/kiosk/thanks": (G, (HIDDEN,) * len(CALLERS)),
    # Published results and their open data: public, read-only.
    "/cong-bo/": (G, PUBLIC),
    "/cong-bo/<slug_text>": (G, PUBLIC),
    "/cong-bo/<slug_text>/v<int:version>": (G, PUBLIC),
    "/cong-bo/<slug_text>/v<int:version>/du-lieu.xlsx": (G, PUBLIC),
    "/cong-bo/<slug_text>/v<int:version>/<key>.csv": (G, PUBLIC),
    # Only the citizen holds a real token; everyone else tries a guessed one.
    "/r/link/<token>": (GP, (LINK_REFUSED, OK, *(LINK_REFUSED,) * 7)),
    # Surveyors (and officers) have a home; typing in and following the sample needs the unit.
    "/field/": (G, SURVEYORS),
    "/account/password": (GP, STAFF),  # one's own password (a POST without the fields shows the form again)
    "/field/enter/<int:campaign_id>/<questionnaire_code>": (GP, ASSIGNED),
    "/field/enter/<int:campaign_id>/<questionnaire_code>/<unit_code>": (GP, ASSIGNED),
    "/field/sample/<int:campaign_id>/<unit_code>": (G, ASSIGNED),
    # Working without a signal: the app's files are fetched without a session (a unit's or an
    # appraiser's account is refused the surveyors' pages); keys and kept forms need the unit.
    "/field/service-worker": (G, (OK,) * 4 + (FORBIDDEN,) * 4 + (OK,)),
    "/field/app-manifest": (G, (OK,) * 4 + (FORBIDDEN,) * 4 + (OK,)),
    "/field/keys/<int:campaign_id>/<questionnaire_code>": (G, ASSIGNED),
    "/field/keys/<int:campaign_id>/<questionnaire_code>/<unit_code>": (G, ASSIGNED),
    "/field/send/<int:campaign_id>/<questionnaire_code>": (P, ASSIGNED),
    "/field/send/<int:campaign_id>/<questionnaire_code>/<unit_code>": (P, ASSIGNED),
    "/field/paper/<int:campaign_id>/<questionnaire_code>": (GP, ASSIGNED),  # a matrix: the campaign's batch
    "/field/paper/<int:campaign_id>/<questionnaire_code>/<unit_code>": (GP, ASSIGNED),
    # Assessed units: their home and their evidence (a POST without a file shows the form again).
    "/unit/": (G, UNITS),
    "/unit/evidence": (GP, UNITS),
    "/unit/evidence/<int:evidence_id>": (G, own_unit(OK)),
    # The ward's self-assessment in the round: the other unit's account does not learn it exists.
    "/unit/rounds/<int:round_id>": (G, own_unit(OK)),
    "/admin/rounds/<int:round_id>/units/<int:unit_id>": (G, OFFICERS),
    # Appraisers: their list, the ward's appraisal (the round is not in appraisal yet: read only)
    # and the evidence it cites.
    "/appraise/": (G, APPRAISERS),
    "/appraise/rounds/<int:round_id>/units/<int:unit_id>": (G, assigned_appraiser(OK)),
    "/appraise/evidence/<int:evidence_id>": (G, assigned_appraiser(OK)),
    # Officers only.
    "/admin/": (G, OFFICERS),
    "/admin/audit": (G, OFFICERS),
    "/admin/accounts": (G, OFFICERS),
    "/admin/accounts/new-unit-account": (GP, OFFICERS),
    "/admin/accounts/new-appraiser": (GP, OFFICERS),
    "/admin/units/<int:unit_id>/evidence": (G, OFFICERS),
    "/admin/evidence/<int:evidence_id>": (G, OFFICERS),
    "/admin/audit.csv": (G, OFFICERS),
    "/admin/campaigns/new": (GP, OFFICERS),
    "/admin/campaigns/<int:campaign_id>": (G, OFFICERS),
    "/admin/campaigns/<int:campaign_id>/edit": (GP, officers(CAMPAIGN_PAGE)),  # an open campaign is not edited
    "/admin/campaigns/<int:campaign_id>/qr/<questionnaire_code>.<any(png, svg):extension>": (G, OFFICERS),
    "/admin/campaigns/<int:campaign_id>/qr/<questionnaire_code>/<unit_code>.<any(png, svg):extension>": (G, OFFICERS),
    "/admin/campaigns/<int:campaign_id>/poster/<questionnaire_code>": (G, OFFICERS),
    "/admin/campaigns/<int:campaign_id>/poster/<questionnaire_code>/<unit_code>": (G, OFFICERS),
    "/admin/campaigns/<int:campaign_id>/poster/<questionnaire_code>.<any(svg):extension>": (G, OFFICERS),
    "/admin/campaigns/<int:campaign_id>/poster/<questionnaire_code>/<unit_code>.<any(svg):extension>": (G, OFFICERS),
    "/admin/campaigns/<int:campaign_id>/posters": (G, OFFICERS),
    "/admin/campaigns/<int:campaign_id>/posters.zip": (G, OFFICERS),
    "/admin/campaigns/<int:campaign_id>/quotas": (GP, OFFICERS),
    "/admin/campaigns/<int:campaign_id>/sample": (GP, OFFICERS),
    "/admin/campaigns/<int:campaign_id>/remuneration": (GP, OFFICERS),
    "/admin/campaigns/<int:campaign_id>/remuneration.xlsx": (G, OFFICERS),
    "/admin/campaigns/<int:campaign_id>/remuneration.pdf": (G, OFFICERS),
    "/admin/campaigns/<int:campaign_id>/remuneration/print": (G, OFFICERS),
    "/admin/campaigns/<int:campaign_id>/remuneration/sign-off": (G, OFFICERS),
    "/admin/campaigns/<int:campaign_id>/remuneration/sign-off.xlsx": (G, OFFICERS),
    "/admin/campaigns/<int:campaign_id>/remuneration/sign-off.pdf": (G, OFFICERS),
    "/admin/campaigns/<int:campaign_id>/paper-forms": (G, OFFICERS),
    "/admin/campaigns/<int:campaign_id>/paper-forms.xlsx": (G, OFFICERS),
    # Batch 1 was printed by the surveyor for residential group 1: the officer records its
    # hand-out; the surveyor (who printed it) or the officer voids it, and goes back to its unit.
    "/admin/campaigns/<int:campaign_id>/paper-forms/<int:number>/hand-out": (
        P,
        officers(to("/admin/campaigns/{campaign_id}/paper-forms")),
    ),
    "/field/paper/<int:campaign_id>/batches/<int:number>/void": (
        P,
        (LOGIN, LOGIN, FORBIDDEN, to("/field/paper/{campaign_id}/CX4/{unit_code}"))
        + (FORBIDDEN,) * 4
        + (to("/field/paper/{campaign_id}/CX4/{unit_code}"),),
    ),
    "/admin/campaigns/<int:campaign_id>/results": (G, OFFICERS),
    "/admin/campaigns/<int:campaign_id>/publish": (GP, OFFICERS),
    "/admin/rounds/<int:round_id>/publish": (GP, OFFICERS),
    "/admin/campaigns/<int:campaign_id>/import": (GP, OFFICERS),
    "/admin/campaigns/<int:campaign_id>/import/template/<code>.csv": (G, OFFICERS),
    # An upload's full list of problems: only under its random name (a guessed one is unknown).
    "/admin/campaigns/<int:campaign_id>/upload-problems/<token>.csv": (G, officers(HIDDEN)),
    "/admin/campaigns/<int:campaign_id>/export/indices.<any(xlsx, zip):extension>": (G, OFFICERS),
    "/admin/campaigns/<int:campaign_id>/export/responses/<code>.<any(xlsx, csv):extension>": (G, OFFICERS),
    "/admin/criteria": (G, OFFICERS),
    "/admin/criteria/<int:set_id>": (G, OFFICERS),
    "/admin/rounds": (G, OFFICERS),
    "/admin/rounds/new": (GP, OFFICERS),
    "/admin/rounds/<int:round_id>": (G, OFFICERS),
    "/admin/rounds/<int:round_id>/departments": (G, OFFICERS),
    "/admin/rounds/<int:round_id>/departments/<int:number>": (G, OFFICERS),
    "/admin/rounds/<int:round_id>/gaps": (G, OFFICERS),
    "/admin/rounds/<int:round_id>/gaps.xlsx": (G, OFFICERS),
    "/admin/rounds/<int:round_id>/scoring.xlsx": (G, OFFICERS),
    "/admin/rounds/<int:round_id>/units/<int:unit_id>/scoring.xlsx": (G, OFFICERS),
    "/admin/rounds/<int:round_id>/index": (G, OFFICERS),
    "/admin/rounds/<int:round_id>/index.xlsx": (G, OFFICERS),
    "/admin/rounds/<int:round_id>/reminders.csv": (G, OFFICERS),
    # POST-only routes (a form without its file or fields comes back with its errors: 200).
    "/admin/campaigns/<int:campaign_id>/results/targets": (P, officers(to("/admin/campaigns/{campaign_id}/results"))),
    "/admin/campaigns/<int:campaign_id>/results/appraisals": (P, officers(OK)),
    "/admin/campaigns/<int:campaign_id>/sample/draw": (P, officers(SAMPLE_PAGE)),
    "/admin/devices": (GP, OFFICERS),
    "/admin/campaigns/<int:campaign_id>/kiosks": (GP, OFFICERS),
    "/admin/campaigns/<int:campaign_id>/quick-ratings.csv": (G, OFFICERS),
    "/admin/campaigns/<int:campaign_id>/sample/links": (P, officers(OK)),  # the links file
    # An empty invitation text is the default one (saved); no gateway configured: nothing sent.
    "/admin/campaigns/<int:campaign_id>/sample/invitation": (P, officers(SAMPLE_PAGE)),
    "/admin/campaigns/<int:campaign_id>/sample/send": (P, officers(SAMPLE_PAGE)),
    "/admin/campaigns/<int:campaign_id>/channels": (P, officers(to("/admin/campaigns/{campaign_id}#channels"))),
    # No such batch or device in the world: an officer gets the ordinary 404.
    "/admin/campaigns/<int:campaign_id>/held/<source_tag>/<hour_key>/accept": (P, officers(HIDDEN)),
    "/admin/campaigns/<int:campaign_id>/held/<source_tag>/<hour_key>/reject": (P, officers(HIDDEN)),
    "/admin/devices/<int:device_id>/revoke": (P, officers(HIDDEN)),
    "/admin/calling-systems": (GP, OFFICERS),
    "/admin/calling-systems/<int:system_id>/revoke": (P, officers(HIDDEN)),
    "/admin/campaigns/<int:campaign_id>/sample/purge-contacts": (P, officers(SAMPLE_PAGE)),
    "/field/sample/outcome": (
        P,
        (
            LOGIN,
            LOGIN,
            FORBIDDEN,
            to("/field/sample/{campaign_id}/{unit_code}"),
            FORBIDDEN,
            FORBIDDEN,
            FORBIDDEN,
            FORBIDDEN,
            to("/field/sample/{campaign_id}/{unit_code}"),
        ),
    ),
    # The other surveyor's account (``user_id``): deactivated, reactivated, then a new password shown.
    "/admin/accounts/<int:user_id>/deactivate": (P, officers(to("/admin/accounts"))),
    "/admin/accounts/<int:user_id>/activate": (P, officers(to("/admin/accounts"))),
    "/admin/accounts/<int:user_id>/password": (P, officers(OK)),
    # A move without a version to move to, then opening self-assessment again: back to the round's page.
    "/admin/rounds/<int:round_id>/move": (P, officers(ROUND_PAGE)),
    "/admin/rounds/<int:round_id>/open": (P, officers(ROUND_PAGE)),
    # An assignment without its fields, opening appraisal before the ward submitted: refused, back to the round.
    "/admin/rounds/<int:round_id>/appraisers": (P, officers(to("/admin/rounds/{round_id}#appraisers"))),
    "/admin/rounds/<int:round_id>/open-appraisal": (P, officers(ROUND_PAGE)),
    # Opening the explanation without a due date, appraisal 2 or closing out of turn: refused, back to the round.
    "/admin/rounds/<int:round_id>/open-explanation": (P, officers(ROUND_PAGE)),
    "/admin/rounds/<int:round_id>/open-appraisal-2": (P, officers(ROUND_PAGE)),
    "/admin/rounds/<int:round_id>/close-appraisal": (P, officers(ROUND_PAGE)),
    # The index's forms sent without their fields or file: the page again, with the errors.
    "/admin/rounds/<int:round_id>/index/sources": (P, officers(OK)),
    "/admin/rounds/<int:round_id>/index/bounds": (P, officers(OK)),
    "/admin/rounds/<int:round_id>/index/points": (P, officers(OK)),
    "/admin/rounds/<int:round_id>/index/import": (P, officers(OK)),
    # Recording a reminder without a unit ticked: refused, back to the missing units.
    "/admin/rounds/<int:round_id>/reminders": (P, officers(to("/admin/rounds/{round_id}#missing"))),
    # Taking away the appraiser's assignment (they appraised nothing yet): back to the assignments.
    "/admin/rounds/<int:round_id>/appraisers/<int:assignment_id>/delete": (
        P,
        officers(to("/admin/rounds/{round_id}#appraisers")),
    ),
    "/admin/campaigns/<int:campaign_id>/open": (P, officers(CAMPAIGN_PAGE)),
    "/admin/campaigns/<int:campaign_id>/close": (P, officers(CAMPAIGN_PAGE)),
    "/admin/campaigns/<int:campaign_id>/reopen": (P, officers(CAMPAIGN_PAGE)),
    "/unit/evidence/<int:evidence_id>/delete": (P, own_unit(to("/unit/evidence"))),
    # Saving "CX4" (not an item of the set) comes back refused on the page; submitting an
    # incomplete self-assessment, returning one not submitted: refused, back to the page.
    "/unit/rounds/<int:round_id>/items/<code>": (P, own_unit(OK)),
    "/unit/rounds/<int:round_id>/submit": (P, own_unit(to("/unit/rounds/{round_id}"))),
    # Explaining "CX4" comes back refused on the page; dropping an explanation or submitting one
    # before the round is in explanation: refused, back to the page.
    "/unit/rounds/<int:round_id>/explanations/<code>": (P, own_unit(OK)),
    "/unit/rounds/<int:round_id>/explanations/<code>/remove": (P, own_unit(to("/unit/rounds/{round_id}#item-CX4"))),
    "/unit/rounds/<int:round_id>/explanation/submit": (P, own_unit(to("/unit/rounds/{round_id}"))),
    # Carrying forward without an earlier round (or for "CX4"): refused, back to the page.
    "/unit/rounds/<int:round_id>/carry-evidence": (P, own_unit(to("/unit/rounds/{round_id}"))),
    "/unit/rounds/<int:round_id>/items/<code>/carry-evidence": (P, own_unit(to("/unit/rounds/{round_id}#item-{code}"))),
    "/admin/rounds/<int:round_id>/units/<int:unit_id>/items/<code>": (P, officers(OK)),
    "/admin/rounds/<int:round_id>/units/<int:unit_id>/submit": (P, officers(UNIT_ASSESSMENT_PAGE)),
    "/admin/rounds/<int:round_id>/units/<int:unit_id>/return": (P, officers(UNIT_ASSESSMENT_PAGE)),
    # Typing in a unit's explanation before the round is in explanation: refused, on or back to the page.
    "/admin/rounds/<int:round_id>/units/<int:unit_id>/explanations/<code>": (P, officers(OK)),
    "/admin/rounds/<int:round_id>/units/<int:unit_id>/explanations/<code>/remove": (
        P,
        officers(to("/admin/rounds/{round_id}/units/{unit_id}#item-CX4")),
    ),
    "/admin/rounds/<int:round_id>/units/<int:unit_id>/explanation/submit": (P, officers(UNIT_ASSESSMENT_PAGE)),
    # Appraising "CX4" or finishing before the round is in appraisal: refused, on or back to the page.
    "/appraise/rounds/<int:round_id>/units/<int:unit_id>/items/<code>": (P, assigned_appraiser(OK)),
    "/appraise/rounds/<int:round_id>/units/<int:unit_id>/finish": (
        P,
        assigned_appraiser(to("/appraise/rounds/{round_id}/units/{unit_id}")),
    ),
    # Appraisal 2 of "CX4" before the round is in it: refused on the page.
    "/appraise/rounds/<int:round_id>/units/<int:unit_id>/items/<code>/reappraise": (P, assigned_appraiser(OK)),
    "/logout": (P, (LOGIN, LOGIN, *(to("/login"),) * 7)),
}
DENIED = (LOGIN, FORBIDDEN, HIDDEN)


def routes(app: Flask) -> dict[str, tuple[str, ...]]:
    """Every rule of the application but ``static``, with its methods (GET/POST)."""
    return {
        rule.rule: tuple(sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}))
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static"
    }


def test_no_route_is_forgotten(app) -> None:
    existing = routes(app)
    missing = sorted(set(existing) - set(MATRIX))
    assert not missing, f"routes without an expected outcome in MATRIX: {missing}"
    stale = sorted(set(MATRIX) - set(existing))
    assert not stale, f"MATRIX names routes that do not exist any more: {stale}"
    changed = {rule: methods for rule, methods in existing.items() if methods != MATRIX[rule][0]}
    assert not changed, f"routes whose methods changed (check who may use the new one): {changed}"


# The world --------------------------------------------------------------------------------


@dataclass
class World:
    campaign: Campaign
    values: dict  # what fills the URL patterns
    token: str  # the citizen's single-use link
    login: Callable[[str], None]


def frame_csv(unit_code: str, people: int) -> bytes:
    stream = io.StringIO()
    writer = csv.writer(stream)
    writer.writerow(frames.REQUIRED_COLUMNS)
    for number in range(1, people + 1):
        writer.writerow(
            [
                f"HS-{number:03d}",
                "Hộ tịch",
                unit_code,
                "01/03/2025",
                "05/03/2025",
                frames.RETURNED_STATUS,
                f"Người nộp {number}",
                f"09000000{number:02d}",
            ]
        )
    return stream.getvalue().encode()


@pytest.fixture
def world(app, client, auth: AuthActions, ward, make_campaign, surveyor, officer, criteria_sets) -> World:
    district = Unit(code="D99", name="Huyện Thử", kind="huyện")
    for number in (1, 2):
        district.children.append(Unit(code=f"D99-P{number:02d}", name=f"Phòng {number}", kind="phòng chuyên môn"))
    db.session.add(district)
    group_1, group_2 = ward.children[0], ward.children[1]
    surveyor.assigned_units.append(district)  # group 1 (fixture) and the district's departments
    other_surveyor = create_user(
        username="dtv2",
        full_name="Điều tra viên 2",
        password="mat-khau-an-toan",
        role=UserRole.SURVEYOR,
        units=[group_2],
    )
    other_ward = Unit(code="21175", name="Phường Đồng Sơn", kind="phường")
    db.session.add(other_ward)
    for username, unit in (("dongson", other_ward), ("phuong", ward)):
        create_user(username=username, full_name=unit.name, password=PASSWORD, role=UserRole.UNIT, assessed_unit=unit)
    unit_account = db.session.scalar(select(User).filter_by(username="phuong"))
    evidence = upload_evidence(ward, "Kế hoạch CCHC", "ke-hoach.pdf", io.BytesIO(EVIDENCE), by=unit_account)
    campaign = make_campaign(["CX4", "CH3"], [*ward.children, *district.children])
    cx4 = campaign.questionnaire_by_code("CX4")
    frames.import_frame(campaign, "khung.csv", frame_csv(group_1.code, 3), skip_bad_rows=False)
    draw_sample(campaign, cx4, "authz", 0)
    issued = issue_links(campaign)
    today = dt.date.today()
    sipas = make_campaign(["SIPAS-2017"], [ward])
    import_responses(sipas, "phieu.csv", io.BytesIO(sipas_csv([{}] * 3)))
    publication = publish_results(sipas, Decision("Quyết định số 1/QĐ-UBND", today))
    assessment_round = create_round(
        RoundDraft("Chỉ số CCHC", today.year, criteria_sets["CCHC-XA"].id, ward.id, today, today + dt.timedelta(days=9))
    )
    open_self_assessment(assessment_round)
    assessment = get_assessment(assessment_round.id, ward.id)
    save_score(assessment, "1.1.1", ScoreDraft("1", "", (evidence.id,), ""))
    for username, assigned in (("tdv2", False), ("tdv1", True)):
        appraiser = create_user(username=username, full_name=username, password=PASSWORD, role=UserRole.APPRAISER)
        if assigned:
            assignment = assign_appraiser(assessment_round, appraiser, ward, None)
    print_batch(get_collection_point(campaign.id, "CX4", group_1.code), None, 2, new_print_key(), surveyor)
    db.session.commit()
    entries = db.session.scalars(
        select(SampleEntry).filter_by(campaign_id=campaign.id, status=SampleStatus.TO_CONTACT).order_by(SampleEntry.id)
    ).all()
    assert len(entries) == 3 and all(entry.link_digest for entry in entries)
    token = next(link.token for link in issued if link.entry.id == entries[0].id)
    values = {
        "campaign_id": campaign.id,
        "unit_code": group_1.code,
        "code": "CX4",
        "extension": "xlsx",
        "entry_id": entries[1].id,  # another sampled person than the citizen
        "user_id": other_surveyor.id,
        "source_tag": "0123abcd",
        "hour_key": "2026010100",
        "device_id": 1,
        "system_id": 1,
        "set_id": criteria_sets["CCHC-XA"].id,
        "round_id": assessment_round.id,
        "assignment_id": assignment.id,
        "unit_id": ward.id,
        "number": 1,  # the first department the round's set names
        "evidence_id": evidence.id,
        "slug_text": publication.slug,
        "version": publication.version,
        "key": publication.snapshot["sections"][0]["tables"][0]["key"],
    }

    def login(caller: str) -> None:
        if caller == "citizen":
            assert client.get(f"/r/link/{token}").status_code == 200
        elif caller != "anonymous":
            usernames = {
                "other surveyor": "dtv2",
                "surveyor": "dtv1",
                "other unit": "dongson",
                "unit": "phuong",
                "other appraiser": "tdv2",
                "appraiser": "tdv1",
            }
            username = usernames.get(caller, "canbo")
            assert auth.login(username).status_code == 302

    return World(campaign, values, token, login)


def url_of(rule: str, values: dict, caller: str, token: str) -> str:
    """The rule filled with the world's ids: CH3 (matrix) without a unit, CX4 with one.

    An ``any(...)`` part takes the world's value if the rule offers it, else the rule's first choice.
    """
    fill = values | {"questionnaire_code": "CX4" if "<unit_code>" in rule else "CH3"}
    fill["token"] = token if caller == "citizen" else GUESSED_TOKEN

    def part(match: re.Match) -> str:
        converter, name = match.groups()
        value = str(fill[name])
        if converter and converter.startswith("any("):
            choices = [choice.strip() for choice in converter.removeprefix("any(").removesuffix(")").split(",")]
            return value if value in choices else choices[0]
        return value

    return re.sub(r"<(?:([^<>:]+):)?([^<>]+)>", part, rule)


def snapshot() -> dict[str, list[tuple]]:
    """Every row of every table, to show that a refused request changed nothing.

    Not the rate limits' counters (``limit_counts``): a public POST counts against its source's
    limit before any page refuses it, and a process writes its counted events when the minute
    changes (``BatchedLimit``), so a refused post may well be the one that writes them.
    """
    db.session.rollback()  # end the test's read transaction: see what the requests wrote
    return {
        table.name: sorted(map(repr, db.session.execute(select(table)).all()))
        for table in db.metadata.sorted_tables
        if table.name != LimitCount.__tablename__
    }


def request(client: FlaskClient, method: str, url: str, data: dict | None = None) -> TestResponse | str:
    """The response, read and closed (a sent file stays open until then), or the crash (the
    test app propagates exceptions) described as a 500."""
    try:
        if method == "GET":
            response = client.get(url)
        else:
            response = client.post(url, data=data or {}, content_type="multipart/form-data")
        response.get_data()
        response.close()
        return response
    except Exception as error:
        db.session.rollback()
        return f"500 ({type(error).__name__}: {error})"


def post_data(client: FlaskClient, rule: str, world: World, *, with_token: bool = True) -> dict:
    """A POST that would change something if it were allowed, with the caller's CSRF token."""
    campaign = world.campaign
    data: dict = {}
    if "/field/enter/" in rule or "/field/send/" in rule:
        questionnaire = campaign.questionnaire_by_code("CX4" if "<unit_code>" in rule else "CH3")
        keys = [] if "<unit_code>" in rule else ["D99-P01", "D99-P02"]
        data = filled_form(questionnaire.definition, keys) | {"mode": "paper"}
    elif rule.endswith("/void"):
        data = {"reason": "Thất lạc"}
    elif rule.endswith("/hand-out"):
        data = {"handed_out": "2", "handed_to": "Điều tra viên 1", "returned": "1"}
    elif "/field/paper/" in rule:
        data = {"forms": "1"}
    elif rule.endswith("/sample/outcome"):
        data = {"action": "refused", "entry_id": world.values["entry_id"]}
    elif rule.endswith("/quotas"):
        data = {"action": "save", "policy": "close"} | {f"per_unit-{q.id}-*": "7" for q in campaign.questionnaires}
    elif rule.endswith("/remuneration"):
        data = {"rate_per_form": "1", "rate_per_unit": "1"}
    elif rule.endswith("/edit") or rule.endswith("/new"):
        data = {
            "name": "Đổi tên",
            "year": "2025",
            "purpose": "par",
            "opens_on": "2025-01-01",
            "closes_on": "2025-12-31",
        }
        data |= {
            "questionnaire_ids": [q.id for q in campaign.questionnaires],
            "unit_ids": [u.id for u in campaign.units],
        }
    elif rule.endswith("/import"):
        data = {
            "responses-responses_file": (
                io.BytesIO(b"M\xc3\xa3 phi\xe1\xba\xbfu,M\xc3\xa3 \xc4\x91\xc6\xa1n v\xe1\xbb\x8b\n"),
                "a.csv",
            )
        }
    elif rule.endswith("/sample"):
        data = {"frame-frame_file": (io.BytesIO(frame_csv("21172-T02", 2)), "khung.csv"), "frame-skip_bad_rows": "y"}
    elif rule.endswith("/draw"):
        data = {
            "draw-questionnaire_id": str(campaign.questionnaires[0].id),
            "draw-seed": "x",
            "draw-reserve_per_unit": "0",
        }
    elif rule == "/unit/evidence":
        data = {"title": "Báo cáo", "file": (io.BytesIO(EVIDENCE), "bao-cao.pdf")}
    elif rule.endswith("/new-appraiser"):
        data = {"username": "tdv-moi", "full_name": "Thẩm định viên mới"}
    elif rule.endswith("/new-unit-account"):
        data = {"username": "donvi-moi", "full_name": "Đơn vị mới", "unit_code": world.values["unit_code"]}
    elif rule.endswith("/publish"):
        data = {"decision": "Quyết định số 2/QĐ-UBND", "decided_on": "2026-12-01"}
    elif rule.endswith("/targets"):
        data = {"targets-sipas_target": "1", "targets-criterion_target": "1", "targets-field_target": "1"}
        data |= {"targets-rank_min_forms": "30", "targets-par_max_points": "50"}
    if with_token:
        token = csrf_token_of(client.get("/login").get_data(as_text=True))
        data |= {"csrf_token": token} | {
            f"{prefix}-csrf_token": token for prefix in ("frame", "draw", "targets", "responses", "appraisal")
        }
    return data


@pytest.mark.parametrize("caller", CALLERS)
def test_every_route_gives_each_caller_what_the_matrix_says(client, world, caller) -> None:
    world.login(caller)
    position = CALLERS.index(caller)
    wrong = []
    ordered = [rule for rule, (methods, _outcomes) in MATRIX.items() if "GET" in methods]
    ordered += [rule for rule, (methods, _outcomes) in MATRIX.items() if "GET" not in methods]
    for rule in ordered:
        methods, outcomes = MATRIX[rule]
        expected = outcomes[position]
        url = url_of(rule, world.values, caller, world.token)
        if "GET" in methods:
            response = request(client, "GET", url)
        else:
            data = post_data(client, rule, world)
            before = snapshot() if expected in DENIED else None
            response = request(client, "POST", url, data)
            if before is not None and snapshot() != before:
                wrong.append(f"POST {url}: refused, but the database changed")
        seen = response if isinstance(response, str) else expected.check(response, world.values)
        if seen is not None:
            wrong.append(f"{'GET' if 'GET' in methods else 'POST'} {url}: expected {expected.describe()}, got {seen}")
    assert not wrong, f"{caller}:\n" + "\n".join(wrong)


@pytest.mark.parametrize("caller", CALLERS)
def test_a_post_to_a_page_a_caller_may_not_use_is_refused_and_changes_nothing(client, world, caller) -> None:
    """Every GET-and-POST route the caller is denied: a POST with a valid CSRF token is refused too."""
    world.login(caller)
    position = CALLERS.index(caller)
    wrong = []
    for rule, (methods, outcomes) in MATRIX.items():
        expected = outcomes[position]
        if methods != GP or expected not in DENIED:
            continue
        url = url_of(rule, world.values, caller, world.token)
        before = snapshot()
        response = request(client, "POST", url, post_data(client, rule, world))
        seen = response if isinstance(response, str) else expected.check(response, world.values)
        if seen is not None:
            wrong.append(f"POST {url}: expected {expected.describe()}, got {seen}")
        if snapshot() != before:
            wrong.append(f"POST {url}: refused, but the database changed")
    assert not wrong, f"{caller}:\n" + "\n".join(wrong)


@pytest.mark.parametrize("caller", CALLERS)
def test_a_campaign_that_does_not_exist_is_a_404_for_officers_only(client, world, caller) -> None:
    """Every officers' route naming a campaign: access is checked before the campaign is looked up,
    so callers who may not see campaigns are refused alike for every id and learn none."""
    world.login(caller)
    expected = officers(HIDDEN)[CALLERS.index(caller)]
    missing = world.values | {"campaign_id": world.campaign.id + 1000}
    wrong = []
    for rule, (methods, _outcomes) in MATRIX.items():
        if not rule.startswith("/admin/campaigns/<int:campaign_id>"):
            continue
        url = url_of(rule, missing, caller, world.token)
        if "GET" in methods:
            response = request(client, "GET", url)
        else:
            response = request(client, "POST", url, post_data(client, rule, world))
        seen = response if isinstance(response, str) else expected.check(response, missing)
        if seen is not None:
            wrong.append(f"{url}: expected {expected.describe()}, got {seen}")
    assert not wrong, f"{caller}:\n" + "\n".join(wrong)


@pytest.mark.parametrize("caller", ["anonymous", "citizen", "other surveyor"])
def test_a_post_without_csrf_token_to_a_surveyor_page_is_refused_without_a_crash(client, world, caller) -> None:
    """A form posted after the session expired (no valid CSRF token) to a page the caller may not use.

    The surveyors' entry page shows an expired form again with its answers; that must still
    require a logged-in surveyor of the unit: log-in page (or 400) for anyone else, never the
    questionnaire, never a crash.
    """
    world.login(caller)
    wrong = []
    for rule in (
        "/field/enter/<int:campaign_id>/<questionnaire_code>/<unit_code>",
        "/field/enter/<int:campaign_id>/<questionnaire_code>",
        "/field/send/<int:campaign_id>/<questionnaire_code>/<unit_code>",
        "/field/send/<int:campaign_id>/<questionnaire_code>",
    ):
        url = url_of(rule, world.values, caller, world.token)
        before = snapshot()
        response = request(client, "POST", url, post_data(client, rule, world, with_token=False))
        if isinstance(response, str):
            wrong.append(f"POST {url}: {response}")
        else:
            allowed = [LOGIN, Outcome(400)] if caller != "other surveyor" else [FORBIDDEN, Outcome(400)]
            if all(outcome.check(response, world.values) for outcome in allowed):
                location = response.headers.get("Location", "")
                expected = " or ".join(outcome.describe() for outcome in allowed)
                wrong.append(f"POST {url}: got {response.status_code} {location}, expected {expected}")
            elif 'name="form_key"' in response.get_data(as_text=True):
                wrong.append(f"POST {url}: the questionnaire was shown")
        if snapshot() != before:
            wrong.append(f"POST {url}: the database changed")
    assert not wrong, "\n".join(wrong)


def test_the_citizen_link_opens_only_its_own_questionnaire_and_only_once(client, world) -> None:
    world.login("citizen")
    page = client.get(f"/r/link/{world.token}").get_data(as_text=True)
    assert 'name="form_key"' in page and "Tổ dân phố 1" in page
    assert client.get(f"/r/link/{world.token[:-1]}").status_code == 200  # a near miss is refused like any guess
    assert "Đường dẫn này đã được sử dụng" in client.get(f"/r/link/{world.token[:-1]}").get_data(as_text=True)


def test_a_surveyor_of_another_unit_is_not_offered_the_unit_pages(client, world) -> None:
    world.login("other surveyor")
    home = client.get("/field/").get_data(as_text=True)
    assert "/field/enter/{campaign_id}/CX4/21172-T02".format(**world.values) in home
    assert "21172-T01" not in home and "/CH3" not in home
    assert dt.date.today() >= world.campaign.opens_on  # the campaign is collecting: the pages would work for the unit
