"""The unit's explanation (*giải trình*), appraisal 2 and closing the appraisal, over HTTP
through the test client: the whole path from a finished appraisal 1 to the final points, and
everything refused out of turn, each leaving what is stored as it was."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import AuditAction, AuditEntry, Explanation, RoundStage, Unit
from surveyapp.services.assessment_rounds import open_explanation
from surveyapp.services.evidence import upload_evidence
from surveyapp.services.explanations import ExplanationDraft, save_explanation, submit_explanation
from surveyapp.services.unit_appraisals import (
    AppraisalDraft,
    appraise_item,
    appraised_points,
    assign_appraiser,
    finish_appraisal,
)
from tests.helpers import csrf_token_of
from tests.web.test_appraisal import appraiser_account, submitted_round
from tests.web.test_self_assessment import PDF, post, the_assessment

FIRST_REASON = "Kế hoạch ban hành chậm"


def appraise_all(assessment, appraiser) -> None:
    """Appraisal 1 of every item: 1.1.1 lowered to 0 with a reason, the others' 0,5 accepted; finished."""
    for item in assessment.assessment_round.criteria_set.definition.self_assessed:
        if item.code == "1.1.1":
            draft = AppraisalDraft(is_accepted=False, points="0", reason=FIRST_REASON)
        else:
            draft = AppraisalDraft(is_accepted=True, points="", reason="")
        appraise_item(assessment, item.code, appraiser, draft)
    finish_appraisal(assessment, appraiser)


def appraised_round(criteria_set, unit: Unit, appraiser):
    """A round of ``unit`` whose appraisal 1 is finished by ``appraiser`` (22 points: 44 × 0,5)."""
    assessment_round = submitted_round(criteria_set, unit)
    assign_appraiser(assessment_round, appraiser, unit, None)
    db.session.commit()
    appraise_all(the_assessment(assessment_round, unit), appraiser)
    db.session.commit()
    return assessment_round


@pytest.fixture
def appraiser(app):
    return appraiser_account("tdv1", "Thẩm định viên Một")


@pytest.fixture
def assessment_round(criteria_sets, ward, unit_account, officer, appraiser):
    return appraised_round(criteria_sets["CCHC-XA"], ward, appraiser)


@pytest.fixture
def explaining_round(assessment_round):
    """The ward's round in explanation, due in five days."""
    open_explanation(assessment_round, dt.date.today() + dt.timedelta(days=5))
    db.session.commit()
    return assessment_round


@pytest.fixture
def plan(ward, unit_account):
    evidence = upload_evidence(ward, "Quyết định ban hành kế hoạch", "qd.pdf", io.BytesIO(PDF), by=unit_account)
    db.session.commit()
    return evidence


def round_url(assessment_round) -> str:
    return f"/admin/rounds/{assessment_round.id}"


def unit_url(assessment_round) -> str:
    return f"/unit/rounds/{assessment_round.id}"


def appraiser_url(assessment_round, unit) -> str:
    return f"/appraise/rounds/{assessment_round.id}/units/{unit.id}"


def explain(client, assessment_round, code: str, **fields):
    """Post the unit's explanation of item ``code`` from its round page."""
    token = csrf_token_of(client.get(unit_url(assessment_round)).get_data(as_text=True))
    prefix = f"explain-{code}-"
    data = {f"{prefix}csrf_token": token} | {f"{prefix}{name}": value for name, value in fields.items()}
    return client.post(f"{unit_url(assessment_round)}/explanations/{code}", data=data)


def reappraise(client, assessment_round, unit, code: str, **fields):
    """Post appraisal 2 of item ``code`` from the appraiser's page of the unit."""
    url = appraiser_url(assessment_round, unit)
    token = csrf_token_of(client.get(url).get_data(as_text=True))
    prefix = f"reappraise-{code}-"
    data = {f"{prefix}csrf_token": token} | {f"{prefix}{name}": value for name, value in fields.items()}
    return client.post(f"{url}/items/{code}/reappraise", data=data)


