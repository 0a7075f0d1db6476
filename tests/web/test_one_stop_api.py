"""The one-stop system's API over real HTTP (gunicorn): receipt links, answered once, tied to no dossier.

A calling system (a test client speaking HTTP) asks for links for returned dossiers, asks again
for one (the same link), a citizen answers through a link once; then every table of the
database is read to show that nothing in it ties the stored answer to the dossier code.
Attacks: no, unknown or revoked tokens, another unit, too many calls, hostile bodies.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import http.client
import json
import re
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode, urlsplit

import pytest
from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import AuditAction, AuditEntry, CallingSystem, Response, ResponseMode, Unit
from surveyapp.questionnaires.answers import PROCEDURE_FIELD_FIELD
from surveyapp.services.calling_systems import CallingSystemError, create_calling_system, revoke_calling_system
from surveyapp.services.receipt_links import (
    LINK_DIGEST_PURPOSE,
    SPENT_DIGEST_PURPOSE,
    normalize_code,
    receipt_code,
)
from surveyapp.services.samples import link_digest
from tests.helpers import csrf_token_of, filled_form, form_fields_of

TODAY = dt.date.today().isoformat()
USED = "Đường dẫn này đã được sử dụng"


class OneStopSystem:
    """A calling system speaking HTTP to the served application."""

    def __init__(self, base_url: str, token: str | None) -> None:
        self.host = urlsplit(base_url).netloc
        self.token = token

    def call(
        self,
        body: object = None,
        *,
        raw: bytes | None = None,
        content_type: str = "application/json",
        method: str = "POST",
        path: str = "/api/v1/survey-links",
    ) -> tuple[int, dict, http.client.HTTPResponse]:
        headers = {"Content-Type": content_type}
        if self.token is not None:
            headers["Authorization"] = f"Bearer {self.token}"
        data = raw if raw is not None else json.dumps(body).encode()
        connection = http.client.HTTPConnection(self.host, timeout=30)
        try:
            connection.request(method, path, body=data, headers=headers)
            response = connection.getresponse()
            payload = response.read()
        finally:
            connection.close()
        assert response.getheader("Content-Type", "").startswith("application/json"), payload[:200]
        return response.status, json.loads(payload), response

    def ask(self, dossier_code: str, **fields: str) -> tuple[int, dict]:
        status, answer, _response = self.call(dossier(dossier_code, **fields))
        return status, answer


def dossier(code: str, **fields: str) -> dict:
    return {
        "dossier_code": code,
        "unit_code": "21172",
        "procedure_field": "Đất đai",
        "procedure": "Đăng ký biến động quyền sử dụng đất",
        "returned_on": TODAY,
    } | fields


class Citizen:
    """A phone's browser following the link of a receipt."""

    def __init__(self, base_url: str) -> None:
        self.host = urlsplit(base_url).netloc

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, str, str]:
        connection = http.client.HTTPConnection(self.host, timeout=30)
        try:
            body = urlencode(form or {}, doseq=True) if form is not None else None
            headers = {"Content-Type": "application/x-www-form-urlencoded"} if form is not None else {}
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            return response.status, response.read().decode(), response.getheader("Location", "")
        finally:
            connection.close()

    def answer(self, link: str, answers: dict) -> tuple[int, str, str]:
        path = urlsplit(link).path
        status, page, _location = self.request("GET", path)
        assert status == 200
        fields = form_fields_of(page) if 'name="form_key"' in page else {}
        return self.request("POST", path, fields | answers)


@pytest.fixture
def one_stop(make_campaign, ward: Unit, officer):
    """SIPAS-2017 over the ward (the centre) and another ward; a system allowed the first only."""
    other = Unit(code="21175", name="Phường Đồng Sơn", kind="phường")
    db.session.add(other)
    campaign = make_campaign(["SIPAS-2017"], [ward, other])
    token = create_calling_system("Một cửa tỉnh", campaign, campaign.questionnaires[0], "21172")
    db.session.commit()
    return campaign, token


def audited(*actions: AuditAction) -> list[AuditEntry]:
    db.session.rollback()  # see what the server committed
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action.in_(actions)).order_by(AuditEntry.id)))


def every_row() -> dict[str, list[tuple]]:
    """Every row of every table, as the database holds them."""
    db.session.rollback()
    tables = db.metadata.sorted_tables
    return {table.name: [tuple(row) for row in db.session.execute(select(table))] for table in tables}


