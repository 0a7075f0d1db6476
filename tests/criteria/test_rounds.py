"""Stored criteria set versions and assessment rounds: sync refuses a changed version, a new
version is a new row, and a round moves to it only while it is prepared."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

from surveyapp.criteria.definition import CriteriaError
from surveyapp.extensions import db
from surveyapp.models import AssessmentRound, AuditAction, AuditEntry, CriteriaSetVersion, RoundStage, Unit
from surveyapp.services.assessment_rounds import (
    RoundDraft,
    RoundError,
    create_round,
    get_assessed_units,
    move_round,
    open_self_assessment,
)
from surveyapp.services.criteria_sets import sync_criteria_sets
from tests.conftest import CRITERIA_DIR, FORMS_DIR

XA = "CCHC-XA.v1.yaml"


def new_version(folder: Path, title: str = "Bộ chỉ số cấp xã năm 2025 (đã phê duyệt)") -> Path:
    """Version 2 of the commune set beside version 1 in ``folder``, with another title."""
    shutil.copy(CRITERIA_DIR / XA, folder / XA)
    text = (CRITERIA_DIR / XA).read_text(encoding="utf-8")
    text = text.replace("version: 1\n", "version: 2\n", 1)
    text = text.replace("vi: Bộ chỉ số cải cách hành chính cấp xã (mẫu)", f"vi: {title}", 1)
    path = folder / "CCHC-XA.v2.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def draft(criteria_set: CriteriaSetVersion, unit: Unit, **changes) -> RoundDraft:
    today = dt.date.today()
    values = dict(
        name="Chỉ số CCHC năm 2025",
        year=2025,
        criteria_set_id=criteria_set.id,
        parent_unit_id=unit.id,
        self_assessment_opens_on=today,
        self_assessment_due_on=today + dt.timedelta(days=30),
    )
    return RoundDraft(**(values | changes))


def test_sync_stores_every_shipped_set_once(app) -> None:
    added = sync_criteria_sets(CRITERIA_DIR, FORMS_DIR)
    assert sorted((s.code, s.version) for s in added) == [("CCHC-SO", 1), ("CCHC-XA", 1)]
    assert sync_criteria_sets(CRITERIA_DIR, FORMS_DIR) == []
    stored = db.session.scalar(select(CriteriaSetVersion).filter_by(code="CCHC-XA"))
    assert stored.definition.total == 100 and stored.definition.is_template


def test_sync_refuses_a_stored_version_whose_file_changed_and_stores_nothing(app, tmp_path) -> None:
    shutil.copy(CRITERIA_DIR / XA, tmp_path / XA)
    sync_criteria_sets(tmp_path, FORMS_DIR)
    db.session.commit()
    changed = (tmp_path / XA).read_text(encoding="utf-8").replace("Thực hiện kế hoạch CCHC", "Kế hoạch CCHC", 1)
    new_version(tmp_path)  # a valid version 2 beside it: not stored either
    (tmp_path / XA).write_text(changed, encoding="utf-8")
    with pytest.raises(CriteriaError, match="version 1 of CCHC-XA is already stored with other content"):
        sync_criteria_sets(tmp_path, FORMS_DIR)
    db.session.rollback()
    assert db.session.scalars(select(CriteriaSetVersion.version)).all() == [1]


def test_a_new_version_is_a_new_row(app, tmp_path) -> None:
    new_version(tmp_path)
    added = sync_criteria_sets(tmp_path, FORMS_DIR)
    assert [(s.code, s.version) for s in added] == [("CCHC-XA", 1), ("CCHC-XA", 2)]
    assert added[1].definition.title.vi == "Bộ chỉ số cấp xã năm 2025 (đã phê duyệt)"


def test_a_ward_assesses_itself_and_a_province_its_departments(app, ward, criteria_sets) -> None:
    province = Unit(code="52", name="Tỉnh Thử", kind="tỉnh")
    province.children.append(Unit(code="52-S1", name="Sở Nội vụ", kind="sở"))
    province.children.append(Unit(code="52-S2", name="Sở Tư pháp", kind="sở"))
    db.session.add(province)
    db.session.flush()
    assert [u.code for u in get_assessed_units(criteria_sets["CCHC-XA"], ward)] == ["21172"]
    assert [u.code for u in get_assessed_units(criteria_sets["CCHC-SO"], province)] == ["52-S1", "52-S2"]
    with pytest.raises(RoundError, match="không có đơn vị nào thuộc loại"):
        create_round(draft(criteria_sets["CCHC-SO"], ward))


def test_a_round_is_created_preparing_and_audited(app, ward, criteria_sets) -> None:
    assessment_round = create_round(draft(criteria_sets["CCHC-XA"], ward))
    assert assessment_round.stage is RoundStage.PREPARING
    entry = db.session.scalar(select(AuditEntry).filter_by(action=AuditAction.ROUND_CREATED))
    assert entry.details == {
        "round_id": assessment_round.id,
        "name": "Chỉ số CCHC năm 2025",
        "criteria_set": "CCHC-XA v1",
    }
    today = dt.date.today()
    with pytest.raises(RoundError, match="Hạn tự đánh giá không được trước ngày bắt đầu"):
        create_round(draft(criteria_sets["CCHC-XA"], ward, self_assessment_due_on=today - dt.timedelta(days=1)))


def test_a_new_version_moves_a_preparing_round_and_leaves_past_rounds_alone(app, ward, criteria_sets, tmp_path) -> None:
    version_1 = criteria_sets["CCHC-XA"]
    past = create_round(draft(version_1, ward, name="Chỉ số CCHC năm 2024", year=2024))
    open_self_assessment(past)
    current = create_round(draft(version_1, ward))
    db.session.commit()
    new_version(tmp_path)
    version_2 = next(s for s in sync_criteria_sets(tmp_path, FORMS_DIR) if s.version == 2)
    move_round(current, version_2)
    db.session.commit()
    assert db.session.get(AssessmentRound, current.id).criteria_set.version == 2
    assert db.session.get(AssessmentRound, past.id).criteria_set.version == 1
    moved = db.session.scalar(select(AuditEntry).filter_by(action=AuditAction.ROUND_MOVED))
    assert moved.details == {"round_id": current.id, "before": "CCHC-XA v1", "after": "CCHC-XA v2"}
    # Self-assessment open: the round's version is fixed.
    with pytest.raises(RoundError, match="Chỉ chuyển được bộ chỉ số khi kỳ đánh giá đang chuẩn bị"):
        move_round(past, version_2)
    assert past.criteria_set.version == 1


def test_a_round_moves_only_to_a_version_of_its_own_set(app, ward, criteria_sets) -> None:
    assessment_round = create_round(draft(criteria_sets["CCHC-XA"], ward))
    with pytest.raises(RoundError, match="Chỉ chuyển được sang phiên bản khác của bộ chỉ số CCHC-XA"):
        move_round(assessment_round, criteria_sets["CCHC-SO"])
    with pytest.raises(RoundError, match="đang dùng phiên bản 1"):
        move_round(assessment_round, criteria_sets["CCHC-XA"])


def test_self_assessment_opens_once_and_not_after_its_deadline(app, ward, criteria_sets) -> None:
    today = dt.date.today()
    late = create_round(
        draft(
            criteria_sets["CCHC-XA"],
            ward,
            self_assessment_opens_on=today - dt.timedelta(days=30),
            self_assessment_due_on=today - dt.timedelta(days=2),
        )
    )
    with pytest.raises(RoundError, match="Hạn tự đánh giá đã qua"):
        open_self_assessment(late)
    assert late.stage is RoundStage.PREPARING
    assessment_round = create_round(draft(criteria_sets["CCHC-XA"], ward))
    open_self_assessment(assessment_round)
    assert assessment_round.stage is RoundStage.SELF_ASSESSMENT
    with pytest.raises(RoundError, match="Tự đánh giá đã được mở"):
        open_self_assessment(assessment_round)
