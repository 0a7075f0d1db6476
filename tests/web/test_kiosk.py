"""The desk kiosk: a tablet registered for one questionnaire at one unit, and its quick rating.

Registration is scoped (a campaign's questionnaire at a unit of it, audited, token shown once
and never stored), revocation shuts the kiosk's pages, the kiosk's pages keep nothing of one
person for the next (no-store, autocomplete off, a fresh form key, no cookie), a kiosk is not
held to the per-address limit, and quick ratings are stored apart with their own index.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from surveyapp.extensions import db
from surveyapp.i18n import LANGUAGE_SWITCH_FIELD
from surveyapp.models import AuditAction, AuditEntry, DeskDevice, QuickRating, Response
from surveyapp.respond.kiosk import check_kiosk_settings
from tests.helpers import csrf_token_of, filled_form, form_key_of

UNIT = "21172"
# An answer chosen in the page's markup: a checked option or a selected one with a value.
CHOSEN = re.compile(r"<input[^>]* checked|<option value=\"[^\"]+\"[^>]* selected")


@pytest.fixture
def desk(make_campaign, ward):
    """An open SIPAS-2017 campaign at the ward's one-stop desk."""
    return make_campaign(["SIPAS-2017"], [ward])


def register(client, campaign, **fields):
    page = client.get(f"/admin/campaigns/{campaign.id}/kiosks").get_data(as_text=True)
    data = {"name": "Ki-ốt quầy 1", "questionnaire_code": "SIPAS-2017", "unit_code": UNIT, "counters": "0"}
    return client.post(
        f"/admin/campaigns/{campaign.id}/kiosks", data={"csrf_token": csrf_token_of(page)} | data | fields
    )


def responses() -> int:
    return db.session.scalar(select(func.count()).select_from(Response)) or 0


def answer_on_kiosk(client, definition):
    page = client.get("/r/kiosk/form").get_data(as_text=True)
    return client.post("/r/kiosk/form", data={"form_key": form_key_of(page)} | filled_form(definition))


def test_an_officer_registers_a_kiosk_for_one_questionnaire_at_one_unit(client, auth, officer, desk) -> None:
    auth.login("canbo")
    registered = register(client, desk)
    page = registered.get_data(as_text=True)
    device = db.session.scalar(select(DeskDevice))
    token = client.get_cookie("surveyapp_desk").value
    assert registered.status_code == 200 and token in page  # shown once, on this page only
    assert token not in device.token_digest and "no-store" in registered.headers["Cache-Control"]
    assert (device.campaign_id, device.unit.code, device.questionnaire.code) == (desk.id, UNIT, "SIPAS-2017")
    assert token not in client.get(f"/admin/campaigns/{desk.id}/kiosks").get_data(as_text=True)
    [entry] = db.session.scalars(select(AuditEntry).where(AuditEntry.action == AuditAction.KIOSK_REGISTERED))
    assert entry.campaign_id == desk.id and entry.details["unit"] == UNIT and token not in str(entry.details)


def test_another_tablet_becomes_the_kiosk_with_the_token_shown_once(app, client, auth, officer, desk) -> None:
    auth.login("canbo")
    register(client, desk)
    token = client.get_cookie("surveyapp_desk").value
    tablet = app.test_client()
    assert tablet.get("/r/kiosk/enrol").status_code == 200 and tablet.get("/r/kiosk/form").status_code == 404
    refused = tablet.post("/r/kiosk/enrol", data={"token": token[:-1]})
    assert refused.status_code == 422 and "Mã thiết bị không đúng" in refused.get_data(as_text=True)
    assert tablet.get_cookie("surveyapp_desk") is None
    enrolled = tablet.post("/r/kiosk/enrol", data={"token": token})
    assert enrolled.headers["Location"] == "/r/kiosk" and "HttpOnly" in enrolled.headers["Set-Cookie"]
    assert tablet.get("/r/kiosk/form").status_code == 200


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"unit_code": "99999"}, "Đơn vị có mã “99999” không thuộc đợt điều tra này"),
        ({"counters": "51"}, "Số quầy phải từ 0 đến 50."),
        ({"counters": ""}, "Hãy nhập số quầy (0 nếu không hỏi)."),
        ({"questionnaire_code": "CX4"}, "Not a valid choice"),
    ],
)
def test_a_kiosk_outside_the_campaign_is_refused(client, auth, officer, desk, fields, message) -> None:
    auth.login("canbo")
    refused = register(client, desk, **fields)
    assert message in refused.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(DeskDevice)) == 0
    assert client.get_cookie("surveyapp_desk") is None


