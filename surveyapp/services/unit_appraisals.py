"""Appraisal 1 (*thẩm định lần 1*) of units' self-assessments by the appraisal group (*Tổ thẩm
định*): assigning appraisers (and taking an assignment away), appraising an item, finishing a
unit's appraisal.

An appraiser is assigned per round to a unit, for one area of the set or all of them
(``AppraiserAssignment``); what they may appraise is decided here once (``may_appraise``).
The appraised points are kept apart from the unit's own, which stay as the unit gave them.
What makes a unit's appraisal complete is written once (``get_unappraised``). Writes flush,
record their audit entry (who, when, from what to what) and raise ``AppraisalError`` with a
Vietnamese message; the caller commits.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

from flask_babel import format_decimal as number
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from surveyapp.criteria.definition import TOLERANCE, Adjustment, Node
from surveyapp.extensions import db
from surveyapp.models import (
    AppraisalScore,
    AppraiserAssignment,
    AssessmentRound,
    AuditAction,
    EvidenceFile,
    Explanation,
    RoundStage,
    SelfAssessment,
    SelfAssessmentStatus,
    SelfScore,
    Unit,
    User,
)
from surveyapp.models.self_assessments import explanation_evidence, self_score_evidence
from surveyapp.services.audit import record_action
from surveyapp.services.self_assessments import (
    SelfAssessmentError,
    get_item,
    get_items,
    read_points,
    scores_by_code,
)


class AppraisalError(ValueError):
    """An appraisal cannot be changed as asked; the message (Vietnamese by default) says why."""


class AppraisalStanding(enum.Enum):
    """How far a unit's appraisal 1 is, as the officer's round page shows it."""

    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    FINISHED = "finished"


APPRAISAL_STANDING_LABELS = {
    AppraisalStanding.NOT_STARTED: _l("Chưa thẩm định"),
    AppraisalStanding.IN_PROGRESS: _l("Đang thẩm định"),
    AppraisalStanding.FINISHED: _l("Đã thẩm định xong"),
}


@dataclass(frozen=True)
class AppraisalDraft:
    """What an appraiser chose for one item: accept the unit's points, or other ``points`` (as
    typed) with the ``reason``, required when they differ from the unit's."""

    is_accepted: bool
    points: str
    reason: str


@dataclass(frozen=True)
class AppraisalProgress:
    """Where a unit's appraisal 1 stands: items appraised out of ``total``, and their points."""

    standing: AppraisalStanding
    done: int
    total: int
    points: float


def get_assignments(assessment_round: AssessmentRound) -> list[AppraiserAssignment]:
    """The round's appraiser assignments, by unit code then appraiser."""
    statement = (
        select(AppraiserAssignment)
        .join(Unit)
        .join(User, AppraiserAssignment.appraiser_id == User.id)
        .filter(AppraiserAssignment.round_id == assessment_round.id)
        .order_by(Unit.code, User.username, AppraiserAssignment.area_code)
    )
    return list(db.session.scalars(statement))


def get_appraiser_assessments(appraiser: User) -> list[SelfAssessment]:
    """The self-assessments an appraiser is assigned to (for any area), newest round first."""
    assigned = (
        select(AppraiserAssignment.id)
        .filter(
            AppraiserAssignment.appraiser_id == appraiser.id,
            AppraiserAssignment.round_id == SelfAssessment.round_id,
            AppraiserAssignment.unit_id == SelfAssessment.unit_id,
        )
        .exists()
    )
    statement = (
        select(SelfAssessment)
        .join(AssessmentRound, AssessmentRound.id == SelfAssessment.round_id)
        .join(Unit, Unit.id == SelfAssessment.unit_id)
        .filter(assigned)
        .order_by(AssessmentRound.year.desc(), AssessmentRound.id.desc(), Unit.code)
    )
    return list(db.session.scalars(statement))


def get_assigned_areas(appraiser: User, assessment: SelfAssessment) -> set[str | None]:
    """The area codes of the unit ``appraiser`` is assigned in the round; ``None`` in it means all."""
    statement = select(AppraiserAssignment.area_code).filter_by(
        round_id=assessment.round_id, unit_id=assessment.unit_id, appraiser_id=appraiser.id
    )
    return set(db.session.scalars(statement))