def test_a_system_gets_one_link_per_dossier_and_a_citizen_answers_through_it_once(
    app, one_stop, gunicorn, questionnaires
) -> None:
    server = gunicorn()
    campaign, token = one_stop
    system = OneStopSystem(server.url, token)
    given = {code: system.ask(code) for code in ("000.00.31.H29-250301-0001", "H29-0002", "H29-0003")}
    assert {status for status, _answer in given.values()} == {201}
    links = {answer["link"] for _status, answer in given.values()}
    assert len(links) == 3
    first = given["000.00.31.H29-250301-0001"][1]
    assert re.fullmatch(r"https://khaosat\.example\.vn/r/m/[0-9A-Z]{12}", first["link"])
    assert first["link"].endswith("/" + first["code"].replace("-", ""))
    assert re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", first["code"])
    assert first["qr_png"].startswith("data:image/png;base64,")
    assert first["entry_url"] == "https://khaosat.example.vn/r/m"

    # Asking again, even with other details, gives the same link, and says it is not new.
    status, again = system.ask("000.00.31.H29-250301-0001", procedure="Khác")
    assert status == 200 and again["link"] == first["link"] and again["is_new"] is False

    citizen = Citizen(server.url)
    path = urlsplit(first["link"]).path
    page = citizen.request("GET", path)[1]
    second_tab = form_fields_of(citizen.request("GET", path)[1])  # the link opened twice, then sent twice
    assert "Đăng ký biến động quyền sử dụng đất" in page and "Đất đai" in page
    assert f'name="{PROCEDURE_FIELD_FIELD}"' not in page  # the field is filled in, not asked
    answers = filled_form(questionnaires["SIPAS-2017"].definition)
    answers[PROCEDURE_FIELD_FIELD] = "Hộ tịch"  # a posted field counts for nothing: the link's stands
    status, _page, location = citizen.answer(first["link"], answers)
    assert status == 302 and location.endswith(f"/r/{campaign.id}/thanks")
    db.session.rollback()
    stored = db.session.scalars(select(Response)).all()
    assert [(r.mode, r.procedure_field, r.unit.code) for r in stored] == [
        (ResponseMode.RECEIPT_LINK, "Đất đai", "21172")
    ]

    # A second answer through the same link is refused, and so is reopening it.
    status, page, _location = citizen.request("POST", path, second_tab | answers)
    assert status == 200 and USED in page
    assert USED in citizen.request("GET", path)[1]
    assert db.session.query(Response).count() == 1
    # The API still gives the same link, and does not tell that it was answered.
    status, after = system.ask("000.00.31.H29-250301-0001")
    assert status == 200 and after == again

    # The short code typed by hand (lower case, a dash missing) leads to the same questionnaire.
    other = given["H29-0002"][1]
    typed = other["code"].lower().replace("-", " ", 1)
    status, _page, location = citizen.request("GET", "/r/m?" + urlencode({"code": typed}))
    assert status == 302 and location.endswith(urlsplit(other["link"]).path)
    status, page, _location = citizen.request("GET", "/r/m?code=ABCD")
    assert status == 200 and "Mã này không đúng" in page

    # Every call is in the audit log under the system's name, never with the dossier code.
    entries = audited(AuditAction.RECEIPT_LINK_GIVEN)
    assert [e.details["is_new"] for e in entries] == [True, True, True, False, False]
    assert {e.actor for e in entries} == {"api:Một cửa tỉnh"}
    assert "H29" not in json.dumps([e.details for e in entries])
    # The request log names no code.
    assert first["code"].replace("-", "") not in server.log() and "/r/m/<redacted>" in server.log()