def stored(code: str) -> tuple | None:
    """What is stored of the explanation of ``code``, as seen after the requests."""
    db.session.rollback()
    explanation = db.session.scalar(select(Explanation).filter_by(code=code))
    if explanation is None:
        return None
    return (
        explanation.proposed_points,
        explanation.text,
        [file.id for file in explanation.evidence],
        explanation.decision,
        explanation.decided_points,
        explanation.decision_reason,
    )


def stage_of(assessment_round) -> RoundStage:
    db.session.rollback()
    return db.session.get(type(assessment_round), assessment_round.id).stage


def audit(action: AuditAction) -> list[AuditEntry]:
    db.session.rollback()
    return list(db.session.scalars(select(AuditEntry).filter_by(action=action).order_by(AuditEntry.id)))


def points_of(assessment_round, unit) -> dict[str, float]:
    return appraised_points(the_assessment(assessment_round, unit))


def test_the_whole_path_from_appraisal_1_to_the_final_points(
    client, auth, ward, assessment_round, plan, criteria_sets
) -> None:
    second = assessment_round.criteria_set.definition.self_assessed[1].code
    assert sum(points_of(assessment_round, ward).values()) == 22

    # The officer opens the explanation with its due date.
    auth.login("canbo")
    due = dt.date.today() + dt.timedelta(days=5)
    post(
        client,
        f"{round_url(assessment_round)}/open-explanation",
        round_url(assessment_round),
        {"explanation_due_on": due.isoformat()},
    )
    page = client.get(round_url(assessment_round)).get_data(as_text=True)
    assert "Đã mở giải trình." in page and "Đang giải trình" in page and f"Hạn giải trình: {due:%d/%m/%Y}" in page
    assert stage_of(assessment_round) is RoundStage.EXPLANATION
    assert audit(AuditAction.EXPLANATION_OPENED)[0].details["due_on"] == due.isoformat()

    # The unit sees appraisal 1 per item and explains two items, citing a new file for one.
    auth.login("phuong")
    assert f"Đang giải trình</strong> (hạn giải trình {due:%d/%m/%Y})" in client.get("/unit/").get_data(as_text=True)
    page = client.get(unit_url(assessment_round)).get_data(as_text=True)
    assert "Điểm thẩm định lần 1:" in page and FIRST_REASON in page and "22 điểm thẩm định lần 1" in page
    assert 'name="explain-1.1.1-points"' in page and "Xác nhận không có giải trình" in page
    response = explain(
        client, assessment_round, "1.1.1", points="1,25", text="Kế hoạch ban hành ngày 10/01", evidence_ids=str(plan.id)
    )
    assert response.status_code == 302
    assert stored("1.1.1")[:3] == (1.25, "Kế hoạch ban hành ngày 10/01", [plan.id])
    assert explain(client, assessment_round, second, points="1", text="Đã số hóa đủ").status_code == 302
    page = client.get(unit_url(assessment_round)).get_data(as_text=True)
    assert f"Đã lưu giải trình tiêu chí {second}." in page and "Gửi giải trình (2 tiêu chí)" in page
    # Nothing counts before appraisal 2 decides.
    assert points_of(assessment_round, ward)["1.1.1"] == 0
    post(client, f"{unit_url(assessment_round)}/explanation/submit", unit_url(assessment_round))
    page = client.get(unit_url(assessment_round)).get_data(as_text=True)
    assert "Đã gửi giải trình." in page and 'name="explain-1.1.1-points"' not in page
    assert "Giải trình của đơn vị — điểm đề nghị:" in page
    assert audit(AuditAction.EXPLANATION_SENT)[0].details["items"] == sorted(["1.1.1", second])
    entry = audit(AuditAction.ITEM_EXPLAINED)[0]
    assert entry.actor == "phuong" and entry.details["appraised"] == 0 and entry.details["after"]["points"] == 1.25

    # The officer opens appraisal 2; the appraiser sees the explanation and its evidence.
    auth.login("canbo")
    post(client, f"{round_url(assessment_round)}/open-appraisal-2", round_url(assessment_round))
    assert stage_of(assessment_round) is RoundStage.APPRAISAL_2
    page = client.get(round_url(assessment_round)).get_data(as_text=True)
    assert "Đang thẩm định lần 2" in page and "Đã gửi (2 tiêu chí)" in page and "còn 2 chưa thẩm định lần 2" in page
    auth.login("tdv1")
    assert "còn 2 tiêu chí giải trình chưa thẩm định lần 2" in client.get("/appraise/").get_data(as_text=True)
    page = client.get(appraiser_url(assessment_round, ward)).get_data(as_text=True)
    assert "Thẩm định lần 2: Phường Trương Quang Trọng" in page and "còn 2 tiêu chí chưa thẩm định lần 2" in page
    assert "Kế hoạch ban hành ngày 10/01" in page and 'name="reappraise-1.1.1-decision"' in page
    assert f'name="reappraise-{assessment_round.criteria_set.definition.self_assessed[2].code}-decision"' not in page
    download = client.get(f"/appraise/evidence/{plan.id}")  # cited by the explanation only
    assert download.status_code == 200 and download.data == PDF
    download.close()

    # Closing waits for every explained item.
    auth.login("canbo")
    post(client, f"{round_url(assessment_round)}/close-appraisal", round_url(assessment_round))
    page = client.get(round_url(assessment_round)).get_data(as_text=True)
    assert f"còn tiêu chí giải trình chưa thẩm định lần 2: Phường Trương Quang Trọng (1.1.1, {second})" in page
    assert stage_of(assessment_round) is RoundStage.APPRAISAL_2

    auth.login("tdv1")
    assert reappraise(client, assessment_round, ward, "1.1.1", decision="kept").status_code == 302
    assert points_of(assessment_round, ward)["1.1.1"] == 0
    assert reappraise(client, assessment_round, ward, "1.1.1", decision="accepted").status_code == 302
    assert points_of(assessment_round, ward)["1.1.1"] == 1.25
    response = reappraise(
        client, assessment_round, ward, second, decision="changed", points="0,75", reason="Số hóa 75%"
    )
    assert response.status_code == 302
    assert points_of(assessment_round, ward)[second] == 0.75
    entries = audit(AuditAction.ITEM_REAPPRAISED)
    assert [entry.actor for entry in entries] == ["tdv1"] * 3
    assert entries[1].details["before"] == {"decision": "kept", "points": 0, "reason": ""}
    assert entries[1].details["after"] == {"decision": "accepted", "points": 1.25, "reason": ""}
    assert entries[1].details["appraisal_1"] == 0 and entries[1].details["proposed"] == 1.25

    # Closed: 22 + 1,25 (1.1.1 from 0) + 0,25 (from 0,5 to 0,75) = 23,5 points, final.
    auth.login("canbo")
    index_page = client.get(f"{round_url(assessment_round)}/index").get_data(as_text=True)
    assert "Chưa kết thúc thẩm định:" in index_page  # appraised, but not final before closing
    post(client, f"{round_url(assessment_round)}/close-appraisal", round_url(assessment_round))
    page = client.get(round_url(assessment_round)).get_data(as_text=True)
    assert "Đã kết thúc thẩm định." in page and "Đã kết thúc thẩm định" in page
    assert stage_of(assessment_round) is RoundStage.CLOSED
    assert sum(points_of(assessment_round, ward).values()) == 23.5
    assert audit(AuditAction.APPRAISAL_CLOSED)[0].details["points"] == {"21172": 23.5}
    index_page = client.get(f"{round_url(assessment_round)}/index").get_data(as_text=True)
    assert "Chưa kết thúc thẩm định:" not in index_page and "Kết quả tạm tính:" not in index_page

    auth.login("phuong")
    page = client.get(unit_url(assessment_round)).get_data(as_text=True)
    assert "23,5 điểm thẩm định cuối cùng" in page and "Điểm cuối cùng:" in page
    assert "22 điểm thẩm định lần 1" in page  # appraisal 1 as it was
    assert "Điểm thẩm định lần 2:" in page and "Số hóa 75%" in page
    assert 'name="explain-' not in page
    # Nothing changes any more.
    auth.login("tdv1")
    refused = reappraise(client, assessment_round, ward, "1.1.1", decision="kept").get_data(as_text=True)
    assert "không ở giai đoạn thẩm định lần 2" in refused
    assert points_of(assessment_round, ward)["1.1.1"] == 1.25


