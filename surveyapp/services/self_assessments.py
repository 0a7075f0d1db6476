"""Units' self-assessments (*tự đánh giá*) in an assessment round: freezing the round's units,
saving an item's points, submitting, returning for changes, typing in one received on paper.

What makes an item complete, an assessment complete and an assessment editable is written
here once (``is_complete``, ``get_missing``, ``check_editable``); the unit's page, the submit
verb and the officer's list all read it. A bonus or penalty the set lets the units score
(``scoring: self_assessed``) is saved like an item, but is not needed to submit: a unit claims
it or not. Writes flush, record their audit entry and raise
``SelfAssessmentError`` with a Vietnamese message; the caller commits.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

from flask_babel import format_decimal as number
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from surveyapp.criteria.definition import TOLERANCE, Adjustment, CriteriaSet, Node
from surveyapp.extensions import db
from surveyapp.i18n import short_date
from surveyapp.models import (
    AssessmentRound,
    AuditAction,
    EvidenceFile,
    RoundStage,
    SelfAssessment,
    SelfAssessmentStatus,
    SelfScore,
    Unit,
    User,
)
from surveyapp.services.audit import record_action
from surveyapp.services.responses import local_today


class SelfAssessmentError(ValueError):
    """A self-assessment cannot be changed as asked; the message (Vietnamese by default) says why."""


class Standing(enum.Enum):
    """How far a unit's self-assessment is, as the officer's list shows it."""

    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    RETURNED = "returned"
    SUBMITTED = "submitted"


STANDING_LABELS = {
    Standing.NOT_STARTED: _l("Chưa bắt đầu"),
    Standing.IN_PROGRESS: _l("Đang tự đánh giá"),
    Standing.RETURNED: _l("Được trả lại để sửa"),
    Standing.SUBMITTED: _l("Đã gửi"),
}


@dataclass(frozen=True)
class ScoreDraft:
    """What was typed for one item: ``points`` as typed (``1,25`` or ``1.25``; empty: not yet
    scored), the explanation, the evidence files cited and the reason when there is none."""

    points: str
    explanation: str
    evidence_ids: tuple[int, ...]
    no_evidence_reason: str


@dataclass(frozen=True)
class Progress:
    """Items complete out of ``total``, and the self-assessed points out of their maximum."""

    done: int
    total: int
    points: float
    max_points: float


def freeze_units(assessment_round: AssessmentRound, units: list[Unit]) -> None:
    """Give each of ``units`` its self-assessment in ``assessment_round`` (when self-assessment
    opens): from then on the round assesses these units, whatever the unit list says later."""
    for unit in units:
        db.session.add(SelfAssessment(assessment_round=assessment_round, unit=unit))
    db.session.flush()


def get_round_assessments(assessment_round: AssessmentRound) -> list[SelfAssessment]:
    """The self-assessments of the round's frozen units, in unit code order."""
    statement = select(SelfAssessment).join(Unit).filter(SelfAssessment.round_id == assessment_round.id)
    return list(db.session.scalars(statement.order_by(Unit.code)))


def get_unit_assessments(unit: Unit) -> list[SelfAssessment]:
    """The self-assessments of ``unit``, newest round first."""
    statement = select(SelfAssessment).join(AssessmentRound).filter(SelfAssessment.unit_id == unit.id)
    return list(db.session.scalars(statement.order_by(AssessmentRound.year.desc(), AssessmentRound.id.desc())))


def get_assessment(round_id: int, unit_id: int) -> SelfAssessment | None:
    """The self-assessment of unit ``unit_id`` in round ``round_id``, if the round assesses it."""
    return db.session.scalar(select(SelfAssessment).filter_by(round_id=round_id, unit_id=unit_id))


def scores_by_code(assessment: SelfAssessment) -> dict[str, SelfScore]:
    """What the unit saved, by item code (items not saved yet are absent)."""
    return {score.code: score for score in assessment.scores}


def is_complete(score: SelfScore | None) -> bool:
    """Whether an item is done: it has points, and evidence or a written reason why there is none."""
    return score is not None and score.points is not None and bool(score.evidence or score.no_evidence_reason)


def get_items(assessment: SelfAssessment, within: Node | None = None) -> tuple[Node, ...]:
    """The self-assessed items of the round's set, or of its area ``within``."""
    items = assessment.assessment_round.criteria_set.definition.self_assessed
    if within is None:
        return items
    codes = {node.code for node in within.walk()}
    return tuple(item for item in items if item.code in codes)


def get_missing(assessment: SelfAssessment, within: Node | None = None) -> list[Node]:
    """The self-assessed items (of the area ``within``, or all) that are not complete yet."""
    scores = scores_by_code(assessment)
    items = get_items(assessment, within)
    return [item for item in items if not is_complete(scores.get(item.code))]