def _area_of(assessment: SelfAssessment, item: Node) -> Node:
    definition = assessment.assessment_round.criteria_set.definition
    return next(area for area in definition.areas if any(node.code == item.code for node in area.walk()))


def may_appraise(appraiser: User, assessment: SelfAssessment, item: Node | Adjustment) -> bool:
    """Whether ``appraiser`` is assigned to the unit in the round for the area holding ``item``;
    a bonus or penalty, in no area, is appraised by those assigned to all of the unit's areas."""
    areas = get_assigned_areas(appraiser, assessment)
    return None in areas or (isinstance(item, Node) and _area_of(assessment, item).code in areas)


def assign_appraiser(
    assessment_round: AssessmentRound, appraiser: User, unit: Unit, area_code: str | None
) -> AppraiserAssignment:
    """Assign ``appraiser`` to ``unit`` in the round, for the area ``area_code`` or (``None``) all. Audited.

    Refused when the account is not an active appraiser, the round does not assess the unit,
    the set has no such area, or the same assignment exists.
    """
    if not appraiser.is_appraiser or not appraiser.is_active:
        raise AppraisalError(
            _("Tài khoản %(username)s không phải thẩm định viên đang hoạt động.", username=appraiser.username)
        )
    if db.session.scalar(select(SelfAssessment).filter_by(round_id=assessment_round.id, unit_id=unit.id)) is None:
        raise AppraisalError(_("Kỳ đánh giá này không đánh giá đơn vị %(unit)s.", unit=unit.name))
    areas = {area.code for area in assessment_round.criteria_set.definition.areas}
    if area_code is not None and area_code not in areas:
        raise AppraisalError(_("Bộ chỉ số không có lĩnh vực %(code)s.", code=area_code))
    existing = db.session.scalar(
        select(AppraiserAssignment).filter_by(
            round_id=assessment_round.id, appraiser_id=appraiser.id, unit_id=unit.id, area_code=area_code
        )
    )
    if existing is not None:
        raise AppraisalError(
            _("%(name)s đã được phân công thẩm định %(unit)s như vậy.", name=appraiser.full_name, unit=unit.name)
        )
    assignment = AppraiserAssignment(
        assessment_round=assessment_round, appraiser=appraiser, unit=unit, area_code=area_code
    )
    db.session.add(assignment)
    db.session.flush()
    record_action(
        AuditAction.APPRAISER_ASSIGNED,
        round_id=assessment_round.id,
        appraiser=appraiser.username,
        unit=unit.code,
        area=area_code,
    )
    return assignment


def unassign_appraiser(assignment: AppraiserAssignment) -> None:
    """Take an appraiser's assignment away (a mistake, or someone else takes over). Audited.

    Refused, naming the appraiser and the items, once they have appraised an item of the
    assignment's unit (in its area, or any when it covers all): their points must keep the
    assignment that allowed them.
    """
    assessment = db.session.scalar(
        select(SelfAssessment).filter_by(round_id=assignment.round_id, unit_id=assignment.unit_id)
    )
    codes = {item.code for item in get_items(assessment)}
    if assignment.area_code is not None:
        area = next(
            area
            for area in assessment.assessment_round.criteria_set.definition.areas
            if area.code == assignment.area_code
        )
        codes &= {node.code for node in area.walk()}
    appraised = [
        score.code
        for score in assessment.appraisal_scores
        if score.appraised_by_id == assignment.appraiser_id and score.code in codes
    ]
    if appraised:
        raise AppraisalError(
            _(
                "Không bỏ phân công được: %(name)s đã thẩm định tiêu chí %(codes)s của %(unit)s.",
                name=assignment.appraiser.full_name,
                codes=", ".join(appraised),
                unit=assignment.unit.name,
            )
        )
    db.session.delete(assignment)
    db.session.flush()
    record_action(
        AuditAction.APPRAISER_UNASSIGNED,
        round_id=assignment.round_id,
        appraiser=assignment.appraiser.username,
        unit=assignment.unit.code,
        area=assignment.area_code,
    )


