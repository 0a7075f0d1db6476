"""Appraisal 1 of units' self-assessments, over HTTP through the test client: the officer
assigns appraisers and opens appraisal; an appraiser accepts or changes an item's points (with
a reason), is refused outside their units and areas, and finishes; the unit sees the result."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from surveyapp.extensions import db
from surveyapp.models import (
    AppraisalScore,
    AppraiserAssignment,
    AuditAction,
    AuditEntry,
    RoundStage,
    SelfScore,
    Unit,
    User,
    UserRole,
)
from surveyapp.services.assessment_rounds import open_appraisal
from surveyapp.services.self_assessments import submit_self_assessment
from surveyapp.services.unit_appraisals import assign_appraiser
from tests.conftest import existing_account
from tests.helpers import PASSWORD, csrf_token_of
from tests.web.test_self_assessment import complete_all_but, open_round, post, the_assessment


def appraiser_account(username: str, full_name: str) -> User:
    return existing_account(username=username, full_name=full_name, password=PASSWORD, role=UserRole.APPRAISER)


def submitted_round(criteria_set, unit: Unit):
    """A round in which ``unit`` assesses itself, every item scored 0,5 and submitted, in appraisal."""
    assessment_round = open_round(criteria_set, unit)
    assessment = the_assessment(assessment_round, unit)
    complete_all_but(assessment)
    submit_self_assessment(assessment)
    open_appraisal(assessment_round)
    db.session.commit()
    return assessment_round


@pytest.fixture
def appraiser(app) -> User:
    return appraiser_account("tdv1", "Thẩm định viên Một")


@pytest.fixture
def assessment_round(criteria_sets, ward, unit_account, appraiser):
    """The ward's submitted self-assessment in appraisal; ``tdv1`` appraises all its areas."""
    assessment_round = submitted_round(criteria_sets["CCHC-XA"], ward)
    assign_appraiser(assessment_round, appraiser, ward, None)
    db.session.commit()
    return assessment_round


def page_url(assessment_round, unit) -> str:
    return f"/appraise/rounds/{assessment_round.id}/units/{unit.id}"


def appraise(client, url: str, code: str, **fields):
    token = csrf_token_of(client.get(url).get_data(as_text=True))
    prefix = f"item-{code}-"
    data = {f"{prefix}csrf_token": token} | {f"{prefix}{name}": value for name, value in fields.items()}
    return client.post(f"{url}/items/{code}", data=data)


def appraised(code: str) -> AppraisalScore | None:
    db.session.rollback()
    return db.session.scalar(select(AppraisalScore).filter_by(code=code))


def test_an_appraiser_accepts_or_changes_points_with_a_reason_and_the_units_own_stay(
    client, auth, ward, assessment_round
) -> None:
    auth.login("tdv1")
    home = client.get("/appraise/").get_data(as_text=True)
    assert "Phường Trương Quang Trọng" in home and "Chưa thẩm định" in home
    url = page_url(assessment_round, ward)
    page = client.get(url).get_data(as_text=True)
    assert "Điểm tự chấm:" in page and "Chưa số hóa hồ sơ" in page  # the unit's reason beside the fields

    assert appraise(client, url, "1.1.1", decision="accept").status_code == 302
    assert appraised("1.1.1").points == 0.5 and appraised("1.1.1").reason == ""

    refused = appraise(client, url, "1.1.1", decision="change", points="1", reason="")
    assert "khác điểm tự chấm (0,5): hãy ghi lý do." in refused.get_data(as_text=True)
    assert appraised("1.1.1").points == 0.5

    refused = appraise(client, url, "1.1.1", decision="change", points="1,5", reason="Vượt")
    assert "Điểm của tiêu chí 1.1.1 (1,5) vượt điểm tối đa 1,25." in refused.get_data(as_text=True)
    assert appraised("1.1.1").points == 0.5

    response = appraise(client, url, "1.1.1", decision="change", points="1", reason="Kế hoạch ban hành đúng hạn")
    assert response.status_code == 302
    score = appraised("1.1.1")
    assert (
        score.points == 1.0 and score.reason == "Kế hoạch ban hành đúng hạn" and score.appraised_by.username == "tdv1"
    )
    # The unit's own points are untouched.
    assert db.session.scalar(select(SelfScore).filter_by(code="1.1.1")).points == 0.5

    entries = list(
        db.session.scalars(select(AuditEntry).filter_by(action=AuditAction.ITEM_APPRAISED).order_by(AuditEntry.id))
    )
    assert [entry.actor for entry in entries] == ["tdv1", "tdv1"]
    assert entries[-1].details["before"] == {"points": 0.5, "reason": ""}
    assert entries[-1].details["after"] == {"points": 1.0, "reason": "Kế hoạch ban hành đúng hạn"}
    assert entries[-1].details["self_assessed"] == 0.5