def test_nothing_in_the_database_ties_the_answer_to_the_dossier(app, one_stop, gunicorn, questionnaires) -> None:
    server = gunicorn()
    _campaign, token = one_stop
    dossier_code = "000.00.31.H29-250301-0042"
    system = OneStopSystem(server.url, token)
    _status, answer = system.ask(dossier_code)
    status, _page, _location = Citizen(server.url).answer(
        answer["link"], filled_form(questionnaires["SIPAS-2017"].definition)
    )
    assert status == 302
    rows = every_row()
    assert len(rows["responses"]) == 1
    calling_system = db.session.scalars(select(CallingSystem)).one()
    code = receipt_code(calling_system, dossier_code)
    assert code == normalize_code(answer["code"])
    # Any form of the dossier code the service could compute or a careless one would store.
    forms_of_the_dossier = {
        dossier_code,
        dossier_code.lower(),
        code,
        answer["code"],
        hashlib.sha256(dossier_code.encode()).hexdigest(),
        hashlib.md5(dossier_code.encode()).hexdigest(),  # a form someone might store
        link_digest(dossier_code, LINK_DIGEST_PURPOSE),
        link_digest(dossier_code, SPENT_DIGEST_PURPOSE),
    }
    where = {
        (table, form)
        for table, table_rows in rows.items()
        for row in table_rows
        for form in forms_of_the_dossier
        if any(form in str(value) for value in row)
    }
    assert not where, f"the dossier code in some form is stored: {where}"
    # What is kept: the link's digest (receipt_links) and the spent digest (spent_links), each
    # in a table of its own that no other table refers to and that refers to no response.
    link = link_digest(code, LINK_DIGEST_PURPOSE)
    spent = link_digest(code, SPENT_DIGEST_PURPOSE)
    holding = {
        digest: sorted({table for table, table_rows in rows.items() for row in table_rows if digest in map(str, row)})
        for digest in (link, spent)
    }
    assert holding == {link: ["receipt_links"], spent: ["spent_links"]}
    assert [tuple(map(str, row)) for row in rows["spent_links"]] == [(spent,)]
    for table in db.metadata.sorted_tables:
        referred = {key.column.table.name for key in table.foreign_keys}
        assert not ({"receipt_links", "spent_links"} & referred), table.name
    assert not {key.column.table.name for key in db.metadata.tables["receipt_links"].foreign_keys} & {
        "responses",
        "submission_receipts",
        "spent_links",
    }
    response = rows["responses"][0]
    assert link not in map(str, response) and spent not in map(str, response)


@pytest.fixture
def system_of(one_stop, live_server):
    _campaign, token = one_stop

    def system(with_token: str | None = token) -> OneStopSystem:
        return OneStopSystem(live_server, with_token)

    return system


def refusals() -> list[tuple[str, str | None]]:
    return [(e.details["code"], e.details["field"]) for e in audited(AuditAction.API_CALL_REFUSED)]


def test_calls_without_a_good_token_are_refused(app, one_stop, system_of) -> None:
    for token, code in ((None, "no_token"), ("", "no_token"), ("x" * 43, "bad_token"), ("x" * 500, "bad_token")):
        status, answer, response = system_of(token).call(dossier("H29-1"))
        assert (status, answer["error"]["code"]) == (401, code), token
        assert response.getheader("WWW-Authenticate", "").startswith("Bearer")
    # A revoked token is refused by name, and the refusal recorded under the system's name.
    revoke_calling_system(db.session.scalars(select(CallingSystem)).one())
    db.session.commit()
    status, answer, _response = system_of().call(dossier("H29-1"))
    assert (status, answer["error"]["code"]) == (401, "token_revoked")
    assert refusals() == [("token_revoked", None)]
    db.session.rollback()
    assert db.session.query(Response).count() == 0


def test_a_unit_outside_the_systems_scope_is_forbidden(app, one_stop, system_of) -> None:
    for unit_code in ("21175", "99999"):  # in the campaign but not in scope; unknown
        status, answer, _response = system_of().call(dossier("H29-1", unit_code=unit_code))
        assert (status, answer["error"]["code"], answer["error"]["field"]) == (403, "unit_out_of_scope", "unit_code")
        assert unit_code in answer["error"]["message"]
    assert refusals() == [("unit_out_of_scope", "unit_code")] * 2
    assert not audited(AuditAction.RECEIPT_LINK_GIVEN)


def test_too_many_calls_of_one_token_are_refused_for_a_minute(app, one_stop, gunicorn) -> None:
    _campaign, token = one_stop
    system = OneStopSystem(gunicorn(API_CALLS_PER_MINUTE="3").url, token)
    if time.time() % 60 > 55:  # the four calls fall in one minute of the counters
        time.sleep(60.5 - time.time() % 60)
    statuses = [system.ask(f"H29-{number}")[0] for number in range(3)]
    status, answer, response = system.call(dossier("H29-9"))
    assert statuses == [201] * 3
    assert (status, answer["error"]["code"]) == (429, "too_many_calls")
    assert response.getheader("Retry-After") == "60"
    assert len(audited(AuditAction.RECEIPT_LINK_GIVEN)) == 3


