"""Limits that hold across workers, and client addresses only trusted from the configured proxies.

Each attack runs against the app served by gunicorn with 2 workers over real HTTP: a count
kept by one worker alone lets through twice what it should. "Another source" connects from
127.0.0.2 (any 127.0.0.0/8 address reaches the loopback interface).
"""

from __future__ import annotations

import http.client
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit

import pytest
from sqlalchemy import func, select

from surveyapp import create_app
from surveyapp.extensions import db
from surveyapp.models import Campaign, LimitCount, Response
from surveyapp.services.devices import DEVICE_COOKIE, KioskSetup, register_desk_device
from tests.helpers import PASSWORD, csrf_token_of, filled_form, form_fields_of

LOCKED = "Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau 15 phút."


class Client:
    """A client of the served app from a source address of its own, keeping its session cookie."""

    def __init__(self, base_url: str, source: str = "127.0.0.1", headers: dict[str, str] | None = None) -> None:
        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname, parts.port
        self.source = source
        self.headers = headers or {}
        self.session: str | None = None

    def request(self, method: str, path: str, data: dict | None = None) -> tuple[int, dict[str, str], str]:
        headers = dict(self.headers)
        if self.session:
            headers["Cookie"] = f"session={self.session}"
        body = urlencode(data, doseq=True) if data is not None else None
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection(self.host, self.port, timeout=30, source_address=(self.source, 0))
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            for value in response.headers.get_all("Set-Cookie") or []:
                cookie = SimpleCookie(value)
                if "session" in cookie:
                    self.session = cookie["session"].value or None
            return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read().decode()
        finally:
            connection.close()

    def login(self, username: str, password: str = PASSWORD) -> tuple[int, str]:
        """Post the log-in form; the status (302 when logged in) and the page."""
        token = csrf_token_of(self.request("GET", "/login")[2])
        status, _headers, page = self.request(
            "POST", "/login", {"username": username, "password": password, "csrf_token": token}
        )
        return status, page

    def submit(self, url: str, data: dict) -> int:
        """Open the questionnaire at ``url`` and send it filled in; the status (302 when stored)."""
        html = self.request("GET", url)[2]
        return self.request("POST", url, form_fields_of(html) | data)[0]


@pytest.fixture
def desk(make_campaign, ward):
    """An open SIPAS-2017 campaign at the ward's one-stop desk: its form and its address."""
    campaign = make_campaign(["SIPAS-2017"], [ward])
    return filled_form(campaign.questionnaires[0].definition), f"/r/{campaign.id}/SIPAS-2017/21172"


# Log-in lock ---------------------------------------------------------------------------------


def test_fourteen_wrong_passwords_over_two_workers_lock_the_username_for_the_right_one(
    live_server, officer, surveyor
) -> None:
    attacker = Client(live_server)
    statuses = [attacker.login("CanBo" if attempt % 2 else "canbo", "sai-mat-khau")[0] for attempt in range(14)]
    assert statuses[:5] == [200] * 5 and set(statuses[5:]) == {429}

    status, page = attacker.login("canbo")
    assert status == 429 and LOCKED in page
    # The lock is the username's, whichever address asks...
    assert Client(live_server, source="127.0.0.2").login("canbo")[0] == 429
    # ...and no one else's: another user logs in from the attacker's address.
    assert attacker.login("dtv1")[0] == 302


def test_a_good_log_in_clears_its_own_failures_only(live_server, officer, surveyor) -> None:
    client = Client(live_server)
    for _attempt in range(4):
        client.login("canbo", "sai-mat-khau")
        client.login("dtv1", "sai-mat-khau")
    assert client.login("canbo")[0] == 302
    assert client.login("canbo", "sai-mat-khau")[0] == 200  # canbo starts again from one failure

    assert client.login("dtv1", "sai-mat-khau")[0] == 200  # the 5th failure of dtv1 still counts
    assert client.login("dtv1")[0] == 429