def test_the_officer_opens_the_explanation_only_when_every_appraisal_1_is_finished_and_with_a_due_date(
    client, auth, criteria_sets, ward, officer, appraiser, unit_account
) -> None:
    assessment_round = submitted_round(criteria_sets["CCHC-XA"], ward)
    assign_appraiser(assessment_round, appraiser, ward, None)
    db.session.commit()
    url = round_url(assessment_round)
    auth.login("canbo")
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    post(client, f"{url}/open-explanation", url, {"explanation_due_on": tomorrow})
    page = client.get(url).get_data(as_text=True)
    assert "Chưa mở giải trình được: 1 đơn vị chưa được thẩm định xong lần 1: Phường Trương Quang Trọng." in page

    appraise_all(the_assessment(assessment_round, ward), appraiser)
    db.session.commit()
    post(client, f"{url}/open-explanation", url, {"explanation_due_on": ""})
    assert "Hãy chọn hạn giải trình." in client.get(url).get_data(as_text=True)
    yesterday = dt.date.today() - dt.timedelta(days=1)
    post(client, f"{url}/open-explanation", url, {"explanation_due_on": yesterday.isoformat()})
    assert f"Hạn giải trình ({yesterday:%d/%m/%Y}) đã qua" in client.get(url).get_data(as_text=True)
    assert stage_of(assessment_round) is RoundStage.APPRAISAL
    assert db.session.get(type(assessment_round), assessment_round.id).explanation_due_on is None
    assert audit(AuditAction.EXPLANATION_OPENED) == []

    # Before the explanation opens, the unit explains nothing.
    auth.login("phuong")
    assert 'name="explain-1.1.1-points"' not in client.get(unit_url(assessment_round)).get_data(as_text=True)
    refused = explain(client, assessment_round, "1.1.1", points="1", text="Đủ hồ sơ").get_data(as_text=True)
    assert "Kỳ đánh giá không ở giai đoạn giải trình nên không giải trình được." in refused
    assert stored("1.1.1") is None


