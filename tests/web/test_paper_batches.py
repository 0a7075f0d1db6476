"""A paper batch's life after printing: a resent print page prints nothing, a lost batch is
voided, and the officer records per batch the forms handed out and returned."""

from __future__ import annotations

import io
import re
from collections.abc import Callable

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from surveyapp.extensions import db
from surveyapp.models import AuditAction, AuditEntry, PaperBatch, Response, Unit, User, UserRole
from surveyapp.races import retried_after_a_race
from surveyapp.services.audit import local_time
from surveyapp.services.collection import get_collection_point
from surveyapp.services.paper_forms import BatchPrintedAlready, new_print_key, print_batch
from surveyapp.services.users import create_user
from tests.helpers import PASSWORD, at_once, csrf_token_of, filled_form, submit
from tests.test_pdf import read_pdf
from tests.web.test_paper_forms import SERIAL, batch_form_fields, checked, print_forms, printed_serials


@pytest.fixture
def ward_campaign(make_campaign, ward):
    """An open PAR campaign over the ward and its residential groups (CX4: businesses, citizens)."""
    return make_campaign(["CX4"], [ward, *ward.children])


def batches() -> list[PaperBatch]:
    db.session.expire_all()
    return list(db.session.scalars(select(PaperBatch).order_by(PaperBatch.number)))


def audited(action: AuditAction) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).filter_by(action=action).order_by(AuditEntry.id)))


def paper_forms_page(client, campaign) -> str:
    return client.get(f"/admin/campaigns/{campaign.id}/paper-forms").get_data(as_text=True)


def void(client, campaign, number: int, reason: str, **extra: str):
    token = csrf_token_of(client.get("/field/").get_data(as_text=True))
    data = {"csrf_token": token, "reason": reason, **extra}
    return client.post(f"/field/paper/{campaign.id}/batches/{number}/void", data=data)


def hand_out(client, campaign, number: int, **fields: str):
    token = csrf_token_of(paper_forms_page(client, campaign))
    url = f"/admin/campaigns/{campaign.id}/paper-forms/{number}/hand-out"
    return client.post(url, data={"csrf_token": token} | fields)


def type_in(client, campaign, serial: str, unit_code: str = "21172-T01"):
    url = f"/field/enter/{campaign.id}/CX4/{unit_code}"
    answers = {**filled_form(campaign.questionnaires[0].definition), "mode": "paper", "serial": serial}
    return submit(client, url, answers)


def unit_row(html: str, unit_name: str) -> list[str]:
    """The unit's totals: printed, handed out, returned, typed in."""
    row = html.split(f'<th scope="rowgroup">{unit_name}</th>', 1)[1].split("</tr>", 1)[0]
    return re.findall(r'<td class="num">(\d+)</td>', row)


# A print page sent again (F5 on the print page, or back and send)


def test_a_print_page_sent_again_prints_nothing_and_says_which_batch_was_printed_when(
    client, auth, surveyor, ward_campaign
) -> None:
    auth.login("dtv1")
    url = f"/field/paper/{ward_campaign.id}/CX4/21172-T01"
    form = batch_form_fields(client.get(url).get_data(as_text=True)) | {"forms": "3", "respondent_group": ""}
    first = client.post(url, data=form)
    assert first.status_code == 200 and len(printed_serials(first)) == 3

    again = client.post(url, data=form)  # what the browser resends on F5

    html = again.get_data(as_text=True)
    [batch] = batches()
    at = local_time(batch.created_at)
    assert again.status_code == 409
    assert f"Lô số 1 đã được in lúc {at:%H:%M} ngày {at:%d/%m/%Y}" in html
    assert "không thể hiện lại trang in của lô số 1" in html and "hủy lô số 1 rồi in lô mới" in html
    assert not SERIAL.findall(html) and 'class="sheet"' not in html  # the serials are shown once
    assert f'action="/field/paper/{ward_campaign.id}/batches/1/void"' in html
    assert len(audited(AuditAction.PAPER_BATCH_PRINTED)) == 1