def test_finishing_is_refused_while_items_are_missing_then_the_unit_and_the_officer_see_the_result(
    client, auth, ward, officer, assessment_round
) -> None:
    auth.login("tdv1")
    url = page_url(assessment_round, ward)
    appraise(client, url, "1.1.1", decision="change", points="1", reason="Đủ hồ sơ")
    post(client, f"{url}/finish", url)
    assert "Chưa hoàn thành được: còn 44 tiêu chí chưa thẩm định" in client.get(url).get_data(as_text=True)
    assert the_assessment(assessment_round, ward).appraisal_finished_at is None
    assert "Đang thẩm định 1/45" in officer_round_page(client, auth, assessment_round)

    auth.login("tdv1")
    for item in assessment_round.criteria_set.definition.self_assessed[1:]:
        appraise(client, url, item.code, decision="accept")
    post(client, f"{url}/finish", url)
    assert the_assessment(assessment_round, ward).appraisal_finished_at is not None
    refused = appraise(client, url, "1.1.1", decision="accept")
    assert "Thẩm định lần 1 của đơn vị đã hoàn thành nên không sửa được nữa." in refused.get_data(as_text=True)
    assert appraised("1.1.1").points == 1.0

    page = officer_round_page(client, auth, assessment_round)
    assert "Đã thẩm định xong" in page and "23" in page  # 44 × 0,5 + 1

    auth.login("phuong")
    unit_page = client.get(f"/unit/rounds/{assessment_round.id}").get_data(as_text=True)
    assert "23 điểm thẩm định lần 1" in unit_page
    assert "Điểm thẩm định lần 1:" in unit_page and "lý do:" in unit_page and "Đủ hồ sơ" in unit_page


def officer_round_page(client, auth, assessment_round) -> str:
    auth.login("canbo")
    return client.get(f"/admin/rounds/{assessment_round.id}").get_data(as_text=True)


def test_an_appraiser_of_another_unit_or_area_is_refused_and_nothing_changes(
    client, auth, criteria_sets, ward, assessment_round
) -> None:
    other_ward = Unit(code="21173", name="Phường Thạch Thang", kind="phường")
    db.session.add(other_ward)
    db.session.commit()
    other_round = submitted_round(criteria_sets["CCHC-XA"], other_ward)
    other = appraiser_account("tdv2", "Thẩm định viên Hai")
    assign_appraiser(other_round, other, other_ward, None)
    area_only = appraiser_account("tdv3", "Thẩm định viên Ba")
    assign_appraiser(assessment_round, area_only, ward, "2")
    db.session.commit()

    auth.login("tdv2")
    url = page_url(assessment_round, ward)
    assert client.get(url).status_code == 404
    token = csrf_token_of(client.get(page_url(other_round, other_ward)).get_data(as_text=True))
    response = client.post(f"{url}/items/1.1.1", data={"item-1.1.1-csrf_token": token, "item-1.1.1-decision": "accept"})
    assert response.status_code == 404
    assert "Phường Trương Quang Trọng" not in client.get("/appraise/").get_data(as_text=True)

    auth.login("tdv3")
    page = client.get(url).get_data(as_text=True)
    assert "Bạn được phân công thẩm định lĩnh vực: 2." in page
    assert 'name="item-1.1.1-decision"' not in page
    refused = appraise(client, url, "1.1.1", decision="accept").get_data(as_text=True)
    assert "Bạn không được phân công thẩm định tiêu chí 1.1.1 của Phường Trương Quang Trọng" in refused
    assert appraised("1.1.1") is None
    area_two = next(item for item in assessment_round.criteria_set.definition.self_assessed if item.code[0] == "2")
    assert appraise(client, url, area_two.code, decision="accept").status_code == 302
    assert appraised(area_two.code).points == 0.5


def test_the_officer_assigns_appraisers_and_opens_appraisal_only_once_every_unit_submitted(
    client, auth, officer, criteria_sets, ward, unit_account
) -> None:
    appraiser_account("tdv1", "Thẩm định viên Một")
    assessment_round = open_round(criteria_sets["CCHC-XA"], ward)
    auth.login("canbo")
    url = f"/admin/rounds/{assessment_round.id}"
    post(client, f"{url}/open-appraisal", url)
    page = client.get(url).get_data(as_text=True)
    assert "Chưa mở thẩm định được: 1 đơn vị chưa gửi bản tự đánh giá: Phường Trương Quang Trọng." in page
    db.session.rollback()
    assert assessment_round.stage is RoundStage.SELF_ASSESSMENT

    tdv1 = db.session.scalar(select(User).filter_by(username="tdv1"))
    post(client, f"{url}/appraisers", url, {"appraiser_id": tdv1.id, "unit_id": ward.id, "area_code": "3"})
    page = client.get(url).get_data(as_text=True)
    assert "Đã phân công Thẩm định viên Một thẩm định Phường Trương Quang Trọng." in page
    post(client, f"{url}/appraisers", url, {"appraiser_id": tdv1.id, "unit_id": ward.id, "area_code": "3"})
    assert "đã được phân công thẩm định Phường Trương Quang Trọng như vậy" in client.get(url).get_data(as_text=True)
    entry = db.session.scalar(select(AuditEntry).filter_by(action=AuditAction.APPRAISER_ASSIGNED))
    assert entry.actor == "canbo" and entry.details["area"] == "3"

    complete_all_but(the_assessment(assessment_round, ward))
    submit_self_assessment(the_assessment(assessment_round, ward))
    db.session.commit()
    post(client, f"{url}/open-appraisal", url)
    assert "Đã mở thẩm định." in client.get(url).get_data(as_text=True)
    db.session.rollback()
    assert assessment_round.stage is RoundStage.APPRAISAL
    # From then on the unit's self-assessment is not returned any more.
    unit_url = f"{url}/units/{ward.id}"
    post(client, f"{unit_url}/return", unit_url, {"reason": "Sửa lại"})
    assert the_assessment(assessment_round, ward).status.value == "submitted"


