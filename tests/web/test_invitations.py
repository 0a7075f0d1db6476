"""Invitations to the sample: the message text, the message lists for a gateway, and sending."""

from __future__ import annotations

import csv
import io
import logging
import re
import time
import urllib.parse
import zipfile
from dataclasses import astuple
from html import unescape

import pytest
from sqlalchemy import select

from surveyapp import create_app
from surveyapp.extensions import db
from surveyapp.models import AuditAction, AuditEntry, Campaign
from surveyapp.services.frames import import_frame
from surveyapp.services.invitations import normalise_phone, sms_length
from surveyapp.services.samples import draw_sample
from surveyapp.services.senders import LOGGER_NAME
from tests.helpers import SECRET_KEY, csrf_token_of
from tests.web.test_sampling_frame import officer_page, ward_campaign  # noqa: F401 (fixtures)
from tests.web.test_served_downloads import served  # noqa: F401 (fixture)

PEOPLE = 1000
HEADER = ["Mã hồ sơ", "Lĩnh vực", "Mã đơn vị", "Ngày tiếp nhận", "Ngày trả kết quả", "Trạng thái", "Người nộp"]
BAD_PHONES = {10: "024 3825 1234", 20: "12345"}  # a landline and a typing slip


def phone_of(number: int) -> str:
    """Phones as one-stop systems write them: with 0, +84 or 84, spaces and dots."""
    return BAD_PHONES.get(number) or ("0912 ", "+84 913.", "84914")[number % 3] + f"{number:06d}"


def frame_csv() -> bytes:
    rows = [[*HEADER, "Số điện thoại"]]
    for number in range(1, PEOPLE + 1):
        rows.append(
            [
                f"HS-{number:05d}",
                "Hộ tịch",
                "21172-T01",
                "01/10/2026",
                "05/10/2026",
                "Đã trả kết quả",
                f"Người nộp {number}",
                phone_of(number),
            ]
        )
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode()


@pytest.fixture
def sampled(client, officer_page, ward_campaign) -> str:  # noqa: F811 (fixtures)
    """A frame of 1,000 people of one group drawn whole (sample and reserves): the page's URL."""
    url, upload = officer_page
    assert "Đã nhập 1.000 hồ sơ" in upload(frame_csv()).get_data(as_text=True)
    token = csrf_token_of(client.get(url).get_data(as_text=True))
    client.post(
        f"{url}/draw",
        data={
            "draw-csrf_token": token,
            "draw-questionnaire_id": ward_campaign.questionnaires[0].id,
            "draw-seed": "s",
            "draw-reserve_per_unit": str(PEOPLE),
        },
    )
    return url


def read_zip(body: bytes) -> dict[str, list[dict[str, str]]]:
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        return {
            name: list(csv.DictReader(io.StringIO(archive.read(name).decode("utf-8-sig"), newline="")))
            for name in archive.namelist()
        }


def audit(action: AuditAction) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).filter_by(action=action)))


def test_the_officer_gets_the_sms_list_of_1000_people_in_one_step(client, sampled) -> None:
    token = csrf_token_of(client.get(sampled).get_data(as_text=True))
    started = time.perf_counter()
    sent = client.post(f"{sampled}/links", data={"csrf_token": token, "kind": "sms"})
    elapsed = time.perf_counter() - started

    assert sent.status_code == 200 and sent.headers["Cache-Control"] == "no-store"
    assert re.search(r"attachment; filename=tin-nhan-sms-dot-\d+-\d{8}\.zip", sent.headers["Content-Disposition"])
    files = read_zip(sent.data)
    messages = next(rows for name, rows in files.items() if name.endswith("_sms.csv"))
    refused = next(rows for name, rows in files.items() if name.endswith("_khong-gui-duoc.csv"))
    assert len(messages) == PEOPLE - len(BAD_PHONES) and list(messages[0]) == ["phone", "message"]
    assert all(re.fullmatch(r"84(912|913|914)\d{6}", row["phone"]) for row in messages)
    assert len({row["phone"] for row in messages}) == len(messages)
    first = messages[0]["message"]
    assert first.startswith("Tổ dân phố") and "mời Ông/Bà đánh giá" in first and "khoảng" in first
    # Each message ends with the person's own working link.
    link = re.search(r"https?://\S+(/r/link/\S+)$", first).group(1)
    opened = client.get(link)
    assert opened.status_code == 200 and "đã được sử dụng" not in opened.get_data(as_text=True)
    assert len({re.search(r"/r/link/\S+$", row["message"]).group(0) for row in messages}) == len(messages)
    assert sorted(row["Số điện thoại"] for row in refused) == sorted(BAD_PHONES.values())
    assert all("không phải số điện thoại di động" in row["Lý do không gửi được"] for row in refused)
    assert all("/r/link/" in row["Đường dẫn trả lời"] for row in refused)
    # Audited with counts only, next to the links issued.
    [listed] = audit(AuditAction.INVITATIONS_LISTED)
    assert listed.details == {"form": "sms", "messages": PEOPLE - 2, "refused": 2}
    assert audit(AuditAction.LINKS_ISSUED)[0].details == {"issued": PEOPLE}
    assert "Tải danh sách tin nhắn mời trả lời" in client.get("/admin/audit").get_data(as_text=True)
    assert elapsed < 30, f"{elapsed:.1f} s for {PEOPLE} messages"