def test_a_batch_form_without_its_one_time_key_prints_nothing(client, auth, surveyor, ward_campaign) -> None:
    auth.login("dtv1")
    url = f"/field/paper/{ward_campaign.id}/CX4/21172-T01"
    token = csrf_token_of(client.get(url).get_data(as_text=True))

    for key in ("", "x" * 22 + "'", "short"):
        page = client.post(url, data={"csrf_token": token, "print_key": key, "forms": "2"})
        assert page.status_code == 422
        assert "Trang in lô đã cũ hoặc không đầy đủ" in page.get_data(as_text=True)
    assert batches() == []


def test_each_batch_form_shown_prints_its_own_batch(client, auth, surveyor, ward_campaign) -> None:
    """A refusal shows the form again with a fresh key; two forms opened print two batches."""
    auth.login("dtv1")
    refused = print_forms(client, ward_campaign, forms="0")
    retried = client.post(
        f"/field/paper/{ward_campaign.id}/CX4/21172-T01",
        data=batch_form_fields(refused.get_data(as_text=True)) | {"forms": "2"},
    )
    print_forms(client, ward_campaign, forms="1")

    assert refused.status_code == 422 and retried.status_code == 200
    assert [(batch.number, batch.forms) for batch in batches()] == [(1, 2), (2, 1)]


def test_the_same_batch_form_sent_twice_at_once_prints_one_batch(app, officer, ward_campaign) -> None:
    """A double click: two requests with the same key, each in its own application context,
    session and connection (as gunicorn's workers), print at the same moment, as the view does."""
    senders = 4
    campaign_id, officer_id, key = ward_campaign.id, officer.id, new_print_key()

    def send(wait: Callable[[], object]) -> object:
        point = get_collection_point(campaign_id, "CX4", "21172-T01")
        printed_by = db.session.get(User, officer_id)
        wait()
        try:
            printed = retried_after_a_race(lambda: print_batch(point, None, 2, key, printed_by))
        except BatchPrintedAlready as error:
            return f"printed already: {error.batch.number}"
        db.session.commit()
        return len(printed.serials)

    outcomes = at_once(app, senders, send)

    assert sorted(map(str, outcomes)) == ["2", *["printed already: 1"] * (senders - 1)]
    assert [batch.number for batch in batches()] == [1]


# Voiding a batch


def test_a_surveyor_voids_their_lost_batch_and_its_serials_are_refused(client, auth, surveyor, ward_campaign) -> None:
    auth.login("dtv1")
    [serial, other] = printed_serials(print_forms(client, ward_campaign, forms="2"))
    page = client.get(f"/field/paper/{ward_campaign.id}/CX4/21172-T01").get_data(as_text=True)
    assert "Hủy lô số 1" in page

    done = void(client, ward_campaign, 1, "  Thất lạc khi đi thu phiếu  ")

    assert done.status_code == 302 and done.location == f"/field/paper/{ward_campaign.id}/CX4/21172-T01"
    [batch] = batches()
    assert batch.is_voided and batch.void_reason == "Thất lạc khi đi thu phiếu"
    [entry] = audited(AuditAction.PAPER_BATCH_VOIDED)
    assert entry.actor == "dtv1" and entry.details == {"unit": "21172-T01", "batch": 1, "reason": batch.void_reason}
    refused = type_in(client, ward_campaign, serial)
    assert refused.status_code == 422
    assert (
        f"Số sê-ri «{serial}» thuộc lô số 1, lô đã hủy (Thất lạc khi đi thu phiếu): phiếu của lô này không được nhập."
        in refused.get_data(as_text=True)
    )
    assert db.session.scalar(select(func.count()).select_from(Response)) == 0
    listed = client.get(f"/field/paper/{ward_campaign.id}/CX4/21172-T01").get_data(as_text=True)
    assert "<strong>đã hủy</strong> (Thất lạc khi đi thu phiếu)" in listed and "Hủy lô số 1" not in listed
    assert other  # the batch's other form is refused alike: the check is the batch's


