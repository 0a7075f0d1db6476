"""A unit carries last year's evidence into a new round: for one item or all, cited again (not
uploaded again), audited; refused when the assessment is locked; only its own earlier rounds."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from sqlalchemy import func, select

from surveyapp.extensions import db
from surveyapp.models import AuditAction, AuditEntry, EvidenceFile, Unit
from surveyapp.services.assessment_rounds import RoundDraft, create_round, open_self_assessment
from surveyapp.services.evidence import upload_evidence
from surveyapp.services.self_assessments import ScoreDraft, save_score, submit_self_assessment
from tests.web.test_self_assessment import PDF, complete_all_but, open_round, post, the_assessment


def last_year_round(criteria_set, unit: Unit, citations: dict[str, list[EvidenceFile]]):
    """A round of last year in which ``unit`` cited ``citations`` (item code → files)."""
    today = dt.date.today()
    assessment_round = create_round(
        RoundDraft("Chỉ số CCHC năm trước", today.year - 1, criteria_set.id, unit.id, today, today)
    )
    open_self_assessment(assessment_round)
    db.session.commit()
    assessment = the_assessment(assessment_round, unit)
    for code, files in citations.items():
        save_score(assessment, code, ScoreDraft("1", "", tuple(file.id for file in files), ""))
    db.session.commit()
    return assessment_round


def evidence(unit: Unit, title: str, by) -> EvidenceFile:
    return upload_evidence(unit, title, f"{title[:8]}.pdf", io.BytesIO(PDF), by=by)


@pytest.fixture
def files(ward, unit_account) -> dict[str, EvidenceFile]:
    made = {
        name: evidence(ward, title, unit_account)
        for name, title in (
            ("plan", "Kế hoạch CCHC năm trước"),
            ("report", "Báo cáo CCHC năm trước"),
            ("new", "Quyết định mới"),
        )
    }
    db.session.commit()
    return made


@pytest.fixture
def rounds(criteria_sets, ward, files):
    """Last year the ward cited the plan for 1.1.1 and the report for 1.2; this year's round is open."""
    earlier = last_year_round(criteria_sets["CCHC-XA"], ward, {"1.1.1": [files["plan"]], "1.2": [files["report"]]})
    return earlier, open_round(criteria_sets["CCHC-XA"], ward)


def cited(assessment_round, unit, code: str) -> list[int]:
    score = next((s for s in the_assessment(assessment_round, unit).scores if s.code == code), None)
    return [] if score is None else [file.id for file in score.evidence]


def test_a_unit_cites_last_years_evidence_again_for_one_item_then_all(client, auth, ward, files, rounds) -> None:
    _, this_year = rounds
    auth.login("phuong")
    url = f"/unit/rounds/{this_year.id}"
    page = client.get(url).get_data(as_text=True)
    assert "2 tiêu chí có tài liệu kiểm chứng đơn vị đã trích dẫn ở kỳ đánh giá trước." in page
    assert "Năm trước đã trích dẫn: Kế hoạch CCHC năm trước" in page

    post(client, f"{url}/items/1.1.1/carry-evidence", url)
    page = client.get(url).get_data(as_text=True)
    assert "Đã dùng lại 1 tài liệu kiểm chứng năm trước cho 1 tiêu chí." in page
    assert cited(this_year, ward, "1.1.1") == [files["plan"].id] and cited(this_year, ward, "1.2") == []
    assert "1 tiêu chí có tài liệu kiểm chứng" in page  # 1.2 is still offered, 1.1.1 no more

    post(client, f"{url}/carry-evidence", url)
    assert cited(this_year, ward, "1.2") == [files["report"].id]
    assert cited(this_year, ward, "1.1.1") == [files["plan"].id]  # not cited twice
    # Cited again, not uploaded again; the points are still the unit's to give.
    assert db.session.scalar(select(func.count()).select_from(EvidenceFile)) == 3
    assert the_assessment(this_year, ward).scores[0].points is None
    entries = db.session.scalars(
        select(AuditEntry).filter_by(action=AuditAction.EVIDENCE_CARRIED).order_by(AuditEntry.id)
    ).all()
    assert [(entry.actor, entry.details["items"]) for entry in entries] == [
        ("phuong", {"1.1.1": [files["plan"].id]}),
        ("phuong", {"1.2": [files["report"].id]}),
    ]
    post(client, f"{url}/carry-evidence", url)
    assert "Không có tài liệu kiểm chứng năm trước nào để dùng lại." in client.get(url).get_data(as_text=True)


def test_carrying_forward_is_refused_once_the_assessment_is_submitted(client, auth, ward, files, rounds) -> None:
    _, this_year = rounds
    assessment = the_assessment(this_year, ward)
    complete_all_but(assessment)
    submit_self_assessment(assessment)
    db.session.commit()
    auth.login("phuong")
    url = f"/unit/rounds/{this_year.id}"
    assert "Dùng lại tài liệu kiểm chứng năm trước" not in client.get(url).get_data(as_text=True)

    post(client, f"{url}/items/1.1.1/carry-evidence", url)

    assert "Bản tự đánh giá đã gửi nên không sửa được nữa." in client.get(url).get_data(as_text=True)
    assert cited(this_year, ward, "1.1.1") == []
    assert db.session.scalar(select(AuditEntry).filter_by(action=AuditAction.EVIDENCE_CARRIED)) is None


def test_only_the_units_own_earlier_rounds_are_carried(client, auth, criteria_sets, ward, files, unit_account) -> None:
    neighbour = Unit(code="21173", name="Phường Thạch Thang", kind="phường")
    db.session.add(neighbour)
    db.session.commit()
    theirs = evidence(neighbour, "Kế hoạch của phường bên cạnh", unit_account)
    db.session.commit()
    last_year_round(criteria_sets["CCHC-XA"], neighbour, {"1.1.1": [theirs]})
    this_year = open_round(criteria_sets["CCHC-XA"], ward)
    auth.login("phuong")
    url = f"/unit/rounds/{this_year.id}"

    assert "Kế hoạch của phường bên cạnh" not in client.get(url).get_data(as_text=True)
    post(client, f"{url}/items/1.1.1/carry-evidence", url)

    assert "Không có tài liệu kiểm chứng năm trước nào để dùng lại cho tiêu chí 1.1.1." in client.get(url).get_data(
        as_text=True
    )
    assert cited(this_year, ward, "1.1.1") == []