def test_a_new_list_replaces_the_links_of_the_last_one(client, sampled) -> None:
    token = csrf_token_of(client.get(sampled).get_data(as_text=True))
    first = read_zip(client.post(f"{sampled}/links", data={"csrf_token": token, "kind": "zalo"}).data)
    zalo = next(rows for name, rows in first.items() if name.endswith("_zalo.csv"))
    assert list(zalo[0]) == ["phone", "name", "message", "link"]
    assert all(row["phone"] == normalise_phone(phone_of(int(row["name"].removeprefix("Người nộp ")))) for row in zalo)
    assert zalo[0]["message"].endswith(zalo[0]["link"])
    old_link = re.search(r"/r/link/\S+$", zalo[0]["link"]).group(0)
    assert "đã được sử dụng" not in client.get(old_link).get_data(as_text=True)

    client.post(f"{sampled}/links", data={"csrf_token": token, "kind": "sms"})
    assert "Đường dẫn này đã được sử dụng" in client.get(old_link).get_data(as_text=True)


def invitation_post(client, url: str, text: str, *, preview: bool = False):
    token = csrf_token_of(client.get(url).get_data(as_text=True))
    data = {"invitation-csrf_token": token, "invitation-text": text}
    if preview:
        data["invitation-preview"] = "Xem trước"
    return client.post(f"{url}/invitation", data=data, follow_redirects=True)


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("Mời {ten} trả lời: {duong_dan}", "Không có trường {ten}."),
        ("Mời {ho_ten!r} trả lời: {duong_dan}", "Không có trường {ho_ten!r}."),
        ("Mời Ông/Bà trả lời phiếu", "phải có trường {duong_dan}"),
        ("Mời Ông/Bà trả lời {duong_dan", "Dấu ngoặc { } không cân đối"),
        ("x" * 1001 + "{duong_dan}", "dài quá 1000 ký tự"),
    ],
)
def test_a_bad_invitation_text_is_refused_and_shown_back(client, officer_page, ward_campaign, text, error) -> None:  # noqa: F811
    url, _upload = officer_page
    refused = invitation_post(client, url, text)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422 and error in html
    assert f"{text}</textarea>" in unescape(html)  # as typed
    assert db.session.get(Campaign, ward_campaign.id).invitation_text is None


def test_the_invitation_text_is_previewed_with_its_sms_length_then_saved(client, officer_page, ward_campaign) -> None:  # noqa: F811
    url, _upload = officer_page
    # The default text is Vietnamese with diacritics: UCS-2, 70 characters a message.
    assert "162 ký tự UCS-2: 3 tin nhắn SMS" in client.get(url).get_data(as_text=True)
    ascii_text = "Moi {ho_ten} danh gia: {duong_dan}"
    previewed = invitation_post(client, url, ascii_text, preview=True).get_data(as_text=True)
    assert "Moi Nguyễn Văn An danh gia: " in previewed and "/r/link/xxxxxxxx" in previewed
    assert db.session.get(Campaign, ward_campaign.id).invitation_text is None

    saved = invitation_post(client, url, "Moi ong/ba danh gia: {duong_dan}").get_data(as_text=True)
    assert "Đã lưu nội dung tin nhắn mời trả lời." in saved and "ký tự GSM-7: 1 tin nhắn SMS" in saved
    assert db.session.get(Campaign, ward_campaign.id).invitation_text == "Moi ong/ba danh gia: {duong_dan}"


class RefusingGateway:
    """A province's gateway that accepts every phone but one (what ``MESSAGE_SENDER`` names)."""

    def send(self, phone: str, text: str) -> None:
        if phone == "84912000003":
            raise ConnectionError("the gateway is down")


def test_a_configured_sender_sends_and_logs_no_token(app, client, sampled, caplog) -> None:
    assert "gửi tin nhắn qua tổng đài" not in client.get(sampled).get_data(as_text=True)
    app.config["MESSAGE_SENDER"] = "log"
    page = client.get(sampled).get_data(as_text=True)
    assert "gửi tin nhắn qua tổng đài" in page
    with caplog.at_level(logging.INFO, logger=LOGGER_NAME):
        sent = client.post(f"{sampled}/send", data={"csrf_token": csrf_token_of(page)})
    logged = [record.getMessage() for record in caplog.records if record.name == LOGGER_NAME]
    assert len(logged) == PEOPLE - len(BAD_PHONES)
    # Neither the token nor the whole phone: the log is no list of who was sampled.
    assert all(re.fullmatch(r"message to 8491…\d{3}: .*/r/link/<redacted>", line) for line in logged)
    # The people it cannot reach come back once, with their links; the audit holds counts only.
    assert "attachment" in sent.headers["Content-Disposition"]
    assert len(list(csv.reader(io.StringIO(sent.get_data(as_text=True).lstrip("\ufeff"))))) == 1 + len(BAD_PHONES)
    assert audit(AuditAction.INVITATIONS_SENT)[0].details == {"sent": PEOPLE - 2, "failed": 0}
    assert "Gửi tin nhắn mời trả lời qua tổng đài" in client.get("/admin/audit").get_data(as_text=True)