def test_a_serial_of_a_voided_batch_kept_on_the_phone_is_refused_on_arrival(
    client, auth, surveyor, ward_campaign
) -> None:
    auth.login("dtv1")
    [serial] = printed_serials(print_forms(client, ward_campaign, forms="1"))
    void(client, ward_campaign, 1, "In lỗi")
    keys = client.get(f"/field/keys/{ward_campaign.id}/CX4/21172-T01").json
    answers = {**filled_form(ward_campaign.questionnaires[0].definition), "mode": "paper", "serial": serial}

    sent = client.post(
        f"/field/send/{ward_campaign.id}/CX4/21172-T01",
        data=answers | {"csrf_token": keys["csrf_token"], "form_key": keys["keys"][0]},
    ).json

    assert sent["result"] == "refused" and "lô đã hủy (In lỗi)" in sent["reason"]


@pytest.mark.parametrize(("reason", "message"), [("   ", "Lý do hủy lô: bắt buộc"), ("x" * 501, "tối đa 500 ký tự")])
def test_a_batch_is_not_voided_without_a_reason(client, auth, surveyor, ward_campaign, reason, message) -> None:
    auth.login("dtv1")
    print_forms(client, ward_campaign, forms="1")
    done = void(client, ward_campaign, 1, reason)
    assert message in client.get(done.location).get_data(as_text=True)
    assert not batches()[0].is_voided and audited(AuditAction.PAPER_BATCH_VOIDED) == []


def test_a_batch_is_voided_once(client, auth, officer, ward_campaign) -> None:
    auth.login("canbo")
    print_forms(client, ward_campaign, forms="1")
    void(client, ward_campaign, 1, "Thất lạc")
    again = void(client, ward_campaign, 1, "In lỗi")
    assert "Lô số 1 đã hủy trước đó." in client.get(again.location).get_data(as_text=True)
    assert batches()[0].void_reason == "Thất lạc" and len(audited(AuditAction.PAPER_BATCH_VOIDED)) == 1


def test_a_surveyor_voids_only_the_batches_they_printed(client, auth, surveyor, officer, ward_campaign) -> None:
    """The officer printed batch 1 for the surveyor's own group: the surveyor may not void it; a
    second surveyor of the same group may not void the first's batch either."""
    auth.login("canbo")
    print_forms(client, ward_campaign, forms="1")
    create_user(
        username="dtv3",
        full_name="Điều tra viên 3",
        password=PASSWORD,
        role=UserRole.SURVEYOR,
        units=[surveyor.assigned_units[0]],
    )
    db.session.commit()
    auth.login("dtv1")
    assert "Hủy lô số 1" not in client.get(f"/field/paper/{ward_campaign.id}/CX4/21172-T01").get_data(as_text=True)
    assert void(client, ward_campaign, 1, "Thất lạc").status_code == 403
    print_forms(client, ward_campaign, forms="1")
    auth.login("dtv3")
    assert void(client, ward_campaign, 2, "Thất lạc").status_code == 403
    assert void(client, ward_campaign, 9, "Thất lạc").status_code == 404
    assert not any(batch.is_voided for batch in batches())


def test_the_officer_voids_from_the_paper_forms_page_and_the_counts_keep_it_apart(
    client, auth, surveyor, officer, ward_campaign
) -> None:
    auth.login("dtv1")
    print_forms(client, ward_campaign, forms="5")
    print_forms(client, ward_campaign, forms="3")
    auth.login("canbo")

    done = void(client, ward_campaign, 1, "Thất lạc", return_to="paper_forms")

    assert done.location == f"/admin/campaigns/{ward_campaign.id}/paper-forms"
    html = paper_forms_page(client, ward_campaign)
    assert "Đã hủy lô số 1" in html
    assert unit_row(html, "Tổ dân phố 1") == ["3", "0", "0", "0"]  # printed: batch 2 only
    assert "<td>1 lô (5 phiếu)</td>" in html  # voided, apart
    assert re.search(r"Đã hủy ngày \d\d/\d\d/\d{4}: Thất lạc", html)
    assert "Toàn đợt: đã in 3 phiếu" in html and "lô đã hủy: 1 lô (5 phiếu)" in html


