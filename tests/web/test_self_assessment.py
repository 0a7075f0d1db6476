"""Units' self-assessment in a round, over HTTP through the test client: scoring an item with
evidence or a reason, what is refused (and kept as typed), submitting, the locks, the officer's
list, returning and typing in; and the round's units frozen when self-assessment opens."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import (
    AuditAction,
    AuditEntry,
    EvidenceFile,
    SelfAssessment,
    SelfAssessmentStatus,
    SelfScore,
    Unit,
    UserRole,
)
from surveyapp.services.assessment_rounds import RoundDraft, create_round, open_self_assessment
from surveyapp.services.evidence import upload_evidence
from surveyapp.services.self_assessments import ScoreDraft, get_assessment, save_score
from tests.conftest import existing_account
from tests.helpers import PASSWORD, csrf_token_of

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def open_round(criteria_set, parent: Unit, *, days: int = 10):
    today, due = dt.date.today(), dt.date.today() + dt.timedelta(days=days)
    assessment_round = create_round(
        RoundDraft("Chỉ số CCHC năm nay", today.year, criteria_set.id, parent.id, today, due)
    )
    open_self_assessment(assessment_round)
    db.session.commit()
    return assessment_round


@pytest.fixture
def assessment_round(criteria_sets, ward):
    """A round of the commune set in which the ward assesses itself, open for self-assessment."""
    return open_round(criteria_sets["CCHC-XA"], ward)


@pytest.fixture
def plan(ward, unit_account) -> EvidenceFile:
    """The ward's evidence file: its PAR plan."""
    evidence = upload_evidence(ward, "Kế hoạch CCHC năm 2025", "ke-hoach.pdf", io.BytesIO(PDF), by=unit_account)
    db.session.commit()
    return evidence


def page_url(assessment_round) -> str:
    return f"/unit/rounds/{assessment_round.id}"


def save_item(client, url: str, code: str, **fields):
    """Post the form of item ``code`` from the page at ``url`` (unit's or officer's)."""
    token = csrf_token_of(client.get(url).get_data(as_text=True))
    prefix = f"item-{code}-"
    data = {f"{prefix}csrf_token": token, "csrf_token": token}
    data |= {f"{prefix}{name}": value for name, value in fields.items()}
    return client.post(f"{url}/items/{code}", data=data)


def post(client, url: str, page: str, data: dict | None = None):
    token = csrf_token_of(client.get(page).get_data(as_text=True))
    return client.post(url, data=(data or {}) | {"csrf_token": token})


def the_assessment(assessment_round, unit) -> SelfAssessment:
    db.session.rollback()  # see what the requests committed
    return get_assessment(assessment_round.id, unit.id)


def complete_all_but(assessment: SelfAssessment, *left_out: str, typing_in: bool = False) -> None:
    """Score every self-assessed item but ``left_out`` with a reason (as if typed over days)."""
    for item in assessment.assessment_round.criteria_set.definition.self_assessed:
        if item.code not in left_out:
            draft = ScoreDraft("0.5", "Đạt một phần", (), "Chưa số hóa hồ sơ")
            save_score(assessment, item.code, draft, typing_in=typing_in)
    db.session.commit()


