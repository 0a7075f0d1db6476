"""Reminding the units that have not submitted their self-assessment, on the officer's round
page: who is missing with their standing, days left and accounts; the reminder list (CSV) and
the text per unit; recording a reminder (audited) and seeing when each unit was last reminded."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import AuditAction, AuditEntry, SelfAssessment, Unit, UserRole
from surveyapp.services.self_assessments import submit_self_assessment
from tests.conftest import PUBLIC_BASE_URL, existing_account
from tests.helpers import PASSWORD, csrf_token_of
from tests.web.test_self_assessment import complete_all_but, open_round, the_assessment


@pytest.fixture
def district(app, ward) -> Unit:
    """A district with two communes: Xã An Ninh has an account and scored two items, Xã Bình
    Minh has none; the ward (with its account) submitted."""
    district = Unit(code="200", name="Huyện Thử", kind="huyện")
    district.children.extend(
        [Unit(code="20101", name="Xã An Ninh", kind="xã"), Unit(code="20102", name="Xã Bình Minh", kind="xã")]
    )
    district.children.append(ward)
    db.session.add(district)
    db.session.commit()
    return district


@pytest.fixture
def assessment_round(criteria_sets, district, ward, unit_account, officer):
    assessment_round = open_round(criteria_sets["CCHC-XA"], district, days=5)
    an_ninh = db.session.scalar(select(Unit).filter_by(code="20101"))
    existing_account(
        username="anninh",
        full_name="Văn phòng UBND xã An Ninh",
        password=PASSWORD,
        role=UserRole.UNIT,
        assessed_unit=an_ninh,
    )
    items = [item.code for item in criteria_sets["CCHC-XA"].definition.self_assessed]
    complete_all_but(the_assessment(assessment_round, an_ninh), *items[2:])
    done = the_assessment(assessment_round, ward)
    complete_all_but(done)
    submit_self_assessment(done)
    db.session.commit()
    return assessment_round


def round_page(client, assessment_round) -> str:
    return client.get(f"/admin/rounds/{assessment_round.id}").get_data(as_text=True)


def test_the_officer_sees_the_missing_units_with_their_standing_deadline_and_accounts(
    client, auth, assessment_round
) -> None:
    auth.login("canbo")
    page = round_page(client, assessment_round)
    missing = page.split('id="missing"', 1)[1].split('id="appraisers"', 1)[0]
    assert "Đơn vị chưa gửi bản tự đánh giá (2)" in page
    assert "Xã An Ninh" in missing and "Xã Bình Minh" in missing and "Phường Trương Quang Trọng" not in missing
    assert "Đang tự đánh giá" in missing and "2/45" in missing and "còn 5 ngày" in missing
    assert "Văn phòng UBND xã An Ninh (anninh)" in missing and "Chưa có tài khoản" in missing
    assert "Chưa nhắc" in missing
    # The text to send, with the deadline and where to log in.
    assert "Kính gửi Xã An Ninh: đơn vị chưa gửi bản tự đánh giá của Chỉ số CCHC năm nay" in missing
    assert f"đăng nhập tại {PUBLIC_BASE_URL}/login" in missing and "bằng tài khoản anninh" in missing


def test_the_reminder_list_downloads_as_csv_with_vietnamese_headers(client, auth, assessment_round) -> None:
    auth.login("canbo")
    response = client.get(f"/admin/rounds/{assessment_round.id}/reminders.csv")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == [
        "Mã đơn vị",
        "Đơn vị",
        "Tình trạng",
        "Số tiêu chí đã hoàn thành",
        "Tổng số tiêu chí tự chấm",
        "Hạn tự đánh giá",
        "Tài khoản",
        "Nội dung nhắc",
    ]
    assert [row[:5] for row in rows[1:]] == [
        ["20101", "Xã An Ninh", "Đang tự đánh giá", "2", "45"],
        ["20102", "Xã Bình Minh", "Chưa bắt đầu", "0", "45"],
    ]
    due = assessment_round.self_assessment_due_on
    assert rows[1][5] == f"{due:%d/%m/%Y}" and rows[1][6] == "Văn phòng UBND xã An Ninh (anninh)"
    assert "Hạn tự đánh giá là ngày" in rows[1][7]
    assert db.session.scalar(select(AuditEntry.action).order_by(AuditEntry.id.desc())) is AuditAction.EXPORTED


def test_recording_a_reminder_is_audited_and_shown_on_the_page(client, auth, assessment_round) -> None:
    auth.login("canbo")
    an_ninh = db.session.scalar(select(SelfAssessment).join(Unit).filter(Unit.code == "20101"))
    token = csrf_token_of(round_page(client, assessment_round))
    url = f"/admin/rounds/{assessment_round.id}/reminders"

    response = client.post(url, data={"csrf_token": token, "assessment_ids": [str(an_ninh.id)]})

    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Đã ghi nhận nhắc 1 đơn vị." in page
    rows = page.split('id="missing"', 1)[1].split("<tr>")
    an_ninh_row = next(row for row in rows if "Xã An Ninh" in row)
    binh_minh_row = next(row for row in rows if "Xã Bình Minh" in row)
    assert "Chưa nhắc" not in an_ninh_row and "Chưa nhắc" in binh_minh_row
    entry = db.session.scalar(select(AuditEntry).filter_by(action=AuditAction.REMINDERS_SENT))
    assert entry.actor == "canbo" and entry.details == {"round_id": assessment_round.id, "units": ["20101"]}


def test_reminding_a_submitted_unit_or_nobody_is_refused_and_nothing_is_recorded(
    client, auth, assessment_round, ward
) -> None:
    auth.login("canbo")
    submitted = the_assessment(assessment_round, ward)
    url = f"/admin/rounds/{assessment_round.id}/reminders"
    for ids, message in (
        ([str(submitted.id)], f"bản tự đánh giá số {submitted.id} không thuộc kỳ đánh giá này hoặc đã được gửi"),
        ([], "Hãy chọn ít nhất một đơn vị đã được nhắc."),
    ):
        token = csrf_token_of(round_page(client, assessment_round))
        client.post(url, data={"csrf_token": token, "assessment_ids": ids})
        assert message in round_page(client, assessment_round)
    assert db.session.scalar(select(AuditEntry).filter_by(action=AuditAction.REMINDERS_SENT)) is None
    db.session.rollback()
    assert all(assessment.reminded_at is None for assessment in db.session.scalars(select(SelfAssessment)))