# Handing out and returns


def test_the_officer_records_forms_handed_out_and_returned_per_batch(client, auth, officer, ward_campaign) -> None:
    auth.login("canbo")
    [serial, *_rest] = printed_serials(print_forms(client, ward_campaign, forms="10"))
    print_forms(client, ward_campaign, forms="4")
    print_forms(client, ward_campaign, "21172-T02", forms="6")
    type_in(client, ward_campaign, serial)

    done = hand_out(client, ward_campaign, 1, handed_out="8", handed_to=" Nguyễn Văn An ", returned="5")
    hand_out(client, ward_campaign, 2, handed_out="4", handed_to="", returned="")
    hand_out(client, ward_campaign, 3, handed_out="6", returned="6")

    assert done.status_code == 302
    first, second, _third = batches()
    assert (first.handed_out, first.handed_to, first.returned) == (8, "Nguyễn Văn An", 5)
    assert (second.handed_out, second.handed_to, second.returned) == (4, None, 0)
    entries = audited(AuditAction.PAPER_BATCH_COUNTED)
    assert len(entries) == 3 and entries[0].details == {
        "unit": "21172-T01",
        "batch": 1,
        "handed_out": 8,
        "returned": 5,
        "handed_to": "Nguyễn Văn An",
    }
    html = paper_forms_page(client, ward_campaign)
    assert unit_row(html, "Tổ dân phố 1") == ["14", "12", "5", "1"]
    assert unit_row(html, "Tổ dân phố 2") == ["6", "6", "6", "0"]
    assert "<td>Nguyễn Văn An</td>" in html
    total = html.split("<tfoot>", 1)[1].split("</tfoot>", 1)[0]
    assert re.findall(r'<td class="num">(\d+)</td>', total) == ["20", "18", "11", "1"]
    assert "Toàn đợt: đã in 20 phiếu, đã phát 18, đã thu về 11, đã nhập 1 phiếu giấy" in html
    assert "không ghi phiếu nào đến từ lô nào" in html  # why typed-in is per unit only


def test_the_officer_downloads_the_table_of_batches(client, auth, officer, ward_campaign) -> None:
    auth.login("canbo")
    print_forms(client, ward_campaign, forms="10", respondent_group="citizen")
    print_forms(client, ward_campaign, forms="3")
    hand_out(client, ward_campaign, 1, handed_out="8", handed_to="=HYPERLINK(1)", returned="5")
    void(client, ward_campaign, 2, "In lỗi")

    response = client.get(f"/admin/campaigns/{ward_campaign.id}/paper-forms.xlsx")

    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    rows = [list(row) for row in load_workbook(io.BytesIO(response.data)).active.iter_rows(values_only=True)]
    assert rows[0][:2] == ["Mã đơn vị", "Đơn vị"] and rows[0][6:11] == [
        "Đã in",
        "Đã phát",
        "Người nhận",
        "Đã thu về",
        "Phiếu giấy đã nhập",
    ]
    unit, first, second, total = rows[1:]
    assert unit[:2] == ["21172-T01", "Tổ dân phố 1"] and unit[6:] == [10, 8, None, 5, 0, "1 lô (3 phiếu)"]
    citizens = "Người dân có giao dịch với UBND cấp xã"  # the group's name, never its code
    assert first[2:5] == [1, "CX4", citizens] and first[6:10] == [10, 8, "'=HYPERLINK(1)", 5]
    assert second[2] == 2 and second[6] is None and second[11].endswith(": In lỗi")
    assert total[1] == "Toàn đợt" and total[6:10] == [10, 8, None, 5]
    page = paper_forms_page(client, ward_campaign)
    assert f'href="/admin/campaigns/{ward_campaign.id}/paper-forms.xlsx"' in page
    assert f"CX4 · {citizens}</span>" in page and "citizen" not in page


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"handed_out": "11", "returned": "0"},
            "Số phiếu đã phát: phải từ 0 đến 10 (số phiếu đã in của lô 1); đã nhập 11.",
        ),
        ({"handed_out": "4", "returned": "5"}, "Số phiếu đã thu về: phải từ 0 đến 4 (số phiếu đã phát); đã nhập 5."),
        ({"handed_out": "-1", "returned": "0"}, "Số phiếu đã phát: phải là một số nguyên không âm; đã nhập «-1»."),
        ({"handed_out": "", "returned": "0"}, "Số phiếu đã phát: phải là một số nguyên không âm; đã nhập «»."),
        ({"handed_out": "4", "returned": "ba"}, "Số phiếu đã thu về: phải là một số nguyên không âm; đã nhập «ba»."),
        ({"handed_out": "4", "handed_to": "x" * 201}, "Người nhận phiếu: tối đa 200 ký tự."),
    ],
)
def test_counts_that_do_not_add_up_are_refused_naming_the_field(
    client, auth, officer, ward_campaign, fields, message
) -> None:
    auth.login("canbo")
    print_forms(client, ward_campaign, forms="10")
    hand_out(client, ward_campaign, 1, handed_out="2", returned="1")

    page = hand_out(client, ward_campaign, 1, **({"handed_to": "Trần Thị Bình"} | fields))

    html = page.get_data(as_text=True)
    assert page.status_code == 422 and message in html
    kept = html.split('id="lo-1"', 1)[1].split("</tr>", 1)[0]
    assert "<details open>" in kept and f'value="{fields["handed_out"]}"' in kept  # what was typed, shown again
    [batch] = batches()
    assert (batch.handed_out, batch.returned, batch.handed_to) == (2, 1, None)  # nothing stored
    assert len(audited(AuditAction.PAPER_BATCH_COUNTED)) == 1


