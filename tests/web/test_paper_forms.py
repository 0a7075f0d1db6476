"""Batches of numbered paper forms printed from the questionnaire, each serial typed in once."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from sqlalchemy import func, select

from surveyapp.extensions import db
from surveyapp.i18n import localized
from surveyapp.models import AuditAction, AuditEntry, PaperBatch, Response, SpentSerial, User
from surveyapp.questionnaires.answers import RESPONDENT_GROUP_FIELD
from surveyapp.services.collection import get_collection_point
from surveyapp.services.paper_forms import SerialSpent, check_character, new_print_key, print_batch, spend_serial
from tests.helpers import PASSWORD, at_once, csrf_token_of, filled_form, form_fields_of, submit
from tests.served import Visitor

SERIAL = re.compile(r"Số sê-ri: <strong>([^<]+)</strong>")
PRINT_KEY = re.compile(r'name="print_key" value="([^"]+)"')


@pytest.fixture
def ward_campaign(make_campaign, ward):
    """An open PAR campaign over the ward and its residential groups (CX4: businesses, citizens)."""
    return make_campaign(["CX4"], [ward, *ward.children])


def batch_form_fields(html: str) -> dict[str, str]:
    """The hidden fields of a batch form: its CSRF token and its one-time print key."""
    return {"csrf_token": csrf_token_of(html), "print_key": PRINT_KEY.search(html)[1]}


def print_forms(client, campaign, unit_code: str = "21172-T01", **form: str):
    url = f"/field/paper/{campaign.id}/CX4/{unit_code}"
    return client.post(url, data=batch_form_fields(client.get(url).get_data(as_text=True)) | form)


def printed_serials(page) -> list[str]:
    return SERIAL.findall(page.get_data(as_text=True))


def test_a_surveyor_prints_a_batch_of_numbered_forms_from_the_questionnaire(
    client, auth, surveyor, ward_campaign
) -> None:
    auth.login("dtv1")
    page = print_forms(client, ward_campaign, forms="3", respondent_group="citizen")

    assert page.status_code == 200
    assert "no-store" in page.headers["Cache-Control"]  # the one copy of the serials
    html = page.get_data(as_text=True)
    serials = printed_serials(page)
    assert len(serials) == 3 and len(set(serials)) == 3
    assert all(re.fullmatch(r"21172-T01-1-[1-3]-[A-Z2-9]{9}", serial) for serial in serials)
    assert html.count('class="sheet"') == 3 and "paper_forms.css" in html
    assert "Tổ dân phố 1" in html and "Người dân" in html
    definition = ward_campaign.questionnaires[0].definition
    for question in definition.questions:  # the import template's column names
        assert f'<span class="code">{question.code}</span>' in html
    first_choice = definition.questions[0].choices[0]
    assert f'<span class="box"></span> {localized(first_choice.label)}' in html
    assert html.count("<svg") == 3  # a QR code per form
    assert '<span class="code">Lĩnh vực</span>' in html and '<span class="box"></span> Đất đai' in html
    batch = db.session.scalar(select(PaperBatch))
    assert (batch.number, batch.forms, batch.respondent_group, batch.unit.code) == (1, 3, "citizen", "21172-T01")
    entry = db.session.scalar(select(AuditEntry).filter_by(action=AuditAction.PAPER_BATCH_PRINTED))
    assert entry.actor == "dtv1" and entry.details["forms"] == 3


def test_batches_are_numbered_within_the_campaign(client, auth, officer, ward_campaign) -> None:
    auth.login("canbo")
    first = print_forms(client, ward_campaign, forms="1").get_data(as_text=True)
    second = printed_serials(print_forms(client, ward_campaign, "21172-T02", forms="2"))
    assert [serial.rsplit("-", 1)[0] for serial in second] == ["21172-T02-2-1", "21172-T02-2-2"]
    assert '<span class="code">Đối tượng</span>' in first  # no group chosen: boxes for each, as imported
    assert '<span class="box"></span> Người dân có giao dịch với UBND cấp xã</li>' in first


@pytest.mark.parametrize(
    ("forms", "group", "message"),
    [
        ("0", "", "Số phiếu cần in phải từ 1 đến 500; đã nhập 0."),
        ("501", "", "Số phiếu cần in phải từ 1 đến 500; đã nhập 501."),
        ("ba", "", "Số phiếu cần in phải là một số nguyên."),
        ("2", "student", "Nhóm người trả lời «student» không có trong phiếu. Các nhóm: business, citizen."),
    ],
)
def test_a_batch_asked_wrongly_is_refused_with_a_message(
    client, auth, officer, ward_campaign, forms, group, message
) -> None:
    auth.login("canbo")
    page = print_forms(client, ward_campaign, forms=forms, respondent_group=group)
    assert page.status_code == 422 and message in page.get_data(as_text=True)
    assert db.session.scalar(select(PaperBatch)) is None


def test_a_surveyor_cannot_print_for_a_unit_outside_their_assignment(client, auth, surveyor, ward_campaign) -> None:
    auth.login("dtv1")
    assert client.get(f"/field/paper/{ward_campaign.id}/CX4/21172-T02").status_code == 403


def test_the_qr_code_opens_the_entry_page_with_the_serial_and_group_filled_in(
    client, auth, surveyor, ward_campaign
) -> None:
    auth.login("dtv1")
    [serial] = printed_serials(print_forms(client, ward_campaign, forms="1", respondent_group="citizen"))

    html = client.get(f"/field/enter/{ward_campaign.id}/CX4/21172-T01?serial={serial}").get_data(as_text=True)

    assert f'name="serial" autocomplete="off"\n        value="{serial}"' in html
    assert f'name="{RESPONDENT_GROUP_FIELD}"' not in html  # printed on the form: not asked
    assert "Nhóm người trả lời (in trên phiếu): <strong>Người dân" in html


def test_a_serial_typed_in_lower_case_with_spaces_is_the_printed_one(client, auth, surveyor, ward_campaign) -> None:
    auth.login("dtv1")
    [serial] = printed_serials(print_forms(client, ward_campaign, forms="1"))
    url = f"/field/enter/{ward_campaign.id}/CX4/21172-T01"
    answers = {**filled_form(ward_campaign.questionnaires[0].definition), "mode": "paper"}

    assert submit(client, url, answers | {"serial": f" {serial.lower()} "}).status_code == 302
    again = submit(client, url, answers | {"serial": serial})

    assert again.status_code == 422 and "đã được nhập trước đó" in again.get_data(as_text=True)


def test_a_serial_is_typed_in_once_and_the_response_row_does_not_name_it(client, auth, surveyor, ward_campaign) -> None:
    auth.login("dtv1")
    [serial] = printed_serials(print_forms(client, ward_campaign, forms="1", respondent_group="citizen"))
    url = f"/field/enter/{ward_campaign.id}/CX4/21172-T01"
    answers = {**filled_form(ward_campaign.questionnaires[0].definition), "mode": "paper", "serial": serial}
    del answers[RESPONDENT_GROUP_FIELD]

    assert submit(client, url, answers).status_code == 302
    again = submit(client, url, answers)

    assert again.status_code == 422
    assert f"Phiếu giấy số sê-ri {serial} đã được nhập trước đó; mỗi phiếu chỉ được nhập một lần." in again.get_data(
        as_text=True
    )
    [response] = db.session.scalars(select(Response))
    assert response.respondent_group == "citizen"  # the batch's group
    row = db.session.execute(select(Response.__table__)).one()._asdict()
    dumped = repr(row)
    assert serial not in dumped and serial.rsplit("-", 1)[1] not in dumped
    [spent] = db.session.scalars(select(SpentSerial))
    assert serial not in spent.digest and len(spent.digest) == 64
    assert set(SpentSerial.__table__.columns.keys()) == {"digest"}


def test_a_mistyped_serial_is_refused_and_cannot_count_a_form_twice(client, auth, surveyor, ward_campaign) -> None:
    """The random part is stored nowhere, so a typo in it would look like another form: the check
    character catches one character typed wrong and two neighbours swapped."""
    auth.login("dtv1")
    [serial] = printed_serials(print_forms(client, ward_campaign, forms="1"))
    url = f"/field/enter/{ward_campaign.id}/CX4/21172-T01"
    answers = {**filled_form(ward_campaign.questionnaires[0].definition), "mode": "paper"}
    assert submit(client, url, answers | {"serial": serial}).status_code == 302
    random_part = len(serial) - 9
    typed_wrong = [
        serial[:position] + ("B" if serial[position] != "B" else "C") + serial[position + 1 :]
        for position in range(random_part, len(serial))
    ]
    swapped = [
        serial[:position] + serial[position + 1] + serial[position] + serial[position + 2 :]
        for position in range(random_part, len(serial) - 1)
        if serial[position] != serial[position + 1]
    ]
    for mistyped in typed_wrong + swapped:
        page = submit(client, url, answers | {"serial": mistyped})
        assert page.status_code == 422 and "có ký tự bị gõ nhầm" in page.get_data(as_text=True), mistyped
    assert db.session.scalar(select(func.count()).select_from(Response)) == 1


def test_the_entry_page_does_not_say_whether_a_serial_was_typed_in(client, auth, officer, ward_campaign) -> None:
    """Whoever knows who got which paper must not learn the moment it is typed in (and so which
    new response is theirs) by opening the entry page with its serial: only storing says it."""
    auth.login("canbo")
    [typed, waiting] = printed_serials(print_forms(client, ward_campaign, forms="2"))
    url = f"/field/enter/{ward_campaign.id}/CX4/21172-T01"
    answers = {**filled_form(ward_campaign.questionnaires[0].definition), "mode": "paper"}
    assert submit(client, url, answers | {"serial": typed}).status_code == 302

    client.get(url)  # the page after storing, with its "saved" notice
    serials = (typed, waiting)
    pages = [client.get(f"{url}?serial={serial}") for serial in serials]
    assert [page.status_code for page in pages] == [200, 200]
    seen = [form_key_free(page.get_data(as_text=True)).replace(s, "") for page, s in zip(pages, serials, strict=True)]
    assert seen[0] == seen[1]
    assert submit(client, url, answers | {"serial": typed}).status_code == 422  # storing still refuses it


def form_key_free(html: str) -> str:
    """A page without its one-time keys, which differ on every page."""
    return re.sub(r'name="(form_key|csrf_token)" value="[^"]*"', "", html)


def checked(serial: str) -> str:
    """``serial`` with its check character, as a batch would print it."""
    return serial + check_character(serial)


@pytest.mark.parametrize(
    ("serial", "message"),
    [
        ("21172-T01-1-1", "không đúng dạng in trên phiếu"),
        (checked("21172-T01-9-1-ABCDEFGH"), "không thuộc lô phiếu giấy nào đã in cho đơn vị và mẫu phiếu này"),
        (checked("21172-T01-1-5-ABCDEFGH"), "không thuộc lô phiếu giấy nào đã in cho đơn vị và mẫu phiếu này"),
        (checked("21172-T01-1-01-ABCDEFGH"), "không đúng dạng in trên phiếu"),  # one spelling per form
        (checked("21172-T01-1-\u0661-ABCDEFGH"), "không đúng dạng in trên phiếu"),  # an Arabic-Indic 1
    ],
)
def test_a_serial_no_batch_printed_is_refused_and_the_answers_kept(
    client, auth, surveyor, ward_campaign, serial, message
) -> None:
    auth.login("dtv1")
    print_forms(client, ward_campaign, forms="2")
    url = f"/field/enter/{ward_campaign.id}/CX4/21172-T01"
    answers = {**filled_form(ward_campaign.questionnaires[0].definition), "mode": "paper", "serial": serial}

    page = submit(client, url, answers)

    assert page.status_code == 422 and message in page.get_data(as_text=True)
    assert db.session.scalar(select(Response)) is None


def test_a_serial_of_another_unit_is_refused(client, auth, officer, ward_campaign) -> None:
    auth.login("canbo")
    [serial] = printed_serials(print_forms(client, ward_campaign, "21172-T02", forms="1"))
    url = f"/field/enter/{ward_campaign.id}/CX4/21172-T01"
    page = submit(client, url, {**filled_form(ward_campaign.questionnaires[0].definition), "serial": serial})
    assert page.status_code == 422 and db.session.scalar(select(Response)) is None


def test_the_officer_sees_forms_printed_and_typed_in_per_unit(client, auth, officer, ward_campaign) -> None:
    auth.login("canbo")
    [serial, _other] = printed_serials(print_forms(client, ward_campaign, forms="2", respondent_group="business"))
    print_forms(client, ward_campaign, forms="5")
    url = f"/field/enter/{ward_campaign.id}/CX4/21172-T01"
    submit(client, url, {**filled_form(ward_campaign.questionnaires[0].definition), "mode": "paper", "serial": serial})

    html = client.get(f"/admin/campaigns/{ward_campaign.id}/paper-forms").get_data(as_text=True)

    row = html.split('<th scope="rowgroup">Tổ dân phố 1</th>', 1)[1].split("</tr>", 1)[0]
    assert "<td>2 lô</td>" in row
    # printed, handed out, returned, typed in
    assert re.findall(r'<td class="num">(\d+)</td>', row) == ["7", "0", "0", "1"]
    assert f"/field/paper/{ward_campaign.id}/CX4/21172-T02" in html


def test_batches_printed_at_the_same_moment_take_different_numbers(app, officer, ward_campaign) -> None:
    """Each thread has its own application context, session and connection (as gunicorn's
    workers do), waits at a barrier, then prints a batch and commits."""
    printers = 6
    campaign_id, officer_id = ward_campaign.id, officer.id  # read here: the test's session is not the threads'

    def print_one(wait: Callable[[], object]) -> None:
        point = get_collection_point(campaign_id, "CX4", "21172-T01")
        wait()
        print_batch(point, None, 2, new_print_key(), db.session.get(User, officer_id))
        db.session.commit()

    outcomes = at_once(app, printers, print_one)

    assert outcomes == [None] * printers, outcomes
    db.session.expire_all()
    assert sorted(db.session.scalars(select(PaperBatch.number))) == list(range(1, printers + 1))


def test_the_audit_log_names_a_printed_batch(client, auth, officer, ward_campaign) -> None:
    auth.login("canbo")
    print_forms(client, ward_campaign, forms="4")
    html = client.get(f"/admin/audit?campaign={ward_campaign.id}").get_data(as_text=True)
    assert "In lô phiếu giấy có số sê-ri" in html


def test_the_store_refuses_a_serial_spent_already(app) -> None:
    """What stops the second of two entries that both passed the check before storing (two
    surveyors at once): the digest's unique key, in the response's transaction, which the
    entry page then rolls back."""
    spend_serial("21172-T01-1-1-ABCDEFGH")
    with pytest.raises(SerialSpent):
        spend_serial("21172-T01-1-1-ABCDEFGH")


def test_the_served_log_never_holds_a_serial(gunicorn, surveyor, ward_campaign) -> None:
    """Served as in production: a batch printed, its form opened by the QR code's address and typed in."""
    server = gunicorn()
    fetch = Visitor(server).fetch

    page = fetch("/login")
    fetch("/login", {"username": "dtv1", "password": PASSWORD, "csrf_token": csrf_token_of(page)})
    batch_url = f"/field/paper/{ward_campaign.id}/CX4/21172-T01"
    printed = fetch(batch_url, batch_form_fields(fetch(batch_url)) | {"forms": "1", "respondent_group": ""})
    [serial] = SERIAL.findall(printed)
    entry_url = f"/field/enter/{ward_campaign.id}/CX4/21172-T01?serial={serial}"
    answers = {**filled_form(ward_campaign.questionnaires[0].definition), "mode": "paper"}
    assert "Đã lưu phiếu" in fetch(entry_url, form_fields_of(fetch(entry_url)) | answers)

    log = server.log()
    assert f"/field/enter/{ward_campaign.id}/CX4/21172-T01" in log
    assert serial.rsplit("-", 1)[1] not in log


