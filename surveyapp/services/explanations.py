"""A unit's explanation (*giải trình*) after appraisal 1, and appraisal 2 (*thẩm định lần 2*)
of what it explains.

While the round is in explanation, a unit answers each item whose appraisal 1 it disagrees
with: the points it proposes (read by the rule of every item's points, ``read_points``), a
written explanation and more evidence; then it submits its explanation, or declares it has
none, which locks it; the round's explanation due date locks it by itself. An item is
explained when it has an ``Explanation``: what was saved by the due date stands. An officer
types in an explanation the unit sent on paper under the same rules (``typed_in_by``), except
the due date: paper sent in time may arrive later, until appraisal 2 opens. Each item and the
submission record who typed them.

While the round is in appraisal 2, an appraiser assigned to the unit and the item's area
(``may_appraise``) decides each explained item: the proposed points accepted, appraisal 1's
kept, or other points with the reason. Items not explained keep appraisal 1's points; the
appraised points of an item are read in one place, ``unit_appraisals.appraised_points``.

What locks an explanation and what appraisal 2 has left to decide are written here once
(``check_explainable``, ``check_reappraisable``, ``get_undecided``). Writes flush, record their
audit entry (from what to what) and raise ``ExplanationError`` with a Vietnamese message; the
caller commits.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from surveyapp.extensions import db
from surveyapp.i18n import short_date
from surveyapp.models import AuditAction, Explanation, Reappraisal, RoundStage, SelfAssessment, User
from surveyapp.services.audit import record_action
from surveyapp.services.responses import local_today
from surveyapp.services.self_assessments import SelfAssessmentError, get_item, read_evidence, read_points
from surveyapp.services.unit_appraisals import appraisals_by_code, may_appraise

REAPPRAISAL_LABELS = {
    Reappraisal.ACCEPTED: _l("Chấp nhận điểm đơn vị đề nghị"),
    Reappraisal.KEPT: _l("Giữ điểm thẩm định lần 1"),
    Reappraisal.CHANGED: _l("Chấm điểm khác"),
}


class ExplanationError(ValueError):
    """An explanation or its appraisal 2 cannot be changed as asked; the message (Vietnamese by
    default) says why."""


@dataclass(frozen=True)
class ExplanationDraft:
    """What a unit typed to explain one item: the ``points`` it proposes (as typed), the
    explanation, and the evidence files cited."""

    points: str
    text: str
    evidence_ids: tuple[int, ...]


@dataclass(frozen=True)
class ReappraisalDraft:
    """What an appraiser decided of one explained item; ``points`` (as typed) and ``reason``
    count only for other points, where both are required."""

    decision: Reappraisal
    points: str
    reason: str


@dataclass(frozen=True)
class ExplanationProgress:
    """Where a unit's explanation stands, as the officer's round page shows it: submitted (or
    declared none) or not, items explained, and those appraisal 2 has not decided yet."""

    is_submitted: bool
    explained: int
    undecided: int


def explanations_by_code(assessment: SelfAssessment) -> dict[str, Explanation]:
    """The unit's explanations, by item code (items not explained are absent)."""
    return {explanation.code: explanation for explanation in assessment.explanations}


def check_explainable(assessment: SelfAssessment, *, typing_in: bool = False) -> None:
    """Refuse a change of a unit's explanation that is locked: the round is not in explanation,
    the unit has submitted it, or the explanation due date has passed. An officer typing in one
    the unit sent on paper (``typing_in``) is not held by the due date."""
    assessment_round = assessment.assessment_round
    if assessment_round.stage is not RoundStage.EXPLANATION:
        raise ExplanationError(_("Kỳ đánh giá không ở giai đoạn giải trình nên không giải trình được."))
    if assessment.explanation_submitted_at is not None:
        raise ExplanationError(_("Đơn vị đã gửi giải trình nên không sửa được nữa."))
    if not typing_in and is_explanation_overdue(assessment_round.explanation_due_on):
        raise ExplanationError(
            _(
                "Đã quá hạn giải trình (%(date)s) nên không sửa được nữa.",
                date=short_date(assessment_round.explanation_due_on),
            )
        )


