"""Working without a signal: the installable app's files, keys for forms typed offline, and the
endpoint a phone sends its kept forms to (``surveyapp/field/offline.py``)."""

from __future__ import annotations

import struct

import pytest
from sqlalchemy import func, select

from surveyapp.extensions import db
from surveyapp.field.offline import KEY_BATCH
from surveyapp.form_keys import issue_form_key
from surveyapp.models import ANY_GROUP, CampaignStatus, QuotaPolicy, Response, ResponseMode
from surveyapp.questionnaires.answers import field_name
from surveyapp.services.collection import get_collection_point
from surveyapp.services.quotas import QuotaRule, plan_quotas, save_quotas
from tests.helpers import csrf_token_of, filled_form

DAY = 24 * 3600
RGB_WITHOUT_ALPHA = 2  # a PNG colour type


@pytest.fixture
def campaign(make_campaign, ward):
    """An open CX4 campaign over the residential groups, 2 forms each, full cells closed."""
    campaign = make_campaign(["CX4"], list(ward.children))
    plan = plan_quotas(campaign, [QuotaRule(campaign.questionnaire_by_code("CX4"), ANY_GROUP, 2)])
    save_quotas(campaign, plan, QuotaPolicy.CLOSE_WHEN_FULL)
    db.session.commit()
    return campaign


@pytest.fixture
def phone(client, auth, surveyor, campaign):
    """The surveyor of Tổ dân phố 1, logged in, with a batch of keys fetched while online."""
    auth.login("dtv1")
    batch = client.get(f"/field/keys/{campaign.id}/CX4/21172-T01")
    assert batch.status_code == 200 and batch.mimetype == "application/json"
    return batch.json


def send(client, campaign, key: str, token: str, **changes: str) -> dict:
    data = {**filled_form(campaign.questionnaires[0].definition), "mode": "interview", "form_key": key}
    data |= {"csrf_token": token, **changes}
    answer = client.post(f"/field/send/{campaign.id}/CX4/21172-T01", data=data)
    assert answer.status_code == 200 and answer.mimetype == "application/json"
    return answer.json


def stored() -> int:
    return db.session.scalar(select(func.count()).select_from(Response))


def test_each_key_of_a_batch_stores_one_form_and_a_form_sent_twice_is_stored_once(client, campaign, phone) -> None:
    keys, token = phone["keys"], phone["csrf_token"]
    assert len(set(keys)) == KEY_BATCH, "a key of its own for each form typed offline"

    assert send(client, campaign, keys[0], token) == {"result": "stored"}
    assert send(client, campaign, keys[0], token) == {"result": "stored_before"}, "the answer was lost: sent again"
    assert send(client, campaign, keys[1], token) == {"result": "stored"}
    assert stored() == 2
    assert {r.mode for r in db.session.scalars(select(Response))} == {ResponseMode.INTERVIEW}


def test_a_form_refused_on_arrival_comes_back_with_the_reason_and_nothing_is_stored(client, campaign, phone) -> None:
    keys, token = phone["keys"], phone["csrf_token"]
    question = campaign.questionnaires[0].definition.questions[0]
    invalid = send(client, campaign, keys[0], token, **{field_name(question): "not-an-option"})
    assert invalid["result"] == "refused"
    assert "Lựa chọn này không có trong phiếu" in invalid["reason"] and question.text.vi in invalid["reason"]

    forged = send(client, campaign, keys[0][:-2] + "xx", token)
    assert forged["result"] == "refused" and "không phải phiếu do hệ thống cấp" in forged["reason"]

    send(client, campaign, keys[1], token)
    send(client, campaign, keys[2], token)
    full = send(client, campaign, keys[3], token)
    assert full == {"result": "refused", "reason": "Nhóm này đã đủ số phiếu theo chỉ tiêu; phiếu không được lưu."}
    assert stored() == 2

    campaign.status = CampaignStatus.CLOSED
    db.session.commit()
    closed = send(client, campaign, keys[4], token)
    assert closed["result"] == "refused" and "không ở trạng thái đang mở" in closed["reason"]
    assert stored() == 2


def test_a_form_sent_sooner_than_it_can_be_answered_waits_and_one_sent_too_late_is_refused(
    app, client, campaign, phone
) -> None:
    keys, token = phone["keys"], phone["csrf_token"]
    app.config["FORM_SECONDS_PER_ANSWER"] = 1
    soon = send(client, campaign, keys[0], token)
    assert soon["result"] == "wait" and "quá nhanh" in soon["reason"]
    app.config["FORM_SECONDS_PER_ANSWER"] = 0
    assert send(client, campaign, keys[0], token) == {"result": "stored"}, "the key was not spent by the wait"

    app.config["FIELD_KEY_MAX_AGE"] = -1
    late = send(client, campaign, keys[1], token)
    assert late["result"] == "refused" and "quá lâu" in late["reason"]
    assert stored() == 1


def key_issued_ago(campaign, seconds: int) -> str:
    """A key of Tổ dân phố 1's form issued ``seconds`` ago by the service (its own signer)."""
    return issue_form_key(get_collection_point(campaign.id, "CX4", "21172-T01"), credit_seconds=seconds)