def test_a_unit_scores_an_item_with_evidence_and_sees_its_progress(
    client, auth, unit_account, ward, assessment_round, plan
) -> None:
    auth.login("phuong")
    home = client.get("/unit/").get_data(as_text=True)
    assert "Chỉ số CCHC năm nay" in home and "Chưa bắt đầu" in home and "0/45 tiêu chí" in home
    page = client.get(page_url(assessment_round)).get_data(as_text=True)
    assert "Đã hoàn thành 0/45 tiêu chí tự chấm." in page and "còn 10 ngày" in page
    assert "Điểm tính từ kết quả điều tra xã hội học, đơn vị không tự chấm." in page  # 1.1.2
    assert 'name="item-1.1.2-points"' not in page
    assert '<a href="#item-1.1.1">' in page  # listed as missing

    response = save_item(
        client,
        page_url(assessment_round),
        "1.1.1",
        points="1,25",
        explanation="Hoàn thành 100% nhiệm vụ",
        evidence_ids=str(plan.id),
    )
    assert response.status_code == 302
    page = client.get(page_url(assessment_round)).get_data(as_text=True)
    assert "Đã lưu tiêu chí 1.1.1." in page
    assert "Đã hoàn thành 1/45 tiêu chí tự chấm." in page and "1,25 / " in page
    assert "Hoàn thành 1/7 tiêu chí tự chấm · 1,25/" in page  # area 1
    assert '<a href="#item-1.1.1">' not in page
    score = db.session.scalar(select(SelfScore).filter_by(code="1.1.1"))
    assert score.points == 1.25 and [file.id for file in score.evidence] == [plan.id]
    entry = db.session.scalar(select(AuditEntry).filter_by(action=AuditAction.SELF_SCORE_SAVED))
    assert entry.actor == "phuong" and entry.details["before"] is None
    assert entry.details["after"]["points"] == 1.25 and entry.details["after"]["evidence"] == [plan.id]

    # The cited file cannot be deleted from under the citation.
    response = post(client, f"/unit/evidence/{plan.id}/delete", "/unit/evidence")
    assert "đang được trích dẫn cho tiêu chí 1.1.1" in client.get("/unit/evidence").get_data(as_text=True)
    assert db.session.get(EvidenceFile, plan.id) is not None


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("1,5", "Điểm của tiêu chí 1.1.1 (1,5) vượt điểm tối đa 1,25."),
        ("0,3", "Điểm của tiêu chí 1.1.1 (0,3) phải chấm theo bước 0,25 điểm."),
        ("-1", "Điểm của tiêu chí 1.1.1 không được âm."),
        ("nhiều", "Điểm của tiêu chí 1.1.1 phải là một số."),
    ],
)
def test_points_out_of_bounds_are_refused_naming_the_item_and_keeping_what_was_typed(
    client, auth, unit_account, ward, assessment_round, plan, typed, message
) -> None:
    auth.login("phuong")
    fields = {"points": typed, "explanation": "Giải thích dài", "evidence_ids": str(plan.id)}
    response = save_item(client, page_url(assessment_round), "1.1.1", **fields)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and f'<p class="error" role="alert">{message}</p>' in page
    assert f'name="item-1.1.1-points" type="text" value="{typed}"' in page and "Giải thích dài" in page
    assert f'value="{plan.id}" checked' in page
    assert db.session.scalar(select(SelfScore)) is None


def test_citing_another_units_evidence_is_refused(client, auth, unit_account, ward, assessment_round) -> None:
    other = Unit(code="21175", name="Phường Đồng Sơn", kind="phường")
    db.session.add(other)
    db.session.flush()
    stranger = existing_account(
        username="dongson", full_name="Đồng Sơn", password=PASSWORD, role=UserRole.UNIT, assessed_unit=other
    )
    theirs = upload_evidence(other, "Của phường khác", "khac.pdf", io.BytesIO(PDF), by=stranger)
    db.session.commit()
    auth.login("phuong")
    response = save_item(client, page_url(assessment_round), "1.1.1", points="1", evidence_ids=str(theirs.id))
    assert f"Tài liệu số {theirs.id} không có trong tài liệu kiểm chứng của đơn vị." in response.get_data(as_text=True)
    assert db.session.scalar(select(SelfScore)) is None


def test_another_units_account_neither_sees_nor_edits_the_self_assessment(
    client, auth, unit_account, ward, assessment_round
) -> None:
    other = Unit(code="21175", name="Phường Đồng Sơn", kind="phường")
    db.session.add(other)
    db.session.commit()
    account = {"username": "dongson", "full_name": "Đồng Sơn", "password": PASSWORD}
    existing_account(**account, role=UserRole.UNIT, assessed_unit=other)
    auth.login("dongson")
    assert client.get(page_url(assessment_round)).status_code == 404
    token = csrf_token_of(client.get("/unit/").get_data(as_text=True))
    response = client.post(
        f"{page_url(assessment_round)}/items/1.1.1", data={"csrf_token": token, "item-1.1.1-points": "1"}
    )
    assert response.status_code == 404
    assert client.post(f"{page_url(assessment_round)}/submit", data={"csrf_token": token}).status_code == 404
    assert db.session.scalar(select(SelfScore)) is None
    assert "Chỉ số CCHC năm nay" not in client.get("/unit/").get_data(as_text=True)