def test_an_explanation_without_text_or_above_the_maximum_is_refused_and_kept_as_typed(
    client, auth, ward, explaining_round
) -> None:
    auth.login("phuong")
    refused = explain(client, explaining_round, "1.1.1", points="1", text="  ").get_data(as_text=True)
    assert "Hãy ghi nội dung giải trình của tiêu chí 1.1.1." in refused
    refused = explain(client, explaining_round, "1.1.1", points="1,5", text="Đủ hồ sơ").get_data(as_text=True)
    assert "Điểm của tiêu chí 1.1.1 (1,5) vượt điểm tối đa 1,25." in refused and "Đủ hồ sơ</textarea>" in refused
    refused = explain(client, explaining_round, "1.1.1", points="", text="Đủ hồ sơ").get_data(as_text=True)
    assert "Hãy nhập điểm đơn vị đề nghị cho tiêu chí 1.1.1." in refused
    assert stored("1.1.1") is None
    assert audit(AuditAction.ITEM_EXPLAINED) == []


def test_a_submitted_or_overdue_explanation_is_locked(client, auth, ward, explaining_round) -> None:
    auth.login("phuong")
    assert explain(client, explaining_round, "1.1.1", points="1", text="Đủ hồ sơ").status_code == 302
    # Past the due date, nothing changes (the date locks it by itself).
    explaining_round.explanation_due_on = dt.date.today() - dt.timedelta(days=1)
    db.session.commit()
    page = client.get(unit_url(explaining_round)).get_data(as_text=True)
    assert "Đã quá hạn giải trình" in page and 'name="explain-1.1.1-points"' not in page
    refused = explain(client, explaining_round, "1.1.1", points="0", text="Khác").get_data(as_text=True)
    assert "Đã quá hạn giải trình" in refused
    post(client, f"{unit_url(explaining_round)}/explanation/submit", unit_url(explaining_round))
    assert the_assessment(explaining_round, ward).explanation_submitted_at is None
    assert stored("1.1.1")[:2] == (1.0, "Đủ hồ sơ")

    # Submitted, nothing changes either.
    explaining_round.explanation_due_on = dt.date.today()
    db.session.commit()
    post(client, f"{unit_url(explaining_round)}/explanation/submit", unit_url(explaining_round))
    assert the_assessment(explaining_round, ward).explanation_submitted_at is not None
    refused = explain(client, explaining_round, "1.1.1", points="0", text="Khác").get_data(as_text=True)
    assert "Đơn vị đã gửi giải trình nên không sửa được nữa." in refused
    assert stored("1.1.1")[:2] == (1.0, "Đủ hồ sơ")
    assert len(audit(AuditAction.EXPLANATION_SENT)) == 1