def is_explanation_overdue(due_on: dt.date | None) -> bool:
    """Whether the explanation due date ``due_on`` has passed (the day itself is still in time)."""
    return due_on is not None and due_on < local_today()


def save_explanation(
    assessment: SelfAssessment, code: str, draft: ExplanationDraft, *, typed_in_by: User | None = None
) -> Explanation:
    """Keep the unit's explanation of the item ``code``: the points it proposes, why, and the
    evidence it cites; ``typed_in_by`` is the officer typing in one the unit sent on paper (None:
    the unit's own). Audited (before and after, and whether typed in).

    Refused, nothing changed, when the explanation is locked (``check_explainable``), the item
    is not self-assessed, the points are missing or break the rule of every item's points, the
    text is empty, or a cited file is not the unit's evidence.
    """
    check_explainable(assessment, typing_in=typed_in_by is not None)
    try:
        item = get_item(assessment, code)
        points = read_points(assessment.assessment_round.criteria_set.definition, item, draft.points)
        evidence = read_evidence(assessment, draft.evidence_ids)
    except SelfAssessmentError as error:
        raise ExplanationError(str(error)) from error
    if code not in appraisals_by_code(assessment):
        raise ExplanationError(
            _("Mục %(code)s không có điểm thẩm định lần 1 nên không có gì để giải trình.", code=code)
        )
    if points is None:
        raise ExplanationError(_("Hãy nhập điểm đơn vị đề nghị cho tiêu chí %(code)s.", code=code))
    if not draft.text.strip():
        raise ExplanationError(_("Hãy ghi nội dung giải trình của tiêu chí %(code)s.", code=code))
    explanation = explanations_by_code(assessment).get(code)
    before = None if explanation is None else _summary(explanation)
    if explanation is None:
        explanation = Explanation(code=code)
        assessment.explanations.append(explanation)
    explanation.proposed_points = points
    explanation.text = draft.text.strip()
    explanation.evidence = evidence
    explanation.explained_at = dt.datetime.now(dt.UTC)
    explanation.typed_in_by = typed_in_by
    db.session.flush()
    record_action(
        AuditAction.ITEM_EXPLAINED,
        round_id=assessment.round_id,
        unit=assessment.unit.code,
        item=code,
        appraised=appraisals_by_code(assessment)[code].points,
        before=before,
        after=_summary(explanation),
        typed_in=typed_in_by is not None,
    )
    return explanation


def _summary(explanation: Explanation) -> dict:
    """What the audit keeps of an explanation: small, yet enough to tell what changed."""
    return {
        "points": explanation.proposed_points,
        "evidence": [file.id for file in explanation.evidence],
        "text": len(explanation.text),
    }


def remove_explanation(assessment: SelfAssessment, code: str, *, typing_in: bool = False) -> None:
    """Drop the unit's explanation of the item ``code`` (it agrees with appraisal 1 after all):
    the item keeps appraisal 1's points. Audited with what was dropped. Refused, nothing changed,
    when the explanation is locked (``typing_in``: the officer drops one typed in by mistake) or
    the item has none."""
    check_explainable(assessment, typing_in=typing_in)
    explanation = explanations_by_code(assessment).get(code)
    if explanation is None:
        raise ExplanationError(_("Tiêu chí %(code)s chưa có giải trình nên không có gì để bỏ.", code=code))
    before = _summary(explanation)
    assessment.explanations.remove(explanation)
    db.session.flush()
    record_action(
        AuditAction.EXPLANATION_REMOVED,
        round_id=assessment.round_id,
        unit=assessment.unit.code,
        item=code,
        before=before,
    )


def submit_explanation(assessment: SelfAssessment, *, typed_in_by: User | None = None, note: str = "") -> None:
    """Submit the unit's explanation, or declare it has none when no item is explained; either
    locks it. Audited with the items explained.

    An officer who typed in an explanation the unit sent on paper submits it as ``typed_in_by``
    with a ``note`` (required) of how it was received.
    """
    check_explainable(assessment, typing_in=typed_in_by is not None)
    if typed_in_by is not None:
        if not note.strip():
            raise ExplanationError(
                _("Hãy ghi chú giải trình của đơn vị được nhận thế nào (bản giấy, tệp có chữ ký số…) và ngày nhận.")
            )
        assessment.explanation_typed_in_by = typed_in_by
        assessment.explanation_typed_in_note = note.strip()
    assessment.explanation_submitted_at = dt.datetime.now(dt.UTC)
    db.session.flush()
    record_action(
        AuditAction.EXPLANATION_SENT,
        round_id=assessment.round_id,
        unit=assessment.unit.code,
        items=sorted(explanations_by_code(assessment)),
        typed_in_note=assessment.explanation_typed_in_note if typed_in_by is not None else None,
    )