def test_the_officer_creates_an_appraiser_account(client, auth, officer) -> None:
    auth.login("canbo")
    page = client.get("/admin/accounts/new-appraiser").get_data(as_text=True)
    token = csrf_token_of(page)
    response = client.post(
        "/admin/accounts/new-appraiser", data={"csrf_token": token, "username": "tdv9", "full_name": "Nguyễn Văn A"}
    )
    assert "tdv9" in response.get_data(as_text=True)
    user = db.session.scalar(select(User).filter_by(username="tdv9"))
    assert user.role is UserRole.APPRAISER and user.assessed_unit is None
    assert "Thẩm định viên" in client.get("/admin/accounts").get_data(as_text=True)


def test_create_user_makes_an_appraiser_without_units(runner, app, ward) -> None:
    result = runner.invoke(args=["create-user", "tdv5", "--role", "appraiser", "--password", PASSWORD])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(User).filter_by(username="tdv5")).role is UserRole.APPRAISER
    refused = runner.invoke(
        args=["create-user", "tdv6", "--role", "appraiser", "--unit", "21172", "--password", PASSWORD]
    )
    assert refused.exit_code != 0 and "appraisers are assigned units per round" in refused.output


def test_the_officer_removes_an_assignment_until_the_appraiser_has_appraised_under_it(
    client, auth, officer, ward, assessment_round
) -> None:
    area_only = appraiser_account("tdv3", "Thẩm định viên Ba")
    assign_appraiser(assessment_round, area_only, ward, "2")
    db.session.commit()
    auth.login("tdv3")
    area_two = next(item for item in assessment_round.criteria_set.definition.self_assessed if item.code[0] == "2")
    appraise(client, page_url(assessment_round, ward), area_two.code, decision="accept")
    auth.login("tdv1")
    appraise(client, page_url(assessment_round, ward), "1.1.1", decision="accept")

    assignments = {a.appraiser.username: a.id for a in db.session.scalars(select(AppraiserAssignment))}
    url = f"/admin/rounds/{assessment_round.id}"
    officer_round_page(client, auth, assessment_round)
    post(client, f"{url}/appraisers/{assignments['tdv1']}/delete", url)
    page = client.get(url).get_data(as_text=True)
    assert (
        "Không bỏ phân công được: Thẩm định viên Một đã thẩm định tiêu chí 1.1.1 của Phường Trương Quang Trọng." in page
    )
    post(client, f"{url}/appraisers/{assignments['tdv3']}/delete", url)
    assert "Không bỏ phân công được: Thẩm định viên Ba đã thẩm định tiêu chí" in client.get(url).get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(AppraiserAssignment)) == 2

    # An assignment of an area where the appraiser appraised nothing goes, audited.
    assign_appraiser(assessment_round, area_only, ward, "3")
    db.session.commit()
    area_three = db.session.scalar(select(AppraiserAssignment).filter_by(area_code="3"))
    post(client, f"{url}/appraisers/{area_three.id}/delete", url)
    page = client.get(url).get_data(as_text=True)
    assert "Đã bỏ phân công Thẩm định viên Ba thẩm định Phường Trương Quang Trọng." in page
    db.session.rollback()
    assert db.session.scalar(select(AppraiserAssignment).filter_by(area_code="3")) is None
    entry = db.session.scalar(select(AuditEntry).filter_by(action=AuditAction.APPRAISER_UNASSIGNED))
    assert entry.actor == "canbo" and entry.details == {
        "round_id": assessment_round.id,
        "appraiser": "tdv3",
        "unit": ward.code,
        "area": "3",
    }
    # Another round's assignment is not found here.
    assert (
        post(
            client, f"/admin/rounds/{assessment_round.id + 1}/appraisers/{assignments['tdv1']}/delete", url
        ).status_code
        == 404
    )
