"""The citizen's page, lighter and shorter (issue 14): compression, favicon, language switch, real length.

What Chromium sees of it (bytes on the wire, first paint on slow 3G, focus) is in
``tests/browser/test_light_citizen_page.py``.
"""

from __future__ import annotations

import gzip
import http.client
import urllib.parse

import pytest
from sqlalchemy import func, select

from surveyapp.extensions import db
from surveyapp.models import Response
from surveyapp.questionnaires.answers import field_name
from tests.helpers import filled_form, form_fields_of, form_key_of, submit

GZIP = {"Accept-Encoding": "gzip, deflate, br"}


@pytest.fixture
def sipas(make_campaign, ward):
    """An open SIPAS-2017 campaign in the ward: its definition and its QR link."""
    campaign = make_campaign(["SIPAS-2017"], [ward])
    return campaign.questionnaires[0].definition, f"/r/{campaign.id}/SIPAS-2017/21172"


def test_the_questionnaire_is_sent_compressed_to_a_phone_that_accepts_it(client, sipas) -> None:
    _definition, url = sipas
    plain = client.get(url)
    packed = client.get(url, headers=GZIP)
    assert "Content-Encoding" not in plain.headers and packed.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed.headers["Vary"] and "Accept-Encoding" in plain.headers["Vary"]
    page = gzip.decompress(packed.get_data()).decode()
    assert "Gửi phiếu" in page and page.rstrip().endswith("</html>")  # the whole page
    assert len(packed.get_data()) < len(plain.get_data()) / 5
    assert int(packed.headers["Content-Length"]) == len(packed.get_data())


def test_phones_opening_the_same_page_each_get_it_whole_with_their_own_key(client, sipas) -> None:
    """From the second phone on, the page's unchanging beginning is sent as compressed once."""
    definition, url = sipas
    plain = client.get(url).get_data(as_text=True)
    pages = [gzip.decompress(client.get(url, headers=GZIP).get_data()).decode() for _phone in range(4)]
    keys = [form_key_of(page) for page in pages]
    assert len({*keys, form_key_of(plain)}) == 5
    for page, key in zip(pages, keys, strict=True):
        assert page == plain.replace(form_key_of(plain), key)  # the whole page, only the key differs
    # Each of the keys works: every phone's answer is stored.
    for key in keys:
        assert client.post(url, data={"form_key": key} | filled_form(definition)).status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Response)) == 4


def test_a_compressed_page_shows_what_changed_since_the_last_phone(client, sipas, ward) -> None:
    _definition, url = sipas
    for _phone in range(3):
        client.get(url, headers=GZIP)
    ward.name = "Phường Đổi Tên Mới"
    db.session.commit()
    renamed = gzip.decompress(client.get(url, headers=GZIP).get_data()).decode()
    plain = client.get(url).get_data(as_text=True)
    assert "Phường Đổi Tên Mới" in renamed and renamed == plain.replace(form_key_of(plain), form_key_of(renamed))
    english = gzip.decompress(client.get(f"{url}?lang=en", headers=GZIP).get_data()).decode()
    assert ">Send</button>" in english and english.rstrip().endswith("</html>")


def test_the_stylesheet_is_compressed_under_a_tag_of_its_own(client) -> None:
    plain, packed = client.get("/static/app.css"), client.get("/static/app.css", headers=GZIP)
    assert packed.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.get_data()) == plain.get_data()
    assert packed.headers["ETag"] != plain.headers["ETag"]  # a cache never mixes the two bodies
    # A browser that has it already is told so, as for the plain file.
    kept = client.get("/static/app.css", headers=GZIP | {"If-None-Match": packed.headers["ETag"]})
    assert kept.status_code == 304 and kept.get_data() == b""
    plain.close(), packed.close(), kept.close()


def test_the_favicon_exists(client, sipas) -> None:
    html = client.get(sipas[1]).get_data(as_text=True)
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in html
    with client.get("/static/favicon.svg") as icon:
        assert icon.status_code == 200 and icon.mimetype == "image/svg+xml"


@pytest.mark.parametrize("path", ["/login", "/healthz"])
def test_pages_outside_the_citizen_s_are_never_compressed(client, path) -> None:
    """The log-in page carries a CSRF token next to what was typed: its size must not leak it (BREACH)."""
    reply = client.get(path, headers=GZIP)
    assert reply.status_code == 200 and "Content-Encoding" not in reply.headers


def test_a_refused_form_that_echoes_the_answers_is_not_compressed(client, sipas) -> None:
    definition, url = sipas
    answers = filled_form(definition)
    del answers[field_name(definition.question("C3_2"))]
    html = client.get(url).get_data(as_text=True)
    refused = client.post(url, data=form_fields_of(html) | answers, headers=GZIP)
    assert refused.status_code == 422 and "Content-Encoding" not in refused.headers


def test_the_form_posts_to_its_error_summary_so_a_refusal_opens_on_it(client, sipas) -> None:
    definition, url = sipas
    assert 'action="#error-summary"' in client.get(url).get_data(as_text=True)
    answers = filled_form(definition)
    del answers[field_name(definition.question("C3_2"))]
    refused = submit(client, url, answers).get_data(as_text=True)
    assert 'class="error-summary" role="alert" tabindex="-1" id="error-summary"' in refused