def get_progress(assessment: SelfAssessment, within: Node | None = None) -> Progress:
    """How far the self-assessment (or its area ``within``) is."""
    scores = scores_by_code(assessment)
    items = get_items(assessment, within)
    points = [scores[item.code].points for item in items if item.code in scores]
    return Progress(
        done=sum(1 for item in items if is_complete(scores.get(item.code))),
        total=len(items),
        points=sum(value for value in points if value is not None),
        max_points=sum(item.max_points for item in items),
    )


def get_standing(assessment: SelfAssessment) -> Standing:
    """Not started, in progress, returned or submitted."""
    if assessment.status is SelfAssessmentStatus.SUBMITTED:
        return Standing.SUBMITTED
    if assessment.status is SelfAssessmentStatus.RETURNED:
        return Standing.RETURNED
    return Standing.IN_PROGRESS if assessment.scores else Standing.NOT_STARTED


def days_left(assessment: SelfAssessment) -> int:
    """Days until the due date (0 on the day itself, negative once past)."""
    return (assessment.assessment_round.self_assessment_due_on - local_today()).days


def check_editable(assessment: SelfAssessment, *, typing_in: bool = False) -> None:
    """Refuse a change of a self-assessment that is locked: the round is not in self-assessment,
    it was submitted, or its due date has passed (the date locks it by itself). An officer
    typing in one received on paper (``typing_in``) is not held by the due date."""
    assessment_round = assessment.assessment_round
    if assessment_round.stage is not RoundStage.SELF_ASSESSMENT:
        raise SelfAssessmentError(_("Kỳ đánh giá không còn ở giai đoạn tự đánh giá nên không sửa được."))
    if assessment.status is SelfAssessmentStatus.SUBMITTED:
        raise SelfAssessmentError(
            _("Bản tự đánh giá đã gửi nên không sửa được nữa. Nếu cần sửa, đề nghị cơ quan đánh giá trả lại.")
        )
    if not typing_in and days_left(assessment) < 0:
        raise SelfAssessmentError(
            _(
                "Đã quá hạn tự đánh giá (%(date)s) nên không sửa được nữa.",
                date=short_date(assessment_round.self_assessment_due_on),
            )
        )


def get_item(assessment: SelfAssessment, code: str) -> Node | Adjustment:
    """The self-assessed item ``code`` of the round's set, or its bonus or penalty the units score
    themselves; refused if the set has no such item."""
    items = assessment.assessment_round.criteria_set.definition.scored_by_units
    item = next((node for node in items if node.code == code), None)
    if item is None:
        raise SelfAssessmentError(_("Tiêu chí %(code)s không do đơn vị tự chấm điểm.", code=code))
    return item


def read_points(definition: CriteriaSet, item: Node | Adjustment, typed: str) -> float | None:
    """The points typed for ``item`` (``1,25`` or ``1.25``; empty: none), checked against its
    maximum and the set's steps: the rule of every score given to an item, by the unit or by an
    appraiser. Raises ``SelfAssessmentError`` naming the item."""
    typed = typed.strip().replace(",", ".")
    if not typed:
        return None
    try:
        points = float(typed)
    except ValueError:
        points = float("nan")
    if points != points or points in (float("inf"), float("-inf")):
        raise SelfAssessmentError(_("Điểm của tiêu chí %(code)s phải là một số.", code=item.code))
    if points < 0:
        raise SelfAssessmentError(_("Điểm của tiêu chí %(code)s không được âm.", code=item.code))
    if points > item.max_points + TOLERANCE:
        raise SelfAssessmentError(
            _(
                "Điểm của tiêu chí %(code)s (%(points)s) vượt điểm tối đa %(max)s.",
                code=item.code,
                points=number(points),
                max=number(item.max_points),
            )
        )
    if not definition.is_in_steps(points):
        raise SelfAssessmentError(
            _(
                "Điểm của tiêu chí %(code)s (%(points)s) phải chấm theo bước %(step)s điểm.",
                code=item.code,
                points=number(points),
                step=number(definition.point_step),
            )
        )
    return points


def read_evidence(assessment: SelfAssessment, evidence_ids: tuple[int, ...]) -> list[EvidenceFile]:
    """The evidence files cited by ``evidence_ids`` (each once), which must all be the unit's own:
    the rule of every citation, by the self-assessment or by an explanation. Raises
    ``SelfAssessmentError`` naming a file that is not."""
    evidence = []
    for evidence_id in dict.fromkeys(evidence_ids):
        found = db.session.get(EvidenceFile, evidence_id)
        if found is None or found.unit_id != assessment.unit_id:
            raise SelfAssessmentError(
                _("Tài liệu số %(id)d không có trong tài liệu kiểm chứng của đơn vị.", id=evidence_id)
            )
        evidence.append(found)
    return evidence