def check_appraisable(assessment: SelfAssessment) -> None:
    """Refuse appraising a unit whose round is not in appraisal, whose self-assessment is not
    submitted, or whose appraisal 1 is finished."""
    if assessment.assessment_round.stage is not RoundStage.APPRAISAL:
        raise AppraisalError(_("Kỳ đánh giá không ở giai đoạn thẩm định nên chưa thẩm định được."))
    if assessment.status is not SelfAssessmentStatus.SUBMITTED:
        raise AppraisalError(_("Đơn vị chưa gửi bản tự đánh giá nên chưa thẩm định được."))
    if assessment.appraisal_finished_at is not None:
        raise AppraisalError(_("Thẩm định lần 1 của đơn vị đã hoàn thành nên không sửa được nữa."))


def appraisals_by_code(assessment: SelfAssessment) -> dict[str, AppraisalScore]:
    """The appraised points of the unit's items, by item code (items not appraised are absent)."""
    return {score.code: score for score in assessment.appraisal_scores}


def appraised_points(assessment: SelfAssessment) -> dict[str, float]:
    """The points the appraisal gives the unit's self-assessed items (and the bonus or penalty it
    scored itself) so far, by item code (items not appraised yet are absent): appraisal 2's
    decision on an item the unit explained, appraisal 1's points otherwise. What the unit's
    index counts for them."""
    points = {score.code: score.points for score in assessment.appraisal_scores}
    points |= {
        explanation.code: explanation.decided_points
        for explanation in assessment.explanations
        if explanation.decided_points is not None
    }
    return points


def get_appraised_total(assessment: SelfAssessment) -> float:
    """The appraised points of the unit's self-assessed items so far, added up; its bonus or
    penalty stays apart (the index adds or takes it)."""
    codes = {item.code for item in get_items(assessment)}
    return sum(points for code, points in appraised_points(assessment).items() if code in codes)


def get_first_appraisal_points(assessment: SelfAssessment) -> float:
    """The total appraisal 1 gave the unit's items (not its bonus or penalty), whatever appraisal 2
    decides later: what the unit sees, and answers in its explanation."""
    codes = {item.code for item in get_items(assessment)}
    return sum(score.points for score in assessment.appraisal_scores if score.code in codes)


def appraise_item(assessment: SelfAssessment, code: str, appraiser: User, draft: AppraisalDraft) -> AppraisalScore:
    """Give the self-assessed item ``code`` its appraised points: the unit's own accepted, or
    other points with a reason. The unit's points stay as they are. Audited (points and reason
    before and after).

    Refused, nothing changed, when the unit cannot be appraised now (``check_appraisable``),
    ``appraiser`` is not assigned to the unit and the item's area, the points break the rule of
    every item's points (``read_points``), or differ from the unit's without a reason.
    """
    check_appraisable(assessment)
    try:
        item = get_item(assessment, code)
        if not may_appraise(appraiser, assessment, item):
            raise AppraisalError(
                _(
                    "Bạn không được phân công thẩm định tiêu chí %(code)s của %(unit)s; không có gì thay đổi.",
                    code=code,
                    unit=assessment.unit.name,
                )
            )
        own = scores_by_code(assessment).get(code)
        if own is None or own.points is None:
            raise AppraisalError(_("Đơn vị không tự chấm mục %(code)s nên không có gì để thẩm định.", code=code))
        unit_points = own.points
        if draft.is_accepted:
            points = unit_points
        else:
            points = read_points(assessment.assessment_round.criteria_set.definition, item, draft.points)
    except SelfAssessmentError as error:
        raise AppraisalError(str(error)) from error
    if points is None:
        raise AppraisalError(_("Hãy chấp nhận điểm tự chấm hoặc nhập điểm thẩm định của tiêu chí %(code)s.", code=code))
    reason = "" if draft.is_accepted else draft.reason.strip()
    if abs(points - unit_points) > TOLERANCE and not reason:
        raise AppraisalError(
            _(
                "Điểm thẩm định của tiêu chí %(code)s (%(points)s) khác điểm tự chấm (%(own)s): hãy ghi lý do.",
                code=code,
                points=number(points),
                own=number(unit_points),
            )
        )
    score = appraisals_by_code(assessment).get(code)
    before = None if score is None else {"points": score.points, "reason": score.reason}
    if score is None:
        score = AppraisalScore(code=code)
        assessment.appraisal_scores.append(score)
    score.points = points
    score.reason = reason
    score.appraised_by = appraiser
    score.appraised_at = dt.datetime.now(dt.UTC)
    db.session.flush()
    record_action(
        AuditAction.ITEM_APPRAISED,
        round_id=assessment.round_id,
        unit=assessment.unit.code,
        item=code,
        self_assessed=unit_points,
        before=before,
        after={"points": points, "reason": reason},
    )
    return score