def test_submit_is_refused_while_items_are_missing_then_locks_until_the_officer_returns_it(
    client, auth, unit_account, officer, ward, assessment_round, plan
) -> None:
    assessment = get_assessment(assessment_round.id, ward.id)
    complete_all_but(assessment, "1.1.1", "8.2.1")
    auth.login("phuong")
    url = page_url(assessment_round)
    response = post(client, f"{url}/submit", url)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Chưa gửi được: còn 2 tiêu chí chưa có điểm" in page and "1.1.1, 8.2.1" in page
    assert the_assessment(assessment_round, ward).status is SelfAssessmentStatus.DRAFT

    # Points alone are not enough: evidence, or the reason there is none.
    save_item(client, url, "1.1.1", points="1")
    save_item(client, url, "8.2.1", points="0", no_evidence_reason="Không phát sinh trong năm")
    assert "Chưa gửi được: còn 1 tiêu chí" in client.get(post(client, f"{url}/submit", url).location).get_data(
        as_text=True
    )
    save_item(client, url, "1.1.1", points="1", evidence_ids=str(plan.id))
    post(client, f"{url}/submit", url)
    assert the_assessment(assessment_round, ward).status is SelfAssessmentStatus.SUBMITTED

    # Locked: the page has no form, and a forged post changes nothing.
    page = client.get(url).get_data(as_text=True)
    assert "Bản tự đánh giá đã gửi nên không sửa được nữa." in page and 'name="item-1.1.1-points"' not in page
    response = save_item(client, url, "1.1.1", points="0,25", evidence_ids=str(plan.id))
    assert "Bản tự đánh giá đã gửi nên không sửa được nữa." in response.get_data(as_text=True)
    assert db.session.scalar(select(SelfScore).filter_by(code="1.1.1")).points == 1.0

    # The officer sees it submitted, and returns it with a reason.
    client.post("/logout", data={"csrf_token": csrf_token_of(client.get("/unit/").get_data(as_text=True))})
    auth.login("canbo")
    round_page = client.get(f"/admin/rounds/{assessment_round.id}").get_data(as_text=True)
    assert "Đã gửi" in round_page and "45/45" in round_page
    officer_url = f"/admin/rounds/{assessment_round.id}/units/{ward.id}"
    officer_page = client.get(officer_url).get_data(as_text=True)
    assert f'href="/admin/evidence/{plan.id}" download>Kế hoạch CCHC năm 2025</a>' in officer_page
    response = post(client, f"{officer_url}/return", officer_url, {"reason": ""})
    assert "Hãy ghi lý do trả lại" in client.get(response.location).get_data(as_text=True)
    post(client, f"{officer_url}/return", officer_url, {"reason": "Tiêu chí 1.1.1 thiếu báo cáo quý IV."})
    assert "Được trả lại để sửa" in client.get(f"/admin/rounds/{assessment_round.id}").get_data(as_text=True)

    # The unit sees the reason, edits again and submits again.
    client.post("/logout", data={"csrf_token": csrf_token_of(client.get("/admin/").get_data(as_text=True))})
    auth.login("phuong")
    page = client.get(url).get_data(as_text=True)
    assert "Tiêu chí 1.1.1 thiếu báo cáo quý IV." in page
    assert save_item(client, url, "1.1.1", points="1,25", evidence_ids=str(plan.id)).status_code == 302
    post(client, f"{url}/submit", url)
    assessment = the_assessment(assessment_round, ward)
    assert assessment.status is SelfAssessmentStatus.SUBMITTED and assessment.typed_in_by is None
    actions = db.session.scalars(
        select(AuditEntry.action).where(AuditEntry.action.in_([AuditAction.SELF_SUBMITTED, AuditAction.SELF_RETURNED]))
    ).all()
    assert sorted(action.value for action in actions) == ["self_returned", "self_submitted", "self_submitted"]


def test_past_the_due_date_the_unit_cannot_edit_but_the_officer_types_in_a_paper_one(
    client, auth, unit_account, officer, ward, assessment_round
) -> None:
    assessment_round.self_assessment_due_on = dt.date.today() - dt.timedelta(days=1)
    db.session.commit()
    auth.login("phuong")
    url = page_url(assessment_round)
    page = client.get(url).get_data(as_text=True)
    assert "Đã quá hạn tự đánh giá" in page and "đã quá hạn" in page and 'name="item-1.1.1-points"' not in page
    response = save_item(client, url, "1.1.1", points="1", no_evidence_reason="Có")
    assert "Đã quá hạn tự đánh giá" in response.get_data(as_text=True)
    assert db.session.scalar(select(SelfScore)) is None

    client.post("/logout", data={"csrf_token": csrf_token_of(client.get("/unit/").get_data(as_text=True))})
    auth.login("canbo")
    officer_url = f"/admin/rounds/{assessment_round.id}/units/{ward.id}"
    refused = save_item(client, officer_url, "1.1.1", points="2", no_evidence_reason="Bản giấy")
    assert "Điểm của tiêu chí 1.1.1 (2) vượt điểm tối đa 1,25." in refused.get_data(as_text=True)
    assert save_item(client, officer_url, "1.1.1", points="1", no_evidence_reason="Bản giấy").status_code == 302
    complete_all_but(the_assessment(assessment_round, ward), "1.1.1", typing_in=True)
    response = post(client, f"{officer_url}/submit", officer_url, {"note": ""})
    assert "Hãy ghi chú bản tự đánh giá được nhận thế nào" in client.get(response.location).get_data(as_text=True)
    post(client, f"{officer_url}/submit", officer_url, {"note": "Bản giấy số 12/BC-UBND nhận ngày 15/01"})
    assessment = the_assessment(assessment_round, ward)
    assert assessment.status is SelfAssessmentStatus.SUBMITTED
    assert assessment.typed_in_by == officer and assessment.typed_in_note == "Bản giấy số 12/BC-UBND nhận ngày 15/01"
    assert "nhập hộ" in client.get(f"/admin/rounds/{assessment_round.id}").get_data(as_text=True)
    saved = db.session.scalar(select(AuditEntry).filter_by(action=AuditAction.SELF_SCORE_SAVED, actor="canbo"))
    assert saved.details["typed_in"] is True