def test_appraisal_2_opens_once_every_unit_submitted_or_the_due_date_passed_and_not_before(
    client, auth, ward, explaining_round
) -> None:
    auth.login("phuong")
    explain(client, explaining_round, "1.1.1", points="1", text="Đủ hồ sơ")
    auth.login("tdv1")
    page = client.get(appraiser_url(explaining_round, ward)).get_data(as_text=True)
    assert 'name="reappraise-1.1.1-decision"' not in page
    refused = reappraise(client, explaining_round, ward, "1.1.1", decision="accepted").get_data(as_text=True)
    assert "Kỳ đánh giá không ở giai đoạn thẩm định lần 2 nên chưa quyết định được." in refused
    assert stored("1.1.1")[3:] == (None, None, "")

    auth.login("canbo")
    url = round_url(explaining_round)
    post(client, f"{url}/open-appraisal-2", url)
    page = client.get(url).get_data(as_text=True)
    assert "Chưa mở thẩm định lần 2 được: 1 đơn vị chưa gửi giải trình" in page
    assert "Chưa gửi (1 tiêu chí đã lưu)" in page
    assert stage_of(explaining_round) is RoundStage.EXPLANATION
    explaining_round.explanation_due_on = dt.date.today() - dt.timedelta(days=1)
    db.session.commit()
    post(client, f"{url}/open-appraisal-2", url)
    assert stage_of(explaining_round) is RoundStage.APPRAISAL_2
    # What was saved by the due date is explained.
    assert audit(AuditAction.APPRAISAL_2_OPENED)[0].details["explained"] == 1


def test_appraisal_2_refuses_other_units_areas_items_and_bad_points(
    client, auth, criteria_sets, ward, explaining_round, appraiser
) -> None:
    assessment = the_assessment(explaining_round, ward)
    save_explanation(assessment, "1.1.1", ExplanationDraft("1", "Đủ hồ sơ", ()))
    submit_explanation(assessment)
    explaining_round.stage = RoundStage.APPRAISAL_2
    other_ward = Unit(code="21173", name="Phường Thạch Thang", kind="phường")
    db.session.add(other_ward)
    db.session.commit()
    other = appraiser_account("tdv2", "Thẩm định viên Hai")
    other_round = appraised_round(criteria_sets["CCHC-XA"], other_ward, other)
    area_two = appraiser_account("tdv3", "Thẩm định viên Ba")
    assign_appraiser(explaining_round, area_two, ward, "2")
    db.session.commit()

    auth.login("tdv2")
    assert client.get(appraiser_url(explaining_round, ward)).status_code == 404
    token = csrf_token_of(client.get(appraiser_url(other_round, other_ward)).get_data(as_text=True))
    response = client.post(
        f"{appraiser_url(explaining_round, ward)}/items/1.1.1/reappraise",
        data={"reappraise-1.1.1-csrf_token": token, "reappraise-1.1.1-decision": "accepted"},
    )
    assert response.status_code == 404

    auth.login("tdv3")
    page = client.get(appraiser_url(explaining_round, ward)).get_data(as_text=True)
    assert 'name="reappraise-1.1.1-decision"' not in page
    refused = reappraise(client, explaining_round, ward, "1.1.1", decision="accepted").get_data(as_text=True)
    assert "Bạn không được phân công thẩm định tiêu chí 1.1.1 của Phường Trương Quang Trọng" in refused

    auth.login("tdv1")
    refused = reappraise(client, explaining_round, ward, "1.1.1", decision="changed", points="0,5", reason="")
    assert "Hãy ghi lý do chấm điểm khác cho tiêu chí 1.1.1." in refused.get_data(as_text=True)
    refused = reappraise(client, explaining_round, ward, "1.1.1", decision="changed", points="2", reason="Vượt")
    assert "Điểm của tiêu chí 1.1.1 (2) vượt điểm tối đa 1,25." in refused.get_data(as_text=True)
    not_explained = explaining_round.criteria_set.definition.self_assessed[1].code
    refused = reappraise(client, explaining_round, ward, not_explained, decision="accepted").get_data(as_text=True)
    assert f"Tiêu chí {not_explained} không được đơn vị giải trình nên giữ điểm thẩm định lần 1." in refused
    assert stored("1.1.1")[3:] == (None, None, "")
    assert points_of(explaining_round, ward)["1.1.1"] == 0
    assert audit(AuditAction.ITEM_REAPPRAISED) == []