HOSTILE = [
    # (what is sent, the status, the code, the field named)
    ({"raw": b"x" * 10_000}, 413, "body_too_large", None),
    ({"raw": json.dumps(dossier("H29-1") | {"procedure": "x" * 8000}).encode()}, 413, "body_too_large", None),
    ({"raw": b"{not json"}, 400, "bad_json", None),
    ({"raw": b'{"dossier_code": "H29-1"', "content_type": "application/json"}, 400, "bad_json", None),
    ({"body": dossier("H29-1"), "content_type": "text/plain"}, 415, "not_json", None),
    ({"body": [dossier("H29-1")]}, 422, "not_an_object", None),
    ({"body": "H29-1"}, 422, "not_an_object", None),
    ({"body": dossier("H29-1") | {"phone": "0900000000"}}, 422, "unknown_field", "phone"),
    ({"body": dossier("H29-1", dossier_code=12345)}, 422, "not_a_string", "dossier_code"),
    ({"body": dossier("H29-1", unit_code=["21172"])}, 422, "not_a_string", "unit_code"),
    ({"body": dossier("H29-1", procedure={"name": "x"})}, 422, "not_a_string", "procedure"),
    ({"body": dossier("   ")}, 422, "required", "dossier_code"),
    ({"body": dossier("x" * 61)}, 422, "too_long", "dossier_code"),
    ({"body": dossier("H29-1\x00; DROP TABLE responses")}, 422, "bad_characters", "dossier_code"),
    ({"body": dossier("H29-1", procedure_field="Thuế")}, 422, "not_an_option", "procedure_field"),
    ({"body": dossier("H29-1", returned_on="03/12/2026")}, 422, "not_a_date", "returned_on"),
    ({"body": dossier("H29-1", returned_on=20261203)}, 422, "not_a_date", "returned_on"),
    ({"body": dossier("H29-1", returned_on="2999-01-01")}, 422, "in_the_future", "returned_on"),
]


@pytest.mark.parametrize(("sent", "status", "code", "field"), HOSTILE, ids=[row[2] for row in HOSTILE])
def test_a_hostile_body_gets_a_json_error_naming_its_field(app, one_stop, system_of, sent, status, code, field) -> None:
    got, answer, _response = system_of().call(sent.get("body"), **{k: v for k, v in sent.items() if k != "body"})
    assert (got, answer["error"]["code"], answer["error"]["field"]) == (status, code, field)
    assert answer["error"]["message"]
    assert not audited(AuditAction.RECEIPT_LINK_GIVEN)
    db.session.rollback()
    assert not db.session.execute(select(db.metadata.tables["receipt_links"])).all()


def test_each_missing_field_is_named(app, one_stop, system_of) -> None:
    for name in dossier("H29-1"):
        body = dossier("H29-1")
        del body[name]
        status, answer, _response = system_of().call(body)
        assert (status, answer["error"]["code"], answer["error"]["field"]) == (422, "required", name)
        assert name in answer["error"]["message"]
    assert [field for _code, field in refusals()] == list(dossier("H29-1"))


def test_the_openapi_description_covers_every_route_and_the_fields_the_endpoint_enforces(
    app, one_stop, system_of
) -> None:
    system = system_of()
    status, description, _response = system.call(method="GET", path="/api/v1/openapi.json", raw=b"")
    assert status == 200 and description["openapi"].startswith("3.")
    prefix = description["servers"][0]["url"]
    routes = {
        (rule.rule.removeprefix(prefix), method.lower())
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("api.")
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}
    }
    described = {(path, method) for path, operations in description["paths"].items() for method in operations}
    assert routes == described
    schema = description["components"]["schemas"]["ReturnedDossier"]
    body = dossier("H29-1")
    assert set(schema["required"]) == set(body) == set(schema["properties"])
    # The fields the description requires are the ones refused when missing (above), and
    # the lengths it gives are the ones enforced: one character more is refused.
    for name, rules in schema["properties"].items():
        if "maxLength" not in rules:
            continue
        status, answer, _response = system.call(dossier("H29-1") | {name: "A" * (rules["maxLength"] + 1)})
        assert (status, answer["error"]["field"], answer["error"]["code"]) == (422, name, "too_long")
        status, answer, _response = system.call(dossier("H29-1") | {name: "A" * rules["maxLength"]})
        assert answer.get("error", {}).get("code") != "too_long", name
    codes = set(description["components"]["schemas"]["Error"]["properties"]["error"]["properties"]["code"]["enum"])
    assert {code for _sent, _status, code, _field in HOSTILE} | {"required", "unit_out_of_scope"} <= codes
    status, link, _response = system.call(dossier("H29-2"))
    assert status == 201 and set(link) == set(description["components"]["schemas"]["SurveyLink"]["required"])