def test_a_form_kept_on_the_phone_with_its_serial_is_typed_in_once_too(client, auth, surveyor, ward_campaign) -> None:
    auth.login("dtv1")
    [serial] = printed_serials(print_forms(client, ward_campaign, forms="1", respondent_group="citizen"))
    batch = client.get(f"/field/keys/{ward_campaign.id}/CX4/21172-T01").json
    answers = {**filled_form(ward_campaign.questionnaires[0].definition), "mode": "paper", "serial": serial}
    answers |= {"csrf_token": batch["csrf_token"], RESPONDENT_GROUP_FIELD: "business"}

    def send(key: str, **changes: str) -> dict:
        return client.post(
            f"/field/send/{ward_campaign.id}/CX4/21172-T01", data=answers | {"form_key": key} | changes
        ).json

    assert send(batch["keys"][0]) == {"result": "stored"}
    again = send(batch["keys"][1])
    unknown = send(batch["keys"][2], serial=checked("21172-T01-7-1-ABCDEFGH"))

    assert again["result"] == "refused" and "đã được nhập trước đó" in again["reason"]
    assert unknown["result"] == "refused" and "không thuộc lô phiếu giấy nào" in unknown["reason"]
    [response] = db.session.scalars(select(Response))
    assert response.respondent_group == "citizen", "the group printed on the form, not the one posted"