def save_score(assessment: SelfAssessment, code: str, draft: ScoreDraft, *, typing_in: bool = False) -> SelfScore:
    """Keep what was typed for the self-assessed item ``code``. Audited (points, evidence and
    whether a reason is given, before and after).

    Refused, nothing changed, when the assessment is locked (``check_editable``), the item is
    not self-assessed, the points are not a number, negative, above the item's maximum or not
    in the set's steps, a cited file is not the unit's evidence, or a bonus or penalty claimed
    (points above 0) comes with neither evidence nor a reason for having none.
    """
    check_editable(assessment, typing_in=typing_in)
    item = get_item(assessment, code)
    points = read_points(assessment.assessment_round.criteria_set.definition, item, draft.points)
    evidence = read_evidence(assessment, draft.evidence_ids)
    if isinstance(item, Adjustment) and points and not evidence and not draft.no_evidence_reason.strip():
        raise SelfAssessmentError(
            _("Điểm thưởng, điểm trừ %(code)s cần tài liệu kiểm chứng hoặc lý do không có.", code=code)
        )
    score = scores_by_code(assessment).get(code)
    if score is None:
        score = SelfScore(code=code)
        assessment.scores.append(score)
        before = None
    else:
        before = _summary(score)
    score.points = points
    score.explanation = draft.explanation.strip()
    score.evidence = evidence
    score.no_evidence_reason = draft.no_evidence_reason.strip()
    db.session.flush()
    record_action(
        AuditAction.SELF_SCORE_SAVED,
        round_id=assessment.round_id,
        unit=assessment.unit.code,
        item=code,
        before=before,
        after=_summary(score),
        typed_in=typing_in,
    )
    return score


def _summary(score: SelfScore) -> dict:
    """What the audit keeps of an item: small, yet enough to tell what changed."""
    return {
        "points": score.points,
        "evidence": [file.id for file in score.evidence],
        "reason": bool(score.no_evidence_reason),
        "explanation": len(score.explanation),
    }


def submit_self_assessment(assessment: SelfAssessment, *, typed_in_by: User | None = None, note: str = "") -> None:
    """Submit a complete self-assessment, which locks it. Audited.

    An officer who typed in a self-assessment received on paper or as a signed file submits
    it as ``typed_in_by`` with a ``note`` (required): it is marked as typed in. Refused while
    an item is missing, naming them.
    """
    check_editable(assessment, typing_in=typed_in_by is not None)
    missing = get_missing(assessment)
    if missing:
        raise SelfAssessmentError(
            _(
                "Chưa gửi được: còn %(count)d tiêu chí chưa có điểm, hoặc chưa có tài liệu kiểm chứng hay giải "
                "trình lý do không có: %(codes)s.",
                count=len(missing),
                codes=", ".join(item.code for item in missing),
            )
        )
    if typed_in_by is not None:
        if not note.strip():
            raise SelfAssessmentError(
                _("Hãy ghi chú bản tự đánh giá được nhận thế nào (bản giấy, tệp có chữ ký số…) và ngày nhận.")
            )
        assessment.typed_in_by = typed_in_by
        assessment.typed_in_note = note.strip()
    assessment.status = SelfAssessmentStatus.SUBMITTED
    assessment.submitted_at = dt.datetime.now(dt.UTC)
    db.session.flush()
    record_action(
        AuditAction.SELF_SUBMITTED,
        round_id=assessment.round_id,
        unit=assessment.unit.code,
        points=get_progress(assessment).points,
        typed_in_note=assessment.typed_in_note if typed_in_by is not None else None,
    )


def return_self_assessment(assessment: SelfAssessment, reason: str) -> None:
    """Give a submitted self-assessment back to its unit for changes, with the reason it sees,
    while the round is in self-assessment (appraisal starts from what was submitted). Audited."""
    if assessment.assessment_round.stage is not RoundStage.SELF_ASSESSMENT:
        raise SelfAssessmentError(_("Kỳ đánh giá không còn ở giai đoạn tự đánh giá nên không trả lại được."))
    if assessment.status is not SelfAssessmentStatus.SUBMITTED:
        raise SelfAssessmentError(_("Chỉ trả lại được bản tự đánh giá đã gửi."))
    if not reason.strip():
        raise SelfAssessmentError(_("Hãy ghi lý do trả lại để đơn vị biết cần sửa gì."))
    assessment.status = SelfAssessmentStatus.RETURNED
    assessment.returned_reason = reason.strip()
    db.session.flush()
    record_action(
        AuditAction.SELF_RETURNED, round_id=assessment.round_id, unit=assessment.unit.code, reason=reason.strip()
    )