def test_a_file_an_explanation_cites_is_not_deleted(client, auth, ward, explaining_round, plan) -> None:
    auth.login("phuong")
    explain(client, explaining_round, "1.1.1", points="1", text="Đủ hồ sơ", evidence_ids=str(plan.id))
    post(client, f"/unit/evidence/{plan.id}/delete", "/unit/evidence")
    page = client.get("/unit/evidence").get_data(as_text=True)
    assert "đang được trích dẫn cho tiêu chí 1.1.1 nên chưa xóa được" in page
    assert stored("1.1.1")[2] == [plan.id]


def test_a_unit_drops_an_explanation_until_it_submits(client, auth, ward, explaining_round) -> None:
    auth.login("phuong")
    url = unit_url(explaining_round)
    explain(client, explaining_round, "1.1.1", points="1", text="Đủ hồ sơ")
    assert "Bỏ giải trình tiêu chí 1.1.1" in client.get(url).get_data(as_text=True)
    post(client, f"{url}/explanations/1.1.1/remove", url)
    assert "Đã bỏ giải trình tiêu chí 1.1.1." in client.get(url).get_data(as_text=True)
    assert stored("1.1.1") is None
    assert audit(AuditAction.EXPLANATION_REMOVED)[0].details["before"]["points"] == 1.0
    post(client, f"{url}/explanations/1.1.1/remove", url)
    assert "Tiêu chí 1.1.1 chưa có giải trình nên không có gì để bỏ." in client.get(url).get_data(as_text=True)

    explain(client, explaining_round, "1.1.1", points="1", text="Đủ hồ sơ")
    post(client, f"{url}/explanation/submit", url)
    post(client, f"{url}/explanations/1.1.1/remove", url)
    assert "Đơn vị đã gửi giải trình nên không sửa được nữa." in client.get(url).get_data(as_text=True)
    assert stored("1.1.1")[:2] == (1.0, "Đủ hồ sơ")
    assert len(audit(AuditAction.EXPLANATION_REMOVED)) == 1


def officer_url(assessment_round, unit) -> str:
    return f"/admin/rounds/{assessment_round.id}/units/{unit.id}"


def type_in(client, assessment_round, unit, code: str, **fields):
    """Post, as the officer, the explanation of item ``code`` the unit sent on paper."""
    url = officer_url(assessment_round, unit)
    token = csrf_token_of(client.get(url).get_data(as_text=True))
    prefix = f"explain-{code}-"
    data = {f"{prefix}csrf_token": token} | {f"{prefix}{name}": value for name, value in fields.items()}
    return client.post(f"{url}/explanations/{code}", data=data)