def test_only_a_kiosk_opens_the_kiosk_pages_and_revoking_closes_them(client, auth, officer, desk) -> None:
    for path in ("/r/kiosk", "/r/kiosk/form", "/r/kiosk/thanks"):
        assert client.get(path).status_code == 404
    auth.login("canbo")
    page = client.get("/admin/devices").get_data(as_text=True)
    client.post("/admin/devices", data={"csrf_token": csrf_token_of(page), "name": "Máy quầy"})
    assert client.get("/r/kiosk/form").status_code == 404  # a plain desk device is no kiosk
    register(client, desk)
    assert client.get("/r/kiosk").headers["Location"] == "/r/kiosk/form"
    assert client.get("/r/kiosk/rating").status_code == 404  # not turned on
    kiosk = db.session.scalar(select(DeskDevice).where(DeskDevice.campaign_id == desk.id))
    page = client.get(f"/admin/campaigns/{desk.id}/kiosks").get_data(as_text=True)
    client.post(f"/admin/devices/{kiosk.id}/revoke", data={"csrf_token": csrf_token_of(page)})
    assert client.get("/r/kiosk/form").status_code == 404
    assert AuditAction.DEVICE_REVOKED in set(db.session.scalars(select(AuditEntry.action)))


def test_the_kiosk_keeps_nothing_of_one_person_for_the_next(app, client, auth, officer, desk) -> None:
    auth.login("canbo")
    register(client, desk)
    definition = desk.questionnaires[0].definition
    keys = set()
    for _n in range(3):
        form = client.get("/r/kiosk/form")
        html = form.get_data(as_text=True)
        assert form.headers["Cache-Control"] == "no-store" and "Set-Cookie" not in form.headers
        assert 'autocomplete="off"' in html and not CHOSEN.search(html) and "/static/kiosk.js" in html
        keys.add(form_key_of(html))
        stored = client.post("/r/kiosk/form", data={"form_key": form_key_of(html)} | filled_form(definition))
        assert stored.headers["Location"] == "/r/kiosk/thanks" and "Set-Cookie" not in stored.headers
        thanks = client.get("/r/kiosk/thanks")
        assert '<meta name="kiosk-idle-seconds" content="5">' in thanks.get_data(as_text=True)
        assert thanks.headers["Cache-Control"] == "no-store" and "Set-Cookie" not in thanks.headers
    assert len(keys) == 3 and responses() == 3


def test_switching_the_kiosks_language_keeps_the_answers_and_stores_nothing(client, auth, officer, desk) -> None:
    auth.login("canbo")
    register(client, desk)
    page = client.get("/r/kiosk/form").get_data(as_text=True)
    answers = filled_form(desk.questionnaires[0].definition)
    switched = client.post(
        "/r/kiosk/form?lang=en", data={"form_key": form_key_of(page), LANGUAGE_SWITCH_FIELD: "en"} | answers
    )
    assert switched.status_code == 200 and CHOSEN.search(switched.get_data(as_text=True))
    assert responses() == 0


def test_a_kiosk_is_not_held_to_the_per_address_limit(app, client, auth, officer, desk) -> None:
    from surveyapp.security import SUBMISSION_LIMIT_KEY
    from surveyapp.services.limits import BatchedLimit

    app.extensions[SUBMISSION_LIMIT_KEY] = BatchedLimit("respond", 3600, 2, 1)
    app.config["RESPOND_ALLOWANCE"] = 1
    definition = desk.questionnaires[0].definition
    path = f"/r/{desk.id}/SIPAS-2017/{UNIT}"
    for _n in range(3):  # a stranger's third form from the address is refused
        page = client.get(path).get_data(as_text=True)
        last = client.post(path, data={"form_key": form_key_of(page)} | filled_form(definition))
    assert last.status_code == 429
    auth.login("canbo")
    register(client, desk)
    for _n in range(4):
        assert answer_on_kiosk(client, definition).status_code == 302
    assert responses() == 1 + 4  # the stranger's first form counted, its second held; the kiosk's all count