def test_a_voided_batch_takes_no_hand_out(client, auth, officer, ward_campaign) -> None:
    auth.login("canbo")
    print_forms(client, ward_campaign, forms="3")
    void(client, ward_campaign, 1, "In lỗi")
    page = hand_out(client, ward_campaign, 1, handed_out="3", returned="0")
    assert page.status_code == 422 and "Lô số 1 đã hủy: không ghi phát, thu phiếu cho lô đã hủy." in page.get_data(
        as_text=True
    )
    assert batches()[0].handed_out is None


# A matrix questionnaire (one sheet rates several units): batches for the whole campaign


@pytest.fixture
def district_campaign(make_campaign, surveyor):
    """A campaign of CH3 (commune officials rate each department of the district on one sheet);
    the surveyor is assigned to the district."""
    district = Unit(code="D99", name="Huyện Thử", kind="huyện")
    district.children.extend(Unit(code=f"D99-P{n}", name=f"Phòng {n}", kind="phòng chuyên môn") for n in (1, 2, 3))
    db.session.add(district)
    surveyor.assigned_units.append(district)
    return make_campaign(["CH3"], list(district.children))


def test_a_matrix_questionnaire_prints_a_campaign_batch_with_a_grid_per_question(
    client, auth, surveyor, district_campaign
) -> None:
    auth.login("dtv1")
    url = f"/field/paper/{district_campaign.id}/CH3"
    form = client.get(url).get_data(as_text=True)
    assert "mỗi phiếu đánh giá cả 3 đơn vị" in form

    page = client.post(url, data=batch_form_fields(form) | {"forms": "2"})

    html = page.get_data(as_text=True)
    serials = printed_serials(page)
    assert page.status_code == 200 and len(serials) == 2
    assert all(re.fullmatch(r"CH3-1-[12]-[A-Z2-9]{9}", serial) for serial in serials)
    definition = district_campaign.questionnaires[0].definition
    per_unit = [q for section in definition.sections if section.per_unit for q in section.questions]
    sheet = html.split('<section class="sheet">')[1]
    assert sheet.count('<table class="grid">') == len(per_unit)
    grid = sheet.split('<table class="grid">')[1].split("</table>")[0]
    assert [re.sub(r"\s+", " ", row) for row in re.findall(r'<th scope="row">([^<]+)<span', grid)] == [
        "Phòng 1 ",
        "Phòng 2 ",
        "Phòng 3 ",
    ]
    assert grid.count('<td><span class="box"></span></td>') == 3 * len(per_unit[0].choices)
    for option in per_unit[0].choices:
        assert f'<span class="code">{option.value}</span></th>' in grid
    [batch] = batches()
    assert batch.unit is None and batch.respondent_group == "commune_official"
    assert html.count("<svg") == 2