def test_one_source_trying_many_usernames_is_locked_out_while_other_sources_are_not(
    live_server, officer, surveyor
) -> None:
    sprayer = Client(live_server)
    statuses = [sprayer.login(f"nguoi{number}", "mat-khau-pho-bien")[0] for number in range(20)]
    assert statuses == [200] * 20  # each username failed once only

    status, page = sprayer.login("canbo")
    assert status == 429 and LOCKED in page
    assert Client(live_server, source="127.0.0.2").login("canbo")[0] == 302


# Public submission limit ---------------------------------------------------------------------


def test_the_submission_limit_of_a_source_holds_across_workers(gunicorn, desk) -> None:
    """Counted in the database before each form (``RESPOND_LIMIT_BATCH=1``): exact."""
    data, url = desk
    server = gunicorn(RESPOND_LIMIT="3", RESPOND_LIMIT_BATCH="1")
    flooder = Client(server.url)

    statuses = [flooder.submit(url, data) for _ in range(6)]

    assert statuses == [302, 302, 302, 429, 429, 429]
    assert Client(server.url, source="127.0.0.2").submit(url, data) == 302


def test_a_kiosk_is_not_held_to_the_limit_of_its_address_while_a_stranger_from_it_still_is(gunicorn, desk) -> None:
    """The desk kiosk serves a whole desk from one address; a stranger's browser at that address
    stays limited, whichever of the 2 workers takes each form."""
    data, url = desk
    campaign = db.session.get(Campaign, int(url.split("/")[2]))
    assert campaign is not None
    token = register_desk_device("Ki-ốt quầy 1", KioskSetup(campaign, campaign.questionnaires[0], campaign.units[0]))
    db.session.commit()
    server = gunicorn(RESPOND_LIMIT="3", RESPOND_LIMIT_BATCH="1")
    stranger = Client(server.url)
    kiosk = Client(server.url, headers={"Cookie": f"{DEVICE_COOKIE}={token}"})

    assert [stranger.submit(url, data) for _ in range(4)] == [302, 302, 302, 429]
    for _ in range(6):  # the kiosk goes on, and the stranger is still refused in between
        assert kiosk.submit("/r/kiosk/form", data) == 302
        assert stranger.submit(url, data) == 429
    db.session.rollback()  # see what gunicorn wrote
    assert db.session.scalar(select(func.count()).select_from(Response)) == 3 + 6


def test_switching_the_language_is_not_a_submission_and_does_not_count(gunicorn, desk) -> None:
    data, url = desk
    server = gunicorn(RESPOND_LIMIT="2", RESPOND_LIMIT_BATCH="1")
    person = Client(server.url)
    html = person.request("GET", url)[2]
    for language in ("en", "vi", "en", "vi"):  # a hesitant reader, at a busy desk's address
        status, _headers, html = person.request(
            "POST", f"{url}?lang={language}", form_fields_of(html) | data | {"switch_language": language}
        )
        assert status == 200
    assert [person.submit(url, data) for _ in range(3)] == [302, 302, 429]


def test_counted_in_batches_the_limit_holds_within_workers_times_batch(gunicorn, desk) -> None:
    """Each of the 2 workers writes its counts 3 at a time: at most 12 + 2 × 3 forms get through,
    where two workers counting alone would let 24 through; the source is then refused.

    Which worker takes a form is up to the kernel: a worker that took few forms lets its last
    ones through late in the flood, so the flood goes on until 8 forms in a row are refused."""
    data, url = desk
    server = gunicorn(RESPOND_LIMIT="12", RESPOND_LIMIT_BATCH="3")
    flooder = Client(server.url)

    statuses: list[int] = []
    while len(statuses) < 60 and statuses[-8:] != [429] * 8:
        statuses.append(flooder.submit(url, data))

    assert 12 <= statuses.count(302) <= 12 + 2 * 3
    assert statuses[-8:] == [429] * 8
    assert Client(server.url, source="127.0.0.2").submit(url, data) == 302