def check_reappraisable(assessment: SelfAssessment) -> None:
    """Refuse deciding an explained item while the round is not in appraisal 2."""
    if assessment.assessment_round.stage is not RoundStage.APPRAISAL_2:
        raise ExplanationError(_("Kỳ đánh giá không ở giai đoạn thẩm định lần 2 nên chưa quyết định được."))


def reappraise_item(assessment: SelfAssessment, code: str, appraiser: User, draft: ReappraisalDraft) -> Explanation:
    """Decide the explained item ``code`` in appraisal 2: the unit's proposed points accepted,
    appraisal 1's kept, or other points with the reason. Appraisal 1 and the unit's own points
    stay as they are. Audited (decision before and after, with appraisal 1 and the proposal).

    Refused, nothing changed, when the round is not in appraisal 2, the item is not explained,
    ``appraiser`` is not assigned to the unit and the item's area, or other points are missing,
    break the rule of every item's points, or come without a reason.
    """
    check_reappraisable(assessment)
    explanation = explanations_by_code(assessment).get(code)
    if explanation is None:
        raise ExplanationError(
            _("Tiêu chí %(code)s không được đơn vị giải trình nên giữ điểm thẩm định lần 1.", code=code)
        )
    item = get_item(assessment, code)
    if not may_appraise(appraiser, assessment, item):
        raise ExplanationError(
            _(
                "Bạn không được phân công thẩm định tiêu chí %(code)s của %(unit)s; không có gì thay đổi.",
                code=code,
                unit=assessment.unit.name,
            )
        )
    first = appraisals_by_code(assessment)[code].points
    reason = ""
    if draft.decision is Reappraisal.ACCEPTED:
        points = explanation.proposed_points
    elif draft.decision is Reappraisal.KEPT:
        points = first
    else:
        try:
            typed = read_points(assessment.assessment_round.criteria_set.definition, item, draft.points)
        except SelfAssessmentError as error:
            raise ExplanationError(str(error)) from error
        if typed is None:
            raise ExplanationError(_("Hãy nhập điểm thẩm định lần 2 của tiêu chí %(code)s.", code=code))
        reason = draft.reason.strip()
        if not reason:
            raise ExplanationError(_("Hãy ghi lý do chấm điểm khác cho tiêu chí %(code)s.", code=code))
        points = typed
    before = (
        None
        if explanation.decision is None
        else {
            "decision": explanation.decision.value,
            "points": explanation.decided_points,
            "reason": explanation.decision_reason,
        }
    )
    explanation.decision = draft.decision
    explanation.decided_points = points
    explanation.decision_reason = reason
    explanation.decided_by = appraiser
    explanation.decided_at = dt.datetime.now(dt.UTC)
    db.session.flush()
    record_action(
        AuditAction.ITEM_REAPPRAISED,
        round_id=assessment.round_id,
        unit=assessment.unit.code,
        item=code,
        appraisal_1=first,
        proposed=explanation.proposed_points,
        before=before,
        after={"decision": draft.decision.value, "points": points, "reason": reason},
    )
    return explanation


def get_undecided(assessment: SelfAssessment) -> list[Explanation]:
    """The unit's explained items appraisal 2 has not decided yet: the appraisal closes when
    no unit has any left."""
    return [explanation for explanation in assessment.explanations if explanation.decision is None]


def get_explanation_progress(assessment: SelfAssessment) -> ExplanationProgress:
    """Whether the unit submitted its explanation, how many items it explained, how many are undecided."""
    return ExplanationProgress(
        is_submitted=assessment.explanation_submitted_at is not None,
        explained=len(assessment.explanations),
        undecided=len(get_undecided(assessment)),
    )