def get_unappraised(assessment: SelfAssessment) -> list[Node | Adjustment]:
    """The self-assessed items, and the bonus or penalty the unit claimed, without appraised
    points yet: appraisal 1 is complete when none is left."""
    appraised = appraisals_by_code(assessment)
    scores = scores_by_code(assessment)
    claimed = [
        item
        for item in assessment.assessment_round.criteria_set.definition.self_assessed_adjustments
        if item.code in scores and scores[item.code].points is not None
    ]
    return [item for item in (*get_items(assessment), *claimed) if item.code not in appraised]


def get_appraisal_progress(assessment: SelfAssessment) -> AppraisalProgress:
    """Not started, in progress (how many items) or finished, and the appraised points so far."""
    points = appraised_points(assessment)
    items = get_items(assessment)
    done = sum(1 for item in items if item.code in points)
    if assessment.appraisal_finished_at is not None:
        standing = AppraisalStanding.FINISHED
    else:
        standing = AppraisalStanding.IN_PROGRESS if done else AppraisalStanding.NOT_STARTED
    return AppraisalProgress(
        standing=standing,
        done=done,
        total=len(items),
        points=sum(points[item.code] for item in items if item.code in points),
    )


def finish_appraisal(assessment: SelfAssessment, appraiser: User) -> None:
    """Declare the unit's appraisal 1 finished, which locks it and shows it to the unit. Audited.

    Refused when the unit cannot be appraised now, ``appraiser`` is not assigned to it, or an
    item has no appraised points yet (naming them).
    """
    check_appraisable(assessment)
    if not get_assigned_areas(appraiser, assessment):
        raise AppraisalError(_("Bạn không được phân công thẩm định %(unit)s.", unit=assessment.unit.name))
    missing = get_unappraised(assessment)
    if missing:
        raise AppraisalError(
            _(
                "Chưa hoàn thành được: còn %(count)d tiêu chí chưa thẩm định: %(codes)s.",
                count=len(missing),
                codes=", ".join(item.code for item in missing),
            )
        )
    assessment.appraisal_finished_at = dt.datetime.now(dt.UTC)
    db.session.flush()
    record_action(
        AuditAction.APPRAISAL_FINISHED,
        round_id=assessment.round_id,
        unit=assessment.unit.code,
        points=get_appraisal_progress(assessment).points,
    )


def is_cited_for(appraiser: User, evidence: EvidenceFile) -> bool:
    """Whether ``evidence`` is cited by an item or an explanation of a self-assessment the
    appraiser is assigned to."""
    assigned = (
        select(SelfAssessment.id)
        .join(
            AppraiserAssignment,
            (AppraiserAssignment.round_id == SelfAssessment.round_id)
            & (AppraiserAssignment.unit_id == SelfAssessment.unit_id),
        )
        .filter(AppraiserAssignment.appraiser_id == appraiser.id)
    )
    by_items = (
        select(self_score_evidence.c.evidence_file_id)
        .join(SelfScore, SelfScore.id == self_score_evidence.c.self_score_id)
        .filter(self_score_evidence.c.evidence_file_id == evidence.id, SelfScore.assessment_id.in_(assigned))
    )
    by_explanations = (
        select(explanation_evidence.c.evidence_file_id)
        .join(Explanation, Explanation.id == explanation_evidence.c.explanation_id)
        .filter(explanation_evidence.c.evidence_file_id == evidence.id, Explanation.assessment_id.in_(assigned))
    )
    return db.session.scalar(by_items.union_all(by_explanations).limit(1)) is not None