# Trusted proxies -----------------------------------------------------------------------------


def spoofing(base_url: str, forwarded_for: str, source: str = "127.0.0.1") -> Client:
    return Client(base_url, source, headers={"X-Forwarded-For": forwarded_for, "X-Forwarded-Proto": "https"})


def test_a_client_reaching_the_service_directly_cannot_spoof_its_address(gunicorn, desk) -> None:
    data, url = desk
    server = gunicorn(RESPOND_LIMIT="3", RESPOND_LIMIT_BATCH="1", TRUSTED_PROXIES="192.0.2.1,10.0.0.0/8")

    statuses = [spoofing(server.url, f"203.0.113.{number}").submit(url, data) for number in range(5)]

    assert statuses == [302, 302, 302, 429, 429]  # counted as 127.0.0.1 every time
    # Nor its scheme (from another address: gunicorn itself believes X-Forwarded-Proto from
    # loopback, its --forwarded-allow-ips).
    status, headers, _page = spoofing(server.url, "203.0.113.9", source="127.0.0.2").request("GET", "/login")
    assert status == 200 and "strict-transport-security" not in headers


def test_behind_the_configured_proxy_each_forwarded_client_counts_alone(gunicorn, desk) -> None:
    data, url = desk
    server = gunicorn(RESPOND_LIMIT="3", RESPOND_LIMIT_BATCH="1", TRUSTED_PROXIES="127.0.0.1")

    citizens = [spoofing(server.url, f"203.0.113.{number}").submit(url, data) for number in range(5)]
    # A client's own X-Forwarded-For is in front of the one the proxy adds: the proxy's wins.
    one = [spoofing(server.url, f"198.51.100.{number}, 203.0.113.77").submit(url, data) for number in range(4)]

    assert citizens == [302] * 5
    assert one == [302, 302, 302, 429]


def test_two_ipv6_addresses_of_one_slash_64_share_one_count(gunicorn, desk) -> None:
    data, url = desk
    server = gunicorn(RESPOND_LIMIT="3", RESPOND_LIMIT_BATCH="1", TRUSTED_PROXIES="127.0.0.1")

    household = [spoofing(server.url, f"2001:db8:1:2::{number}").submit(url, data) for number in (1, 2, 3, 4)]

    assert household == [302, 302, 302, 429]
    assert spoofing(server.url, "2001:db8:1:3::1").submit(url, data) == 302  # the next /64


@pytest.mark.parametrize(
    "value, message",
    [
        ("1", "TRUSTED_PROXIES=127.0.0.1"),
        ("127.0.0.1,10.0.0.300", "'10.0.0.300'"),
    ],
    ids=["a number of proxies", "a bad address"],
)
def test_a_bad_trusted_proxies_setting_stops_the_start_with_a_clear_message(value, message) -> None:
    with pytest.raises(ValueError, match=f"TRUSTED_PROXIES.*{message}"):
        create_app({"TESTING": True, "TRUSTED_PROXIES": value})


def test_the_counters_keep_no_username_and_no_address(gunicorn, desk, officer) -> None:
    """Whoever reads the database finds counts under keyed digests, never who was counted."""
    data, url = desk
    server = gunicorn(TRUSTED_PROXIES="127.0.0.1")
    spoofing(server.url, "203.0.113.45").submit(url, data)
    spoofing(server.url, "2001:db8:7:9::5").submit(url, data)
    Client(server.url).login("canbo", "sai-mat-khau")
    db.session.rollback()  # see what the server committed
    rows = [" ".join(map(str, row)) for row in db.session.execute(select(LimitCount.__table__)).all()]
    assert rows, "nothing was counted"
    dump = "\n".join(rows).lower()
    for secret in ("203.0.113.45", "2001:db8:7:9", "canbo", "127.0.0.1"):
        assert secret not in dump