def test_the_officer_types_in_an_explanation_sent_on_paper_under_the_units_rules(
    client, auth, ward, explaining_round, plan
) -> None:
    auth.login("canbo")
    url = officer_url(explaining_round, ward)
    page = client.get(url).get_data(as_text=True)
    assert 'name="explain-1.1.1-points"' in page and "Ghi nhận giải trình nhập hộ" in page
    # The unit's rules: the text is required, the points within the maximum; refused, kept as typed.
    refused = type_in(client, explaining_round, ward, "1.1.1", points="1,5", text="Đủ hồ sơ").get_data(as_text=True)
    assert "Điểm của tiêu chí 1.1.1 (1,5) vượt điểm tối đa 1,25." in refused and "Đủ hồ sơ</textarea>" in refused
    refused = type_in(client, explaining_round, ward, "1.1.1", points="1", text=" ").get_data(as_text=True)
    assert "Hãy ghi nội dung giải trình của tiêu chí 1.1.1." in refused
    assert stored("1.1.1") is None

    saved = type_in(
        client, explaining_round, ward, "1.1.1", points="1", text="Kế hoạch ban hành đúng hạn", evidence_ids=plan.id
    )
    assert saved.status_code == 302 and saved.headers["Location"].endswith(f"{url}#item-1.1.1")
    assert stored("1.1.1")[:3] == (1.0, "Kế hoạch ban hành đúng hạn", [plan.id])
    (entry,) = audit(AuditAction.ITEM_EXPLAINED)
    assert entry.actor == "canbo" and entry.details["typed_in"] is True
    assert "Giải trình do Cán bộ Nội vụ nhập hộ từ bản giấy của đơn vị." in client.get(url).get_data(as_text=True)

    # Recorded only with a note of how it was received; then locked, for the officer and the unit.
    post(client, f"{url}/explanation/submit", url)
    assert the_assessment(explaining_round, ward).explanation_submitted_at is None
    post(client, f"{url}/explanation/submit", url, {"note": "Công văn số 25/UBND-VP nhận ngày 20/3"})
    assessment = the_assessment(explaining_round, ward)
    assert assessment.explanation_submitted_at is not None and assessment.explanation_typed_in_by.username == "canbo"
    assert audit(AuditAction.EXPLANATION_SENT)[0].details["typed_in_note"] == "Công văn số 25/UBND-VP nhận ngày 20/3"
    refused = type_in(client, explaining_round, ward, "1.2.1", points="1", text="Khác").get_data(as_text=True)
    assert "Đơn vị đã gửi giải trình nên không sửa được nữa." in refused and stored("1.2.1") is None

    auth.login("phuong")
    page = client.get(unit_url(explaining_round)).get_data(as_text=True)
    assert "Giải trình do Cán bộ Nội vụ nhập hộ. Ghi chú: Công văn số 25/UBND-VP nhận ngày 20/3" in page
    assert "Giải trình do Cán bộ Nội vụ nhập hộ từ bản giấy của đơn vị." in page


def test_past_the_due_date_the_unit_cannot_explain_but_the_officer_types_in_a_paper_one(
    client, auth, ward, explaining_round
) -> None:
    """Paper sent in time may arrive after the due date: the officer types it in until appraisal 2
    opens, as a self-assessment received on paper."""
    explaining_round.explanation_due_on = dt.date.today() - dt.timedelta(days=1)
    db.session.commit()
    auth.login("phuong")
    assert 'name="explain-1.1.1-points"' not in client.get(unit_url(explaining_round)).get_data(as_text=True)
    auth.login("canbo")
    url = officer_url(explaining_round, ward)
    assert 'name="explain-1.1.1-points"' in client.get(url).get_data(as_text=True)
    saved = type_in(client, explaining_round, ward, "1.1.1", points="1", text="Đủ hồ sơ")
    assert saved.status_code == 302 and stored("1.1.1")[:2] == (1.0, "Đủ hồ sơ")
    post(client, f"{url}/explanation/submit", url, {"note": "Bản giấy gửi ngày 19/3, nhận ngày 22/3"})
    assert the_assessment(explaining_round, ward).explanation_submitted_at is not None