def rate(client, data: dict[str, str]):
    """Tap a face on the kiosk's quick rating as served (with its one-time key)."""
    key = form_key_of(client.get("/r/kiosk/rating").get_data(as_text=True))
    return client.post("/r/kiosk/rating", data={"form_key": key} | data)


def test_a_double_tap_on_the_quick_rating_stores_one_rating(client, auth, officer, desk) -> None:
    auth.login("canbo")
    register(client, desk, has_quick_rating="y")
    key = form_key_of(client.get("/r/kiosk/rating").get_data(as_text=True))
    for _tap in range(2):
        sent = client.post("/r/kiosk/rating", data={"form_key": key, "rating": "5"})
        assert sent.headers["Location"] == "/r/kiosk/thanks"
    assert len(list(db.session.scalars(select(QuickRating)))) == 1


def test_the_quick_rating_is_stored_apart_and_feeds_its_own_index(app, client, auth, officer, desk) -> None:
    app.config["COUNTER_MIN_ANSWERS"] = 3
    auth.login("canbo")
    register(client, desk, has_quick_rating="y", counters="4")
    assert client.get("/r/kiosk").headers["Location"] == "/r/kiosk/rating"
    page = client.get("/r/kiosk/rating").get_data(as_text=True)
    assert 'autocomplete="off"' in page and "Quầy số" in page
    for rating, counter in ((5, "1"), (4, "1"), (2, "1"), (1, "2"), (5, "")):
        stored = rate(client, {"rating": str(rating), "counter": counter, "comment": ""})
        assert stored.headers["Location"] == "/r/kiosk/thanks"
    rate(client, {"rating": "3", "comment": "Cán bộ nhiệt tình"})
    for bad, message in (
        ({"rating": "6"}, "Vui lòng chạm vào một mặt cười."),
        ({}, "Vui lòng chạm vào một mặt cười."),
        ({"rating": "3", "counter": "5"}, "Quầy này không có trong danh sách."),
        ({"rating": "3", "comment": "x" * 501}, "Góp ý dài quá 500 ký tự."),
        ({"rating": "3", "form_key": "gia-mao"}, "Phiếu đánh giá đã quá hạn."),
    ):
        refused = rate(client, bad)
        assert refused.status_code == 422 and message in refused.get_data(as_text=True)
    ratings = list(db.session.scalars(select(QuickRating)))
    assert len(ratings) == 6 and responses() == 0
    assert not hasattr(QuickRating, "desk_device_id") and not hasattr(QuickRating, "answered_at")
    index = client.get(f"/admin/campaigns/{desk.id}/kiosks").get_data(as_text=True)
    # 6 ratings, 3 satisfied (4 or 5): 50,00 %, mean 20 / 6 = 3,33; counter 1 has 3 (shown), counter 2 has 1.
    assert "50,00" in index and "3,33" in index and "Cán bộ nhiệt tình" in index
    assert "Quầy số 1" in index and "66,67" in index and "3,67" in index
    assert "Quầy số 2" in index and "chưa đủ số phiếu" in index
    lines = client.get(f"/admin/campaigns/{desk.id}/quick-ratings.csv").get_data(as_text=True).splitlines()
    assert lines[1:] == [
        f"{UNIT},Phường Trương Quang Trọng,,6,50.00,3.33,",
        f"{UNIT},Phường Trương Quang Trọng,1,3,66.67,3.67,",
        f"{UNIT},Phường Trương Quang Trọng,2,,,,chưa đủ số phiếu",
    ]


@pytest.mark.parametrize("name", ["KIOSK_IDLE_SECONDS", "KIOSK_THANKS_SECONDS", "COUNTER_MIN_ANSWERS"])
def test_a_kiosk_setting_below_one_stops_the_start(app, name) -> None:
    with pytest.raises(ValueError, match=name):
        check_kiosk_settings(app.config | {name: 0})
