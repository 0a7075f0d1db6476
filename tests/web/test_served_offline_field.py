"""The endpoint a phone sends its kept forms to, served by gunicorn (2 workers) over real HTTP.

``tests/web/test_offline_field.py`` tries each refusal with the test client; here the phone's
requests go through the served application (session cookie, CSRF, the workers' own database
sessions): every refusal reaches the phone as JSON with its reason, and the same form sent
twice at once, as a phone resending on a weak signal may, is stored once.
"""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from surveyapp.extensions import db
from surveyapp.form_keys import issue_form_key
from surveyapp.models import CampaignStatus, Response
from surveyapp.services.collection import get_collection_point
from tests.helpers import filled_form
from tests.web.test_offline_field import campaign  # noqa: F401 (fixture)
from tests.web.test_throttle import Client

GROUP = "21172-T01"


def stored() -> int:
    db.session.rollback()  # see what gunicorn wrote
    return db.session.scalar(select(func.count()).select_from(Response)) or 0


class Phone:
    """The surveyor of Tổ dân phố 1 logged in on a phone, with the keys and CSRF token it fetched."""

    def __init__(self, base_url: str, open_campaign) -> None:
        self.client = Client(base_url)
        assert self.client.login("dtv1")[0] == 302
        status, headers, body = self.client.request("GET", f"/field/keys/{open_campaign.id}/CX4/{GROUP}")
        assert status == 200 and headers["content-type"] == "application/json"
        batch = json.loads(body)
        self.keys, self.token = batch["keys"], batch["csrf_token"]
        self.url = f"/field/send/{open_campaign.id}/CX4/{GROUP}"
        self.form = filled_form(open_campaign.questionnaires[0].definition) | {"mode": "paper"}

    def send(self, key: str, **changes: str) -> dict:
        data = self.form | {"form_key": key, "csrf_token": self.token} | changes
        status, headers, body = self.client.request("POST", self.url, data)
        assert status == 200 and headers["content-type"] == "application/json", body
        return json.loads(body)


def test_each_refusal_reaches_the_phone_as_json_with_its_reason(app, gunicorn, surveyor, campaign) -> None:  # noqa: F811
    phone = Phone(gunicorn().url, campaign)

    bad_serial = phone.send(phone.keys[0], serial="21172-T01-7-1-XX")
    assert bad_serial["result"] == "refused" and "Số sê-ri «21172-T01-7-1-XX»" in bad_serial["reason"]

    expired = issue_form_key(
        get_collection_point(campaign.id, "CX4", GROUP), credit_seconds=app.config["FIELD_KEY_MAX_AGE"] + 60
    )
    too_old = phone.send(expired)
    assert too_old["result"] == "refused" and too_old["reason"].startswith("Phiếu đã được mở quá lâu")

    assert [phone.send(key)["result"] for key in phone.keys[1:3]] == ["stored", "stored"]
    assert phone.send(phone.keys[3]) == {
        "result": "refused",
        "reason": "Nhóm này đã đủ số phiếu theo chỉ tiêu; phiếu không được lưu.",
    }

    campaign.status = CampaignStatus.CLOSED
    db.session.commit()
    closed = phone.send(phone.keys[4])
    assert closed["result"] == "refused" and "không ở trạng thái đang mở" in closed["reason"]
    assert stored() == 2


def sent_at_once(phone: Phone, key: str) -> list[str]:
    """What became of the form with ``key`` sent twice, the two requests leaving together."""
    together = threading.Barrier(2)

    def send(_attempt: int) -> str:
        together.wait()
        return phone.send(key)["result"]

    with ThreadPoolExecutor(2) as pool:
        return sorted(pool.map(send, range(2)))


def test_a_form_sent_twice_at_once_is_stored_once(gunicorn, surveyor, campaign) -> None:  # noqa: F811
    phone = Phone(gunicorn().url, campaign)
    for key in phone.keys[:2]:  # the group's quota: two forms
        assert sent_at_once(phone, key) == ["stored", "stored_before"]
    assert stored() == 2