def test_a_form_kept_three_days_in_villages_without_a_signal_is_stored_once(app, client, campaign, phone) -> None:
    assert app.config["FIELD_KEY_MAX_AGE"] == 7 * DAY > app.config["FORM_KEY_MAX_AGE"]
    key, token = key_issued_ago(campaign, 3 * DAY), phone["csrf_token"]
    assert send(client, campaign, key, token) == {"result": "stored"}
    assert send(client, campaign, key, token) == {"result": "stored_before"}, "its receipt outlives the key"
    assert stored() == 1

    # The entry page kept on the phone since then posts its own key: stored as well.
    entry = f"/field/enter/{campaign.id}/CX4/21172-T01"
    page = client.post(
        entry,
        data=filled_form(campaign.questionnaires[0].definition)
        | {"csrf_token": token}
        | {"mode": "paper", "form_key": key_issued_ago(campaign, 3 * DAY)},
    )
    assert page.status_code == 302 and stored() == 2

    beyond = send(client, campaign, key_issued_ago(campaign, 7 * DAY + 60), token)
    assert beyond["result"] == "refused"
    assert beyond["reason"].startswith("Phiếu đã được mở quá lâu nên chưa được lưu."), "the reason is given"
    assert stored() == 2


def test_a_citizens_form_key_still_expires_after_twelve_hours(client, campaign) -> None:
    qr_form = f"/r/{campaign.id}/CX4/21172-T01"
    late = client.post(
        qr_form,
        data=filled_form(campaign.questionnaires[0].definition) | {"form_key": key_issued_ago(campaign, 13 * 3600)},
    )
    assert late.status_code == 400 and "quá lâu" in late.get_data(as_text=True)
    assert stored() == 0


def test_a_kept_form_is_a_typed_in_mode_of_the_surveyors_own_unit(client, campaign, phone) -> None:
    kiosk = client.post(
        f"/field/send/{campaign.id}/CX4/21172-T01",
        data={"csrf_token": phone["csrf_token"], "form_key": phone["keys"][0], "mode": "desk_qr"},
    )
    assert kiosk.status_code == 400, "only paper forms and interviews are typed in"
    assert client.get(f"/field/keys/{campaign.id}/CX4/21172-T02").status_code == 403, "another surveyor's group"
    sent_elsewhere = client.post(
        f"/field/send/{campaign.id}/CX4/21172-T02",
        data={**filled_form(campaign.questionnaires[0].definition), "mode": "paper", "form_key": phone["keys"][1]}
        | {"csrf_token": phone["csrf_token"]},
    )
    assert sent_elsewhere.status_code == 403 and stored() == 0


def test_a_kept_form_sent_after_the_session_ended_goes_to_the_log_in_page_and_is_not_stored(
    client, campaign, phone
) -> None:
    client.post("/logout", data={"csrf_token": phone["csrf_token"]})
    answer = client.post(
        f"/field/send/{campaign.id}/CX4/21172-T01",
        data={**filled_form(campaign.questionnaires[0].definition), "mode": "paper", "form_key": phone["keys"][0]},
    )
    assert answer.status_code in (302, 400) and stored() == 0


def png_size_and_colour(body: bytes) -> tuple[int, int, int]:
    """A PNG's width, height and colour type, read from its header (IHDR, the first chunk)."""
    assert body.startswith(b"\x89PNG\r\n\x1a\n") and body[12:16] == b"IHDR"
    width, height = struct.unpack(">II", body[16:24])
    return width, height, body[25]


def test_the_manifest_lists_png_icons_android_installs_from_one_of_them_maskable(client) -> None:
    icons = client.get("/field/app-manifest").json["icons"]
    pngs = [icon for icon in icons if icon["type"] == "image/png"]
    assert {icon["sizes"] for icon in pngs} >= {"192x192", "512x512"}
    assert any(icon["purpose"] == "maskable" for icon in pngs)
    for icon in pngs:
        served = client.get(icon["src"])
        assert served.status_code == 200 and served.mimetype == "image/png", icon["src"]
        width, height, colour = png_size_and_colour(served.get_data())
        served.close()
        assert f"{width}x{height}" == icon["sizes"], icon["src"]
        if icon["purpose"] == "maskable":
            assert colour == RGB_WITHOUT_ALPHA, "a maskable icon is drawn to its edges, with nothing transparent"


def test_the_app_files_are_served_so_a_phone_can_install_the_surveyors_pages(client, surveyor, auth) -> None:
    worker = client.get("/field/service-worker")
    assert worker.status_code == 200 and worker.mimetype == "text/javascript"
    assert worker.headers["Cache-Control"] == "no-store", "a fixed worker reaches phones on their next visit"
    assert "script-src 'self'" in worker.headers["Content-Security-Policy"]
    assert 'addEventListener("fetch"' in worker.get_data(as_text=True)
    worker.close()
    manifest = client.get("/field/app-manifest")
    assert manifest.mimetype == "application/manifest+json"
    assert manifest.json["start_url"] == "/field/" and manifest.json["scope"] == "/field/"
    auth.login("dtv1")
    home = client.get("/field/").get_data(as_text=True)
    assert 'rel="manifest" href="/field/app-manifest"' in home and "field-offline.js" in home
    assert "<script>" not in home and "style=" not in home, "no inline script or style (CSP)"
    csrf_token_of(home)
