"""Evidence a unit cited in its earlier rounds, cited again in a new round.

A plan or a report often supports the same item year after year. The unit's files are its own
and stay stored (``EvidenceFile`` belongs to the unit, not to a round), so carrying them
forward is citing them again, never uploading them again. Only the unit's own earlier rounds
count, and only for items whose code the new round's set still has.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import AssessmentRound, AuditAction, EvidenceFile, SelfAssessment, SelfScore
from surveyapp.services.audit import record_action
from surveyapp.services.self_assessments import (
    SelfAssessmentError,
    check_editable,
    get_item,
    get_items,
    scores_by_code,
)


def get_previous_citations(assessment: SelfAssessment) -> dict[str, list[EvidenceFile]]:
    """For each self-assessed item of the round's set, the unit's files its newest earlier round
    citing any for that code cited, less those the item already cites; items with none are absent."""
    this_round = assessment.assessment_round
    statement = (
        select(SelfAssessment)
        .join(AssessmentRound, AssessmentRound.id == SelfAssessment.round_id)
        .filter(
            SelfAssessment.unit_id == assessment.unit_id,
            SelfAssessment.id != assessment.id,
            AssessmentRound.year < this_round.year,
        )
        .order_by(AssessmentRound.year.desc(), AssessmentRound.id.desc())
    )
    current = scores_by_code(assessment)
    codes = {item.code for item in get_items(assessment)}
    citations: dict[str, list[EvidenceFile]] = {}
    seen: set[str] = set()
    for earlier in db.session.scalars(statement):
        for score in earlier.scores:
            if score.code not in codes or score.code in seen or not score.evidence:
                continue
            seen.add(score.code)
            cited_now = {file.id for file in current[score.code].evidence} if score.code in current else set()
            files = [file for file in score.evidence if file.unit_id == assessment.unit_id and file.id not in cited_now]
            if files:
                citations[score.code] = files
    return citations


def carry_evidence_forward(assessment: SelfAssessment, code: str | None = None) -> dict[str, list[int]]:
    """Cite again, for the item ``code`` or (``None``) every item, the files the unit cited for
    it in its earlier rounds (``get_previous_citations``); points and explanations are left as
    they are. Audited (the files added per item). Returns them.

    Refused, nothing changed, when the assessment is locked (``check_editable``), the item is
    not self-assessed, or there is nothing to carry forward.
    """
    check_editable(assessment)
    if code is not None:
        get_item(assessment, code)
    previous = get_previous_citations(assessment)
    if code is not None:
        previous = {code: previous[code]} if code in previous else {}
    if not previous:
        raise SelfAssessmentError(
            _("Không có tài liệu kiểm chứng năm trước nào để dùng lại cho tiêu chí %(code)s.", code=code)
            if code is not None
            else _("Không có tài liệu kiểm chứng năm trước nào để dùng lại.")
        )
    scores = scores_by_code(assessment)
    for item_code, files in previous.items():
        score = scores.get(item_code)
        if score is None:
            score = SelfScore(code=item_code, evidence=[])
            assessment.scores.append(score)
        score.evidence = [*score.evidence, *files]
    db.session.flush()
    carried = {item_code: [file.id for file in files] for item_code, files in previous.items()}
    record_action(AuditAction.EVIDENCE_CARRIED, round_id=assessment.round_id, unit=assessment.unit.code, items=carried)
    return carried
