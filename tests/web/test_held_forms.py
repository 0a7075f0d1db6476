"""Counts that cannot be stuffed: beyond a source's allowance, QR forms are held for review.

The attack of issue 10 §3 played over real HTTP against gunicorn: one client fetching and
posting forms as fast as it can counts at most ``RESPOND_ALLOWANCE`` per hour on a campaign;
the rest are held (none lost), and count once an officer accepts them.
"""

from __future__ import annotations

from urllib.error import HTTPError
from urllib.parse import urlencode
from urllib.request import HTTPRedirectHandler, build_opener

import pytest
from sqlalchemy import func, select

from surveyapp.extensions import db
from surveyapp.models import AuditAction, AuditEntry, DeskDevice, HeldForm, QuotaCell, QuotaPolicy, Response
from surveyapp.services.held import list_held_batches
from tests.helpers import csrf_token_of, filled_form, form_fields_of, submit

ATTACK_FORMS = 40
ALLOWANCE = 20


class _NoRedirect(HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def counted() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(Response)) or 0


def held() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(HeldForm)) or 0


@pytest.fixture
def desk(make_campaign, ward):
    """An open SIPAS-2017 campaign at the ward's one-stop desk."""
    campaign = make_campaign(["SIPAS-2017"], [ward])
    return campaign, campaign.questionnaires[0].definition, f"/r/{campaign.id}/SIPAS-2017/21172"


def test_one_client_stuffing_a_campaign_counts_its_allowance_and_the_rest_is_held(
    gunicorn, desk, client, auth, officer
) -> None:
    """40 real GET+POST pairs from one address: 20 count, 20 held, all end on the thank-you page."""
    campaign, definition, path = desk
    server = gunicorn()
    opener = build_opener(_NoRedirect)
    answers = filled_form(definition)
    for n in range(ATTACK_FORMS):
        with opener.open(server.url + path, timeout=10) as page:
            fields = form_fields_of(page.read().decode())
        body = urlencode(fields | answers, doseq=True).encode()
        with pytest.raises(HTTPError) as sent:  # the redirect, not followed
            opener.open(server.url + path, body, timeout=10)
        assert sent.value.code == 302, n
        assert sent.value.headers["Location"].endswith(f"/r/{campaign.id}/thanks"), n

    assert counted() == ALLOWANCE
    assert held() == ATTACK_FORMS - ALLOWANCE

    auth.login("canbo")
    page = client.get(f"/admin/campaigns/{campaign.id}/results").get_data(as_text=True)
    assert f"{ALLOWANCE} phiếu được tính" in page
    assert "Phiếu tạm giữ chờ xem xét" in page
    [batch] = list_held_batches(campaign)
    assert (batch.forms, batch.identical) == (ATTACK_FORMS - ALLOWANCE, ATTACK_FORMS - ALLOWANCE)
    accept = f"/admin/campaigns/{campaign.id}/held/{batch.source_tag}/{batch.hour_key}/accept"
    done = client.post(accept, data={"csrf_token": csrf_token_of(page)}, follow_redirects=True)
    assert f"Đã tính {ATTACK_FORMS - ALLOWANCE} phiếu tạm giữ" in done.get_data(as_text=True)
    assert f"{ATTACK_FORMS} phiếu được tính" in done.get_data(as_text=True)
    assert (counted(), held()) == (ATTACK_FORMS, 0)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == AuditAction.HELD_ACCEPTED))
    assert entry.details["stored"] == ATTACK_FORMS - ALLOWANCE


def test_a_held_form_looks_stored_and_counts_nowhere(app, client, auth, officer, desk) -> None:
    campaign, definition, path = desk
    app.config["RESPOND_ALLOWANCE"] = 1
    first = submit(client, path, filled_form(definition))
    second = submit(client, path, filled_form(definition, choice=0))
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    assert (counted(), held()) == (1, 1)
    auth.login("canbo")
    export = client.get(f"/admin/campaigns/{campaign.id}/export/responses/SIPAS-2017.csv")
    assert len(export.get_data(as_text=True).strip().splitlines()) == 2  # the header and the counted form


