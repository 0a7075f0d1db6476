"""Channels: a campaign, or a respondent group of it, answered through personal links or surveyors only."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from surveyapp.extensions import db
from surveyapp.models import AuditAction, AuditEntry, HeldForm, Response
from surveyapp.questionnaires.answers import RESPONDENT_GROUP_FIELD
from tests.helpers import AuthActions, csrf_token_of, filled_form, submit


@pytest.fixture
def desk(make_campaign, ward):
    """An open SIPAS-2017 campaign (groups: citizen, organisation) at the ward's desk."""
    campaign = make_campaign(["SIPAS-2017"], [ward])
    return campaign, campaign.questionnaires[0].definition, f"/r/{campaign.id}/SIPAS-2017/21172"


def stored() -> tuple[int, int]:
    db.session.rollback()
    return (
        db.session.scalar(select(func.count()).select_from(Response)),
        db.session.scalar(select(func.count()).select_from(HeldForm)),
    )


def save_channels(client, campaign, **fields) -> str:
    page = client.get(f"/admin/campaigns/{campaign.id}").get_data(as_text=True)
    data = {"csrf_token": csrf_token_of(page), **fields}
    return client.post(f"/admin/campaigns/{campaign.id}/channels", data=data, follow_redirects=True).get_data(
        as_text=True
    )


def test_a_group_closed_to_qr_is_not_offered_and_its_qr_forms_are_refused_with_answers_kept(
    client, auth, officer, desk
) -> None:
    campaign, definition, path = desk
    auth.login("canbo")
    assert "Đã lưu kênh nhận phiếu" in save_channels(client, campaign, qr_closed_groups="organisation")
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == AuditAction.CHANNELS_SAVED))
    assert entry.details["closed_groups"] == ["organisation"]

    form = client.get(path).get_data(as_text=True)
    assert 'value="citizen"' in form and 'value="organisation"' not in form
    answers = filled_form(definition) | {RESPONDENT_GROUP_FIELD: "organisation"}
    refused = submit(client, path, answers)
    page = refused.get_data(as_text=True)
    assert refused.status_code == 403
    assert "không nhận phiếu qua mã QR nên phiếu chưa được lưu" in page
    assert "checked" in page  # the answers come back
    assert stored() == (0, 0)
    assert submit(client, path, filled_form(definition)).status_code == 302  # citizens still answer by QR
    assert stored() == (1, 0)


def test_a_campaign_closed_to_qr_has_no_public_form_link_nor_poster_but_surveyors_enter_forms(
    app, client, auth, officer, surveyor, make_campaign, ward
) -> None:
    campaign = make_campaign(["CX4"], list(ward.children))
    path = f"/r/{campaign.id}/CX4/21172-T01"
    definition = campaign.questionnaires[0].definition
    auth.login("canbo")
    save_channels(client, campaign, is_qr_closed="y")
    assert path not in client.get(f"/admin/campaigns/{campaign.id}").get_data(as_text=True)
    assert "<svg" not in client.get(f"/admin/campaigns/{campaign.id}/posters").get_data(as_text=True)

    page = client.get(path).get_data(as_text=True)
    assert "được trả lời qua đường dẫn cá nhân" in page and "form_key" not in page
    client.post(path, data=filled_form(definition))
    assert stored() == (0, 0)

    surveyor_client = app.test_client()
    AuthActions(surveyor_client).login("dtv1")
    url = f"/field/enter/{campaign.id}/CX4/21172-T01"
    entered = submit(surveyor_client, url, {**filled_form(definition), "mode": "paper"})
    assert entered.status_code == 302
    assert stored() == (1, 0)
