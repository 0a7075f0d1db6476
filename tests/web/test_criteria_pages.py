"""Officers' criteria set and assessment round pages, over HTTP through the test client."""

from __future__ import annotations

import datetime as dt
import shutil

from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import AssessmentRound, RoundStage
from surveyapp.services.criteria_sets import sync_criteria_sets
from tests.conftest import CRITERIA_DIR, FORMS_DIR
from tests.helpers import csrf_token_of


def test_the_catalogue_lists_each_set_with_its_total_and_criteria(client, auth, officer, criteria_sets) -> None:
    auth.login("canbo")
    page = client.get("/admin/criteria").get_data(as_text=True)
    assert "CCHC-XA" in page and "CCHC-SO" in page
    assert "Bộ chỉ số cải cách hành chính cấp xã (mẫu)" in page
    assert page.count("Bộ mẫu, tỉnh điều chỉnh trước khi dùng") == 2
    assert ">95<" in page and ">84<" in page  # criteria and sub-criteria of each


def test_a_sets_page_shows_its_criteria_points_methods_targets_and_departments(
    client, auth, officer, criteria_sets
) -> None:
    auth.login("canbo")
    page = client.get(f"/admin/criteria/{criteria_sets['CCHC-XA'].id}").get_data(as_text=True)
    assert "Bộ mẫu:" in page
    assert 'id="criterion-2.1.1"' in page and "Thực hiện các hoạt động về TĐTHPL" in page
    assert "Tư pháp - Hộ tịch" in page  # the leading department of 2.1.1 (seed 004)
    assert "Trên 99% hồ sơ TTHC" in page  # the target of 3.3.1
    assert "tiêu chí thành phần của phiếu: 1.1" in page  # 1.1.2 takes the survey's 1.1
    assert "từ 90%: 4 điểm" in page and "điểm tối đa × SIPAS / 100" in page
    assert "Quyết định 766/QĐ-TTg" in page
    assert "Điểm thưởng, điểm trừ" in page and "cộng tối đa 2 điểm, trừ tối đa 3 điểm" in page


def post(client, url: str, page_url: str, data: dict):
    token = csrf_token_of(client.get(page_url).get_data(as_text=True))
    return client.post(url, data=data | {"csrf_token": token})


def test_an_officer_creates_a_round_moves_it_and_opens_self_assessment(
    client, auth, officer, ward, criteria_sets, tmp_path
) -> None:
    auth.login("canbo")
    today = dt.date.today()
    form = {
        "name": "Chỉ số CCHC phường năm 2025",
        "year": "2025",
        "criteria_set_id": str(criteria_sets["CCHC-XA"].id),
        "parent_unit_id": str(ward.id),
        "self_assessment_opens_on": today.isoformat(),
        "self_assessment_due_on": (today + dt.timedelta(days=20)).isoformat(),
    }
    response = post(client, "/admin/rounds/new", "/admin/rounds/new", form)
    assessment_round = db.session.scalar(select(AssessmentRound))
    assert response.status_code == 302 and response.headers["Location"] == f"/admin/rounds/{assessment_round.id}"
    url = f"/admin/rounds/{assessment_round.id}"
    page = client.get(url).get_data(as_text=True)
    assert "Đang chuẩn bị" in page and "Phường Trương Quang Trọng" in page and "Đơn vị được đánh giá (1)" in page
    assert "chưa có phiên bản nào khác" in page

    # The province approves its set in December: version 2 arrives and the round moves to it.
    shutil.copy(CRITERIA_DIR / "CCHC-XA.v1.yaml", tmp_path)
    text = (CRITERIA_DIR / "CCHC-XA.v1.yaml").read_text(encoding="utf-8").replace("version: 1\n", "version: 2\n", 1)
    (tmp_path / "CCHC-XA.v2.yaml").write_text(text, encoding="utf-8")
    version_2 = next(s for s in sync_criteria_sets(tmp_path, FORMS_DIR) if s.version == 2)
    db.session.commit()
    response = post(client, f"{url}/move", url, {"criteria_set_id": str(version_2.id)})
    assert response.status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert "Kỳ đánh giá đã chuyển sang CCHC-XA phiên bản 2." in page

    response = post(client, f"{url}/open", url, {})
    assert response.status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert "Đã mở tự đánh giá." in page and "Đang tự đánh giá" in page
    assert "Chuyển sang phiên bản này" not in page  # no more moving
    db.session.rollback()
    assert db.session.get(AssessmentRound, assessment_round.id).stage is RoundStage.SELF_ASSESSMENT
    listing = client.get("/admin/rounds").get_data(as_text=True)
    assert "Chỉ số CCHC phường năm 2025" in listing and "CCHC-XA v2" in listing


def test_a_round_form_with_a_due_date_before_its_start_is_refused_and_nothing_stored(
    client, auth, officer, ward, criteria_sets
) -> None:
    auth.login("canbo")
    form = {
        "name": "Chỉ số CCHC phường năm 2025",
        "year": "2025",
        "criteria_set_id": str(criteria_sets["CCHC-XA"].id),
        "parent_unit_id": str(ward.id),
        "self_assessment_opens_on": "2025-12-01",
        "self_assessment_due_on": "2025-11-01",
    }
    page = post(client, "/admin/rounds/new", "/admin/rounds/new", form).get_data(as_text=True)
    assert "Hạn tự đánh giá không được trước ngày bắt đầu tự đánh giá." in page
    assert 'value="Chỉ số CCHC phường năm 2025"' in page  # what was typed is kept
    assert db.session.scalar(select(AssessmentRound)) is None