def test_a_resent_form_does_not_use_up_its_senders_allowance(app, client, desk) -> None:
    """A double tap (the same form key three times) counts once: the next person's form is stored."""
    _campaign, definition, path = desk
    app.config["RESPOND_ALLOWANCE"] = 2
    page = client.get(path).get_data(as_text=True)
    form = form_fields_of(page) | filled_form(definition)
    assert [client.post(path, data=form).status_code for _ in range(3)] == [302, 302, 302]
    assert submit(client, path, filled_form(definition, choice=0)).status_code == 302
    assert (counted(), held()) == (2, 0)


def test_a_rejected_batch_is_dropped_and_recorded(app, client, auth, officer, desk) -> None:
    campaign, definition, path = desk
    app.config["RESPOND_ALLOWANCE"] = 1
    for _n in range(3):
        submit(client, path, filled_form(definition))
    auth.login("canbo")
    page = client.get(f"/admin/campaigns/{campaign.id}/results").get_data(as_text=True)
    [batch] = list_held_batches(campaign)
    reject = f"/admin/campaigns/{campaign.id}/held/{batch.source_tag}/{batch.hour_key}/reject"
    done = client.post(reject, data={"csrf_token": csrf_token_of(page)}, follow_redirects=True)
    assert "Đã loại 2 phiếu tạm giữ" in done.get_data(as_text=True)
    assert (counted(), held()) == (1, 0)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == AuditAction.HELD_REJECTED))
    assert entry.details["forms"] == 2


def test_accepting_over_a_full_closed_cell_reports_the_forms_not_stored(app, client, auth, officer, desk) -> None:
    campaign, definition, path = desk
    campaign.quota_policy = QuotaPolicy.CLOSE_WHEN_FULL
    db.session.add(
        QuotaCell(
            campaign_id=campaign.id,
            questionnaire_id=campaign.questionnaires[0].id,
            unit_id=campaign.units[0].id,
            respondent_group="*",
            target=2,
        )
    )
    db.session.commit()
    app.config["RESPOND_ALLOWANCE"] = 1
    for _n in range(3):
        submit(client, path, filled_form(definition))
    auth.login("canbo")
    page = client.get(f"/admin/campaigns/{campaign.id}/results").get_data(as_text=True)
    [batch] = list_held_batches(campaign)
    accept = f"/admin/campaigns/{campaign.id}/held/{batch.source_tag}/{batch.hour_key}/accept"
    done = client.post(accept, data={"csrf_token": csrf_token_of(page)}, follow_redirects=True).get_data(as_text=True)
    assert "Đã tính 1 phiếu tạm giữ" in done
    assert "1 phiếu không được lưu vì ô chỉ tiêu phiếu của chúng đã đủ" in done
    assert (counted(), held()) == (2, 0)


def test_a_registered_desk_device_is_never_held_until_revoked(app, client, auth, officer, desk) -> None:
    _campaign, definition, path = desk
    app.config["RESPOND_ALLOWANCE"] = 1
    auth.login("canbo")
    page = client.get("/admin/devices").get_data(as_text=True)
    registered = client.post("/admin/devices", data={"csrf_token": csrf_token_of(page), "name": "Quầy 1"})
    assert "surveyapp_desk=" in registered.headers["Set-Cookie"]
    device = db.session.scalar(select(DeskDevice))
    assert device.name == "Quầy 1" and client.get_cookie("surveyapp_desk").value not in device.token_digest
    for _n in range(3):
        submit(client, path, filled_form(definition))
    assert (counted(), held()) == (3, 0)

    page = client.get("/admin/devices").get_data(as_text=True)
    assert "Quầy 1" in page
    client.post(f"/admin/devices/{device.id}/revoke", data={"csrf_token": csrf_token_of(page)})
    for _n in range(2):  # the device's forms took none of the address's allowance
        submit(client, path, filled_form(definition))
    assert (counted(), held()) == (4, 1)
    actions = set(db.session.scalars(select(AuditEntry.action)))
    assert {AuditAction.DEVICE_REGISTERED, AuditAction.DEVICE_REVOKED} <= actions


def test_surveyors_forms_are_not_subject_to_the_allowance(app, client, auth, surveyor, make_campaign, ward) -> None:
    campaign = make_campaign(["CX4"], list(ward.children))
    app.config["RESPOND_ALLOWANCE"] = 1
    auth.login("dtv1")
    url = f"/field/enter/{campaign.id}/CX4/21172-T01"
    for _n in range(3):
        submit(client, url, {**filled_form(campaign.questionnaires[0].definition), "mode": "paper"})
    assert (counted(), held()) == (3, 0)
