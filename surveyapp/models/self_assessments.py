"""A unit's self-assessment (*tự đánh giá*) in an assessment round, and its points per item."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Column, DateTime, ForeignKey, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from surveyapp.extensions import db
from surveyapp.models.criteria import AssessmentRound
from surveyapp.models.evidence import EvidenceFile
from surveyapp.models.types import enum_column
from surveyapp.models.units import Unit
from surveyapp.models.users import User


class SelfAssessmentStatus(enum.Enum):
    """Where a unit's self-assessment stands: being filled in (also before anything is typed),
    submitted (locked), or returned by the officer for changes (being filled in again)."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    RETURNED = "returned"


# Which evidence files a self-scored item cites; a file is cited by every item it supports.
self_score_evidence = Table(
    "self_score_evidence",
    db.metadata,
    Column("self_score_id", ForeignKey("self_scores.id", ondelete="CASCADE"), primary_key=True),
    Column("evidence_file_id", ForeignKey("evidence_files.id"), primary_key=True),
)


class SelfAssessment(db.Model):
    """One unit's self-assessment in one round.

    A row per round × unit is made when self-assessment opens: it freezes the round's units,
    so a unit added or closed later does not change a round under way. ``typed_in_by`` is the
    officer who typed in a self-assessment received on paper or as a signed file, with a note.
    """

    __tablename__ = "self_assessments"
    __table_args__ = (UniqueConstraint("round_id", "unit_id", name="uq_self_assessments_round_id_unit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("assessment_rounds.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    status: Mapped[SelfAssessmentStatus] = mapped_column(
        enum_column(SelfAssessmentStatus), default=SelfAssessmentStatus.DRAFT
    )
    submitted_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    returned_reason: Mapped[str | None] = mapped_column(Text)
    # SET NULL: deleting an account never takes a unit's self-assessment with it.
    typed_in_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    typed_in_note: Mapped[str | None] = mapped_column(Text)
    # When an appraiser declared appraisal 1 of this unit finished (``services/appraisals``).
    appraisal_finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    # When the unit submitted its explanation, or declared it has none (``services/explanations``).
    explanation_submitted_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    # The officer who submitted an explanation received on paper on the unit's behalf, with a note.
    explanation_typed_in_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    explanation_typed_in_note: Mapped[str | None] = mapped_column(Text)

    # When the officer last recorded reminding the unit to submit (``services/reminders``).
    reminded_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    assessment_round: Mapped[AssessmentRound] = relationship()
    unit: Mapped[Unit] = relationship()
    typed_in_by: Mapped[User | None] = relationship(foreign_keys=[typed_in_by_id])
    explanation_typed_in_by: Mapped[User | None] = relationship(foreign_keys=[explanation_typed_in_by_id])
    # Loaded with the assessments (and their cited files with the scores), in a few queries for
    # a whole round: the officer's list reads every unit's progress.
    scores: Mapped[list[SelfScore]] = relationship(
        back_populates="assessment", cascade="all, delete-orphan", order_by="SelfScore.id", lazy="selectin"
    )
    # The appraisers' points, kept apart from the unit's own (which they never overwrite).
    appraisal_scores: Mapped[list[AppraisalScore]] = relationship(
        back_populates="assessment", cascade="all, delete-orphan", order_by="AppraisalScore.id", lazy="selectin"
    )
    # The unit's answers to appraisal 1, with appraisal 2's decisions on them.
    explanations: Mapped[list[Explanation]] = relationship(
        back_populates="assessment", cascade="all, delete-orphan", order_by="Explanation.id", lazy="selectin"
    )

    def __repr__(self) -> str:
        return f"<SelfAssessment round {self.round_id} unit {self.unit_id} {self.status.value}>"


class SelfScore(db.Model):
    """What a unit says of one self-assessed item of the round's set (``code``): its points, how
    they were scored, and the evidence cited, or the reason there is none."""

    __tablename__ = "self_scores"
    __table_args__ = (UniqueConstraint("assessment_id", "code", name="uq_self_scores_assessment_id_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("self_assessments.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(40))
    points: Mapped[float | None]
    explanation: Mapped[str] = mapped_column(Text, default="")
    no_evidence_reason: Mapped[str] = mapped_column(Text, default="")

    assessment: Mapped[SelfAssessment] = relationship(back_populates="scores")
    evidence: Mapped[list[EvidenceFile]] = relationship(
        secondary=self_score_evidence, order_by=EvidenceFile.id, lazy="selectin"
    )


class AppraisalScore(db.Model):
    """The points an appraiser gives one self-assessed item (``code``) in appraisal 1: the unit's
    own points accepted, or other points with the reason (required when they differ)."""

    __tablename__ = "appraisal_scores"
    __table_args__ = (UniqueConstraint("assessment_id", "code", name="uq_appraisal_scores_assessment_id_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("self_assessments.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(40))
    points: Mapped[float]
    reason: Mapped[str] = mapped_column(Text, default="")
    # SET NULL: deleting an account never takes the appraisal with it (the audit log keeps who).
    appraised_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    appraised_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))

    assessment: Mapped[SelfAssessment] = relationship(back_populates="appraisal_scores")
    appraised_by: Mapped[User | None] = relationship()


class Reappraisal(enum.Enum):
    """What appraisal 2 decided of an explained item: the unit's proposed points accepted,
    appraisal 1's kept, or other points (with the reason)."""

    ACCEPTED = "accepted"
    KEPT = "kept"
    CHANGED = "changed"


# Which evidence files an explanation cites (the unit's own, uploaded like any other).
explanation_evidence = Table(
    "explanation_evidence",
    db.metadata,
    Column("explanation_id", ForeignKey("explanations.id", ondelete="CASCADE"), primary_key=True),
    Column("evidence_file_id", ForeignKey("evidence_files.id"), primary_key=True),
)


class Explanation(db.Model):
    """A unit's explanation (*giải trình*) of one self-assessed item (``code``) it disagrees with
    after appraisal 1: the points it proposes, why, and more evidence; then appraisal 2's
    decision on it (``decision`` and ``decided_points``, none until an appraiser decides)."""

    __tablename__ = "explanations"
    __table_args__ = (UniqueConstraint("assessment_id", "code", name="uq_explanations_assessment_id_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("self_assessments.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(40))
    proposed_points: Mapped[float]
    text: Mapped[str] = mapped_column(Text)
    explained_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    decision: Mapped[Reappraisal | None] = mapped_column(enum_column(Reappraisal))
    decided_points: Mapped[float | None]
    decision_reason: Mapped[str] = mapped_column(Text, default="")
    # SET NULL: deleting an account never takes the decision with it (the audit log keeps who).
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    # The officer who typed in the explanation from the unit's paper one; None: the unit's own.
    typed_in_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    assessment: Mapped[SelfAssessment] = relationship(back_populates="explanations")
    evidence: Mapped[list[EvidenceFile]] = relationship(
        secondary=explanation_evidence, order_by=EvidenceFile.id, lazy="selectin"
    )
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
    typed_in_by: Mapped[User | None] = relationship(foreign_keys=[typed_in_by_id])


class AppraiserAssignment(db.Model):
    """An appraiser's assignment in a round: one unit, and one area of the round's set
    (``area_code``) or, when it is empty, all its areas."""

    __tablename__ = "appraiser_assignments"
    __table_args__ = (
        UniqueConstraint(
            "round_id", "appraiser_id", "unit_id", "area_code", name="uq_appraiser_assignments_round_id_appraiser_id"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("assessment_rounds.id"), index=True)
    appraiser_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    area_code: Mapped[str | None] = mapped_column(String(40))

    assessment_round: Mapped[AssessmentRound] = relationship()
    appraiser: Mapped[User] = relationship()
    unit: Mapped[Unit] = relationship()