def test_an_officer_creates_a_system_sees_its_token_once_and_revokes_it(
    app, client, auth, make_campaign, ward, officer
) -> None:
    campaign = make_campaign(["SIPAS-2017"], [ward])
    questionnaire = campaign.questionnaires[0]
    auth.login("canbo")
    page = client.get("/admin/calling-systems").get_data(as_text=True)
    token_field = csrf_token_of(page)
    form = {"csrf_token": token_field, "name": "Một cửa", "served": f"{campaign.id}:{questionnaire.id}"}
    refused = client.post("/admin/calling-systems", data=form | {"unit_codes": "21172, 99999"})
    assert "99999" in refused.get_data(as_text=True) and not db.session.scalars(select(CallingSystem)).all()
    created = client.post("/admin/calling-systems", data=form | {"unit_codes": "21172"}).get_data(as_text=True)
    token = re.search(r'<code class="secret">([^<]+)</code>', created).group(1)
    system = db.session.scalars(select(CallingSystem)).one()
    assert system.token_digest == hashlib.sha256(token.encode()).hexdigest() and token not in system.token_digest
    assert token not in client.get("/admin/calling-systems").get_data(as_text=True)  # shown once
    client.post(f"/admin/calling-systems/{system.id}/revoke", data={"csrf_token": token_field})
    db.session.refresh(system)
    assert system.is_revoked
    assert "Đã thu hồi" in client.get("/admin/calling-systems").get_data(as_text=True)
    assert [e.action for e in audited(AuditAction.CALLING_SYSTEM_CREATED, AuditAction.CALLING_SYSTEM_REVOKED)] == [
        AuditAction.CALLING_SYSTEM_CREATED,
        AuditAction.CALLING_SYSTEM_REVOKED,
    ]


def test_a_matrix_questionnaire_or_a_unit_it_does_not_rate_is_refused(app, make_campaign, ward) -> None:
    campaign = make_campaign(["SIPAS-2017", "CH3"], [ward])
    with pytest.raises(CallingSystemError, match="CH3"):
        create_calling_system("x", campaign, campaign.questionnaire_by_code("CH3"), "21172")
    with pytest.raises(CallingSystemError, match="21172-T01"):
        create_calling_system("x", campaign, campaign.questionnaire_by_code("SIPAS-2017"), "21172 21172-T01")


def test_calls_for_one_dossier_at_once_give_one_link(app, one_stop, system_of) -> None:
    system = system_of()
    with ThreadPoolExecutor(max_workers=6) as pool:
        answers = list(pool.map(lambda _n: system.ask("H29-AT-ONCE"), range(6)))
    assert {answer["link"] for _status, answer in answers} == {answers[0][1]["link"]}
    assert sorted(status for status, _answer in answers) == [200] * 5 + [201]
    db.session.rollback()
    assert len(db.session.execute(select(db.metadata.tables["receipt_links"])).all()) == 1


def test_a_receipt_form_refused_for_too_many_forms_comes_back_as_it_was(
    app, one_stop, gunicorn, questionnaires
) -> None:
    """Beyond the source's limit (429), the page comes back with the answers, the procedure
    named and its field still not asked."""
    server = gunicorn(RESPOND_LIMIT="1", RESPOND_LIMIT_BATCH="1")
    _campaign, token = one_stop
    system = OneStopSystem(server.url, token)
    first, second = (system.ask(code)[1]["link"] for code in ("H29-1", "H29-2"))
    answers = filled_form(questionnaires["SIPAS-2017"].definition)
    citizen = Citizen(server.url)
    assert citizen.answer(first, answers)[0] == 302
    status, page, _location = citizen.answer(second, answers)
    assert status == 429
    assert "Đăng ký biến động quyền sử dụng đất" in page
    assert f'name="{PROCEDURE_FIELD_FIELD}"' not in page
    assert page.count(" checked") >= len([q for q in questionnaires["SIPAS-2017"].definition.questions if q.options])


def test_a_campaign_that_takes_no_answers_gives_no_link(app, client, one_stop) -> None:
    campaign, token = one_stop
    campaign.closes_on = dt.date.today() - dt.timedelta(days=1)
    db.session.commit()
    reply = client.post("/api/v1/survey-links", json=dossier("H29-1"), headers={"Authorization": f"Bearer {token}"})
    assert (reply.status_code, reply.json["error"]["code"]) == (409, "campaign_not_collecting")
    assert refusals() == [("campaign_not_collecting", None)]