def test_switching_to_english_keeps_the_answers_and_stores_nothing(client, sipas) -> None:
    definition, url = sipas
    html = client.get(url).get_data(as_text=True)
    assert 'formaction="' + url + '?lang=en"' in html and 'name="switch_language" value="en"' in html
    answers = filled_form(definition, choice=1)
    english = client.post(f"{url}?lang=en", data=form_fields_of(html) | answers | {"switch_language": "en"})
    page = english.get_data(as_text=True)
    assert english.status_code == 200 and ">Send</button>" in page and 'id="error-summary"' not in page
    rated = field_name(definition.question("C1_1"))
    assert f'name="{rated}" value="{answers[rated]}" checked' in page
    assert db.session.scalar(select(func.count()).select_from(Response)) == 0
    # Back to Vietnamese, the same way, with the answers still there; then it is sent.
    back = client.post(f"{url}?lang=vi", data=form_fields_of(page) | answers | {"switch_language": "vi"})
    assert "Gửi phiếu" in back.get_data(as_text=True)
    assert f'name="{rated}" value="{answers[rated]}" checked' in back.get_data(as_text=True)
    assert client.post(url, data=form_fields_of(back.get_data(as_text=True)) | answers).status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Response)) == 1


@pytest.mark.parametrize(
    ("code", "told"), [("SIPAS-2017", "27 câu hỏi, khoảng 5 phút"), ("SIPAS-2023", "71 câu hỏi, khoảng 12 phút")]
)
def test_the_first_screen_tells_the_real_length(client, make_campaign, ward, code, told) -> None:
    campaign = make_campaign([code], [ward])
    page = client.get(f"/r/{campaign.id}/{code}/21172").get_data(as_text=True)
    head, questions = page.split("<form", 1)
    assert f'<p class="length">{told}</p>' in head  # on the first screen, before any question
    assert f'<span class="qnum">{told.split()[0]}.</span>' in questions  # as many as are numbered


def test_a_template_form_s_note_to_officers_is_never_shown_to_respondents(
    client, auth, officer, surveyor, make_campaign, ward
) -> None:
    """CX4's notice tells the province to adapt the questions and points before use: a citizen
    reading it would take the form for a draft. The officer sees it on the campaign page."""
    campaign = make_campaign(["CX4", "SIPAS-2017"], [ward, *ward.children])
    note = "là mẫu để tỉnh điều chỉnh"
    assert note in campaign.questionnaire_by_code("CX4").definition.notice.vi
    assert note not in client.get(f"/r/{campaign.id}/CX4/21172-T01").get_data(as_text=True)
    sipas = client.get(f"/r/{campaign.id}/SIPAS-2017/21172").get_data(as_text=True)
    assert campaign.questionnaire_by_code("SIPAS-2017").definition.notice.vi[:40] in sipas  # not a template
    auth.login("dtv1")
    assert note not in client.get(f"/field/enter/{campaign.id}/CX4/21172-T01").get_data(as_text=True)
    auth.login("canbo")
    page = client.get(f"/admin/campaigns/{campaign.id}").get_data(as_text=True)
    assert "Mẫu phiếu CX4 là phiếu mẫu: tỉnh điều chỉnh câu hỏi" in page


def test_phones_get_the_whole_page_from_gunicorn_s_workers_each_with_its_own_key(live_server, sipas) -> None:
    """Over real HTTP, two workers each remembering the page's beginning: every compressed page
    is whole, carries a key of its own, and the key stores its answer."""
    definition, url = sipas
    host, port = live_server.removeprefix("http://").split(":")
    keys = []
    for _phone in range(8):
        connection = http.client.HTTPConnection(host, int(port), timeout=10)
        connection.request("GET", url, headers=GZIP)
        reply = connection.getresponse()
        assert reply.status == 200 and reply.getheader("Content-Encoding") == "gzip"
        page = gzip.decompress(reply.read()).decode()
        connection.close()
        assert page.rstrip().endswith("</html>") and "Gửi phiếu" in page
        keys.append(form_key_of(page))
    assert len(set(keys)) == 8
    body = urllib.parse.urlencode({"form_key": keys[-1]} | filled_form(definition)).encode()
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    connection.request("POST", url, body, {"Content-Type": "application/x-www-form-urlencoded"})
    assert connection.getresponse().status == 302


def fetch(live_server: str, path: str, headers: dict[str, str] | None = None) -> str:
    """A page over real HTTP, on a connection of its own (gunicorn's sync workers close each one)."""
    host, port = live_server.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    connection.request("GET", path, headers=headers or {})
    page = connection.getresponse().read().decode()
    connection.close()
    return page


@pytest.mark.parametrize("page", ["questionnaire", "thank-you page"])
def test_a_script_name_header_sent_to_gunicorn_plants_nothing_in_the_page_every_phone_gets(
    live_server, sipas, page
) -> None:
    # gunicorn takes SCRIPT_NAME from a header when the peer is a proxy on its host (loopback
    # here, as Caddy, Traefik or HAProxy, which pass header names with "_", would be).
    _definition, url = sipas
    address = url if page == "questionnaire" else url.rsplit("/", 2)[0] + "/thanks"
    for _worker in range(4):  # both workers, whichever answers
        planted = fetch(live_server, f"//attacker.example{address}", {"SCRIPT_NAME": "//attacker.example"})
        assert "//attacker.example" in planted  # the attacker's own page only
    for _phone in range(6):
        assert "attacker.example" not in fetch(live_server, address)