def test_a_matrix_form_typed_in_by_its_serial_stores_one_answer_per_unit_once(
    client, auth, surveyor, officer, district_campaign
) -> None:
    auth.login("dtv1")
    url = f"/field/paper/{district_campaign.id}/CH3"
    [serial] = printed_serials(
        client.post(url, data=batch_form_fields(client.get(url).get_data(as_text=True)) | {"forms": "1"})
    )
    entry = f"/field/enter/{district_campaign.id}/CH3"
    units = ["D99-P1", "D99-P2", "D99-P3"]
    answers = filled_form(district_campaign.questionnaires[0].definition, units) | {"mode": "paper", "serial": serial}

    assert f'value="{serial}"' in client.get(f"{entry}?serial={serial}").get_data(as_text=True)
    assert submit(client, entry, answers).status_code == 302
    again = submit(client, entry, answers)
    another_unit = checked("D99-P1" + serial.removeprefix("CH3")[:-1])  # as a unit's batch would print it
    wrong_prefix = submit(client, entry, answers | {"serial": another_unit})

    assert again.status_code == 422 and "đã được nhập trước đó" in again.get_data(as_text=True)
    assert wrong_prefix.status_code == 422 and "không thuộc lô phiếu giấy nào" in wrong_prefix.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Response)) == 3  # one form, three units
    auth.login("canbo")
    html = paper_forms_page(client, district_campaign)
    assert unit_row(html, "Phiếu CH3 dạng bảng (cả đợt)") == ["1", "0", "0", "1"]  # one form typed in, not three


def test_a_matrix_batch_is_voided_and_its_serials_refused(client, auth, surveyor, district_campaign) -> None:
    auth.login("dtv1")
    url = f"/field/paper/{district_campaign.id}/CH3"
    [serial] = printed_serials(
        client.post(url, data=batch_form_fields(client.get(url).get_data(as_text=True)) | {"forms": "1"})
    )
    done = void(client, district_campaign, 1, "In lỗi")
    entry = f"/field/enter/{district_campaign.id}/CH3"
    answers = filled_form(district_campaign.questionnaires[0].definition, ["D99-P1", "D99-P2", "D99-P3"])

    refused = submit(client, entry, answers | {"mode": "paper", "serial": serial})

    assert done.location == url
    assert refused.status_code == 422 and "lô đã hủy (In lỗi)" in refused.get_data(as_text=True)


def test_a_matrix_batch_comes_as_a_pdf_within_its_own_limit(client, auth, surveyor, district_campaign) -> None:
    """CH3 about 3 departments: 7 per-unit questions thrice and a shared one, 22 answers a form
    (240 in one PDF: 10 forms)."""
    auth.login("dtv1")
    url = f"/field/paper/{district_campaign.id}/CH3"
    form = client.get(url).get_data(as_text=True)
    definition = district_campaign.questionnaires[0].definition
    limit = 240 // definition.answer_count(3)
    assert f"tối đa {limit} phiếu của mẫu này" in form

    download = client.post(url, data=batch_form_fields(form) | {"forms": "2", "format": "pdf"})

    assert download.headers["Content-Disposition"] == "attachment; filename=phieu-giay-CH3-lo-1.pdf"
    _sizes, text = read_pdf(download.get_data())
    assert len(re.findall(r"Số sê-ri: CH3-1-[12]-[A-Z2-9]{9}", text)) == 2
    assert text.count("D99-P3") == 2 * len([q for s in definition.sections if s.per_unit for q in s.questions])