def test_the_rounds_units_are_frozen_when_self_assessment_opens(client, auth, officer, criteria_sets) -> None:
    district = Unit(code="D50", name="Huyện Thử", kind="huyện")
    for number in (1, 2):
        district.children.append(Unit(code=f"D50-X{number}", name=f"Xã {number}", kind="xã"))
    db.session.add(district)
    db.session.commit()
    assessment_round = open_round(criteria_sets["CCHC-XA"], district)
    district.children.append(Unit(code="D50-X3", name="Xã 3 (mới lập)", kind="xã"))
    db.session.commit()
    frozen = db.session.scalars(select(SelfAssessment).filter_by(round_id=assessment_round.id)).all()
    assert sorted(assessment.unit.code for assessment in frozen) == ["D50-X1", "D50-X2"]
    auth.login("canbo")
    page = client.get(f"/admin/rounds/{assessment_round.id}").get_data(as_text=True)
    assert "Tự đánh giá của các đơn vị (2)" in page and "Xã 3 (mới lập)" not in page
    assert page.split('id="missing"', 1)[0].count("Chưa bắt đầu") == 2  # the list, before the missing units


def test_each_item_shows_only_the_files_it_cites_and_another_is_cited_from_a_list(
    client, auth, unit_account, ward, assessment_round, plan
) -> None:
    files = [
        upload_evidence(ward, f"Báo cáo số {number}", f"bao-cao-{number}.pdf", io.BytesIO(PDF), by=unit_account)
        for number in range(1, 31)
    ]
    db.session.commit()
    auth.login("phuong")
    url = page_url(assessment_round)
    save_item(client, url, "1.1.1", points="1", evidence_ids=str(plan.id))

    page = client.get(url).get_data(as_text=True)
    # Only the one citation is a tick box; every other item offers the 31 files in a list.
    assert page.count('type="checkbox"') == 1
    first_item = page.split('id="item-1.1.1"', 1)[1].split('class="progress-item"', 1)[0]
    assert f'value="{plan.id}" checked' in first_item and f'<option value="{plan.id}"' not in first_item
    assert first_item.count("<option value=") == 1 + len(files)  # the blank choice and the files not cited
    other_item = page.split('id="item-1.2"', 1)[1].split('class="progress-item"', 1)[0]
    assert "Tiêu chí chưa trích dẫn tài liệu nào." in other_item and f'<option value="{plan.id}"' in other_item

    # Keep the plan, add a report from the list; then drop the plan by unticking it.
    save_item(client, url, "1.1.1", points="1", evidence_ids=str(plan.id), add_evidence_id=str(files[4].id))
    assert [file.id for file in the_assessment(assessment_round, ward).scores[0].evidence] == [plan.id, files[4].id]
    save_item(client, url, "1.1.1", points="1", evidence_ids=str(files[4].id), add_evidence_id="")
    assert [file.id for file in the_assessment(assessment_round, ward).scores[0].evidence] == [files[4].id]


def test_a_file_to_cite_that_is_not_a_number_is_refused_with_a_message(
    client, auth, unit_account, ward, assessment_round, plan
) -> None:
    auth.login("phuong")
    response = save_item(client, page_url(assessment_round), "1.1.1", points="1", add_evidence_id="abc")
    item = response.get_data(as_text=True).split('id="item-1.1.1"', 1)[1].split('class="progress-item"', 1)[0]
    assert response.status_code == 200
    assert '<p class="error" role="alert">Hãy chọn tài liệu cần trích dẫn thêm trong danh sách.</p>' in item
    assert the_assessment(assessment_round, ward).scores == []
