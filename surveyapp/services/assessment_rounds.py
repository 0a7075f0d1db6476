"""PAR assessment rounds (*kỳ đánh giá*): create one, move it to another version of its set
while it is prepared, open self-assessment, open appraisal, open the explanation, open
appraisal 2, close the appraisal.

Writes flush, record their audit entry and raise ``RoundError``; the caller commits.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.i18n import short_date
from surveyapp.models import AssessmentRound, AuditAction, CriteriaSetVersion, RoundStage, SelfAssessmentStatus, Unit
from surveyapp.services.audit import record_action
from surveyapp.services.explanations import get_undecided, is_explanation_overdue
from surveyapp.services.responses import local_today
from surveyapp.services.self_assessments import freeze_units, get_round_assessments
from surveyapp.services.unit_appraisals import get_appraised_total

STAGE_LABELS = {
    RoundStage.PREPARING: _l("Đang chuẩn bị"),
    RoundStage.SELF_ASSESSMENT: _l("Đang tự đánh giá"),
    RoundStage.APPRAISAL: _l("Đang thẩm định"),
    RoundStage.EXPLANATION: _l("Đang giải trình"),
    RoundStage.APPRAISAL_2: _l("Đang thẩm định lần 2"),
    RoundStage.CLOSED: _l("Đã kết thúc thẩm định"),
}


class RoundError(ValueError):
    """A round cannot be created or changed as asked; the message (Vietnamese by default) says why."""


@dataclass(frozen=True)
class RoundDraft:
    """What an officer entered for a new round, checked by the form before it gets here."""

    name: str
    year: int
    criteria_set_id: int
    parent_unit_id: int
    self_assessment_opens_on: dt.date
    self_assessment_due_on: dt.date


def get_assessed_units(criteria_set: CriteriaSetVersion, parent_unit: Unit) -> list[Unit]:
    """The current units of ``parent_unit``'s subtree (itself included) whose kind the set
    assesses, in code order: a ward that assesses itself, a district's communes, a province's
    departments."""
    kinds = set(criteria_set.definition.assessed_unit_kinds)
    return sorted(
        (unit for unit in parent_unit.subtree() if unit.is_current and (not kinds or unit.kind in kinds)),
        key=lambda unit: unit.code,
    )


def create_round(draft: RoundDraft) -> AssessmentRound:
    """A new round, preparing; recorded in the audit log."""
    criteria_set = db.session.get(CriteriaSetVersion, draft.criteria_set_id)
    parent_unit = db.session.get(Unit, draft.parent_unit_id)
    if criteria_set is None or parent_unit is None:
        raise RoundError(_("Bộ chỉ số hoặc đơn vị đã chọn không còn tồn tại. Vui lòng chọn lại."))
    if draft.self_assessment_due_on < draft.self_assessment_opens_on:
        raise RoundError(_("Hạn tự đánh giá không được trước ngày bắt đầu tự đánh giá."))
    if not get_assessed_units(criteria_set, parent_unit):
        raise RoundError(
            _(
                "Trong %(unit)s không có đơn vị nào thuộc loại mà bộ chỉ số %(code)s đánh giá (%(kinds)s).",
                unit=parent_unit.name,
                code=criteria_set.code,
                kinds=", ".join(criteria_set.definition.assessed_unit_kinds),
            )
        )
    assessment_round = AssessmentRound(
        name=draft.name.strip(),
        year=draft.year,
        criteria_set=criteria_set,
        parent_unit=parent_unit,
        stage=RoundStage.PREPARING,
        self_assessment_opens_on=draft.self_assessment_opens_on,
        self_assessment_due_on=draft.self_assessment_due_on,
    )
    db.session.add(assessment_round)
    db.session.flush()
    record_action(
        AuditAction.ROUND_CREATED,
        round_id=assessment_round.id,
        name=assessment_round.name,
        criteria_set=f"{criteria_set.code} v{criteria_set.version}",
    )
    return assessment_round


def move_round(assessment_round: AssessmentRound, criteria_set: CriteriaSetVersion) -> None:
    """Let a round use another version of its set (a late decision of the province); only while
    it is prepared, since the units score themselves against the version they see. Other
    rounds, past ones above all, keep theirs. Recorded in the audit log."""
    current = assessment_round.criteria_set
    if assessment_round.stage is not RoundStage.PREPARING:
        raise RoundError(_("Chỉ chuyển được bộ chỉ số khi kỳ đánh giá đang chuẩn bị, trước khi mở tự đánh giá."))
    if criteria_set.code != current.code:
        raise RoundError(_("Chỉ chuyển được sang phiên bản khác của bộ chỉ số %(code)s.", code=current.code))
    if criteria_set.id == current.id:
        raise RoundError(_("Kỳ đánh giá đang dùng phiên bản %(version)d.", version=current.version))
    if not get_assessed_units(criteria_set, assessment_round.parent_unit):
        raise RoundError(
            _("Phiên bản %(version)d không đánh giá đơn vị nào của kỳ đánh giá này.", version=criteria_set.version)
        )
    assessment_round.criteria_set = criteria_set
    record_action(
        AuditAction.ROUND_MOVED,
        round_id=assessment_round.id,
        before=f"{current.code} v{current.version}",
        after=f"{criteria_set.code} v{criteria_set.version}",
    )
    db.session.flush()


def open_self_assessment(assessment_round: AssessmentRound, *, only: set[str] | None = None) -> None:
    """Let the units score themselves: from then on the round's set version and its units
    (each given its self-assessment) are fixed. Recorded in the audit log.

    ``only`` keeps, of the units the round assesses, those of these codes (the demo assesses
    six communes of its province, not all of them); by default all are assessed.
    """
    if assessment_round.stage is not RoundStage.PREPARING:
        raise RoundError(_("Tự đánh giá đã được mở."))
    if assessment_round.self_assessment_due_on < local_today():
        raise RoundError(_("Hạn tự đánh giá đã qua: hãy tạo kỳ đánh giá với hạn mới."))
    units = get_assessed_units(assessment_round.criteria_set, assessment_round.parent_unit)
    if only is not None:
        units = [unit for unit in units if unit.code in only]
    assessment_round.stage = RoundStage.SELF_ASSESSMENT
    freeze_units(assessment_round, units)
    record_action(AuditAction.ASSESSMENT_OPENED, round_id=assessment_round.id, units=len(units))
    db.session.flush()


def open_appraisal(assessment_round: AssessmentRound) -> None:
    """Start appraisal 1 once every unit has submitted its self-assessment (an officer types in
    one received on paper first): from then on no self-assessment changes. Recorded in the audit log."""
    if assessment_round.stage is not RoundStage.SELF_ASSESSMENT:
        raise RoundError(_("Chỉ mở thẩm định được khi kỳ đánh giá đang ở giai đoạn tự đánh giá."))
    waiting = [
        assessment.unit.name
        for assessment in get_round_assessments(assessment_round)
        if assessment.status is not SelfAssessmentStatus.SUBMITTED
    ]
    if waiting:
        raise RoundError(
            _(
                "Chưa mở thẩm định được: %(count)d đơn vị chưa gửi bản tự đánh giá: %(units)s.",
                count=len(waiting),
                units=", ".join(waiting),
            )
        )
    assessment_round.stage = RoundStage.APPRAISAL
    record_action(AuditAction.APPRAISAL_OPENED, round_id=assessment_round.id)
    db.session.flush()


def open_explanation(assessment_round: AssessmentRound, due_on: dt.date) -> None:
    """Show every unit its appraisal 1 and let it explain the items it disagrees with until
    ``due_on`` (not in the past), once every unit's appraisal 1 is finished. Recorded in the
    audit log."""
    if assessment_round.stage is not RoundStage.APPRAISAL:
        raise RoundError(_("Chỉ mở giải trình được khi kỳ đánh giá đang ở giai đoạn thẩm định."))
    if is_explanation_overdue(due_on):
        raise RoundError(_("Hạn giải trình (%(date)s) đã qua: hãy chọn từ hôm nay trở đi.", date=short_date(due_on)))
    waiting = [
        assessment.unit.name
        for assessment in get_round_assessments(assessment_round)
        if assessment.appraisal_finished_at is None
    ]
    if waiting:
        raise RoundError(
            _(
                "Chưa mở giải trình được: %(count)d đơn vị chưa được thẩm định xong lần 1: %(units)s.",
                count=len(waiting),
                units=", ".join(waiting),
            )
        )
    assessment_round.stage = RoundStage.EXPLANATION
    assessment_round.explanation_due_on = due_on
    record_action(AuditAction.EXPLANATION_OPENED, round_id=assessment_round.id, due_on=due_on.isoformat())
    db.session.flush()


def open_appraisal_2(assessment_round: AssessmentRound) -> None:
    """Start appraisal 2 of the items the units explained, once every unit has submitted its
    explanation (or declared it has none) or the explanation due date has passed: from then on
    no explanation changes. Recorded in the audit log."""
    if assessment_round.stage is not RoundStage.EXPLANATION:
        raise RoundError(_("Chỉ mở thẩm định lần 2 được khi kỳ đánh giá đang ở giai đoạn giải trình."))
    assessments = get_round_assessments(assessment_round)
    if not is_explanation_overdue(assessment_round.explanation_due_on):
        waiting = [assessment.unit.name for assessment in assessments if assessment.explanation_submitted_at is None]
        if waiting:
            raise RoundError(
                _(
                    "Chưa mở thẩm định lần 2 được: %(count)d đơn vị chưa gửi giải trình và chưa hết hạn giải "
                    "trình (%(date)s): %(units)s.",
                    count=len(waiting),
                    date=short_date(assessment_round.explanation_due_on),
                    units=", ".join(waiting),
                )
            )
    assessment_round.stage = RoundStage.APPRAISAL_2
    record_action(
        AuditAction.APPRAISAL_2_OPENED,
        round_id=assessment_round.id,
        explained=sum(len(assessment.explanations) for assessment in assessments),
    )
    db.session.flush()


def close_appraisal(assessment_round: AssessmentRound) -> None:
    """Close the round's appraisal once appraisal 2 has decided every explained item: from then
    on the appraised points are final and nothing of the appraisal changes. Recorded in the
    audit log with each unit's final points."""
    if assessment_round.stage is not RoundStage.APPRAISAL_2:
        raise RoundError(_("Chỉ kết thúc thẩm định được khi kỳ đánh giá đang ở giai đoạn thẩm định lần 2."))
    assessments = get_round_assessments(assessment_round)
    undecided = [
        f"{assessment.unit.name} ({', '.join(explanation.code for explanation in get_undecided(assessment))})"
        for assessment in assessments
        if get_undecided(assessment)
    ]
    if undecided:
        raise RoundError(
            _(
                "Chưa kết thúc thẩm định được: còn tiêu chí giải trình chưa thẩm định lần 2: %(items)s.",
                items="; ".join(undecided),
            )
        )
    assessment_round.stage = RoundStage.CLOSED
    record_action(
        AuditAction.APPRAISAL_CLOSED,
        round_id=assessment_round.id,
        points={assessment.unit.code: get_appraised_total(assessment) for assessment in assessments},
    )
    db.session.flush()


def get_rounds() -> list[AssessmentRound]:
    """Every round, newest year first."""
    return list(
        db.session.scalars(select(AssessmentRound).order_by(AssessmentRound.year.desc(), AssessmentRound.id.desc()))
    )