def test_a_sender_that_cannot_be_imported_stops_the_service_at_start() -> None:
    with pytest.raises(ValueError, match=re.escape("MESSAGE_SENDER: cannot import 'tinnhan.khong_co:Gateway'")):
        create_app({"SECRET_KEY": SECRET_KEY, "TESTING": True, "MESSAGE_SENDER": "tinnhan.khong_co:Gateway"})


def test_what_the_gateway_refuses_is_listed_with_its_link(app, client, sampled) -> None:
    app.config["MESSAGE_SENDER"] = "tests.web.test_invitations:RefusingGateway"
    sent = client.post(
        f"{sampled}/send", data={"csrf_token": csrf_token_of(client.get(sampled).get_data(as_text=True))}
    )
    rows = list(csv.DictReader(io.StringIO(sent.get_data(as_text=True).lstrip("\ufeff"))))
    assert len(rows) == 3
    [down] = [row for row in rows if row["Lý do không gửi được"] == "tổng đài không nhận tin nhắn"]
    assert down["Số điện thoại"] == "84912000003" and "/r/link/" in down["Đường dẫn trả lời"]
    assert audit(AuditAction.INVITATIONS_SENT)[0].details == {"sent": PEOPLE - 3, "failed": 1}


def test_without_a_sender_nothing_is_sent_and_no_link_issued(client, sampled) -> None:
    page = client.post(
        f"{sampled}/send", data={"csrf_token": csrf_token_of(client.get(sampled).get_data(as_text=True))}
    )
    assert page.status_code == 302
    assert "Chưa cấu hình tổng đài" in client.get(sampled).get_data(as_text=True)
    assert audit(AuditAction.LINKS_ISSUED) == [] and audit(AuditAction.INVITATIONS_SENT) == []


@pytest.mark.parametrize(
    ("written", "normalised"),
    [
        ("0912345678", "84912345678"),
        ("+84 912 345 678", "84912345678"),
        ("84-912-345-678", "84912345678"),
        ("(+84) 35.123.4567", "84351234567"),
        ("0243 825 1234", None),  # a landline takes no SMS
        ("091234567", None),
        ("0612345678", None),
        ("", None),
    ],
)
def test_phones_are_read_as_vietnamese_mobile_numbers(written, normalised) -> None:
    assert normalise_phone(written) == normalised


@pytest.mark.parametrize(
    ("text", "encoding", "characters", "segments"),
    [
        ("a" * 160, "GSM-7", 160, 1),
        ("a" * 161, "GSM-7", 161, 2),
        ("a" * 153 * 2 + "a", "GSM-7", 307, 3),
        ("[x]" + "a" * 155, "GSM-7", 160, 1),  # brackets take two places each
        ("ạ" * 70, "UCS-2", 70, 1),
        ("ạ" * 71, "UCS-2", 71, 2),
        ("Phường " + "a" * 130, "UCS-2", 137, 3),
    ],
)
def test_the_sms_length_is_counted_as_gateways_count_it(text, encoding, characters, segments) -> None:
    assert astuple(sms_length(text)) == (encoding, characters, segments)


def test_the_message_list_arrives_whole_from_gunicorn(served) -> None:  # noqa: F811 (fixture)
    officer, campaign_id = served
    campaign = db.session.get_one(Campaign, campaign_id)
    rows = [[*HEADER, "Số điện thoại"]] + [
        [f"HS-{n}", "Hộ tịch", "21172", "01/10/2026", "05/10/2026", "Đã trả kết quả", f"Người {n}", phone_of(n)]
        for n in range(1, 41)
    ]
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    import_frame(campaign, "khung.csv", out.getvalue().encode(), skip_bad_rows=False)
    draw_sample(campaign, campaign.questionnaires[0], "s", 40)
    db.session.commit()

    token = csrf_token_of(officer.get(f"/admin/campaigns/{campaign_id}/sample")[1].decode())
    form = urllib.parse.urlencode({"csrf_token": token, "kind": "zalo"}).encode()
    with officer.opener.open(f"{officer.base_url}/admin/campaigns/{campaign_id}/sample/links", data=form) as reply:
        assert reply.headers["Content-Type"] == "application/zip" and reply.headers["Cache-Control"] == "no-store"
        files = read_zip(reply.read())
    zalo = next(rows for name, rows in files.items() if name.endswith("_zalo.csv"))
    refused = next(rows for name, rows in files.items() if name.endswith("_khong-gui-duoc.csv"))
    assert (len(zalo), len(refused)) == (38, 2)
    assert all(row["message"].startswith("Phường Trương Quang Trọng mời Ông/Bà") for row in zalo)
