"""PAR criteria sets as stored, and the assessment rounds (*kỳ đánh giá*) that use them."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from surveyapp.criteria.definition import CriteriaSet, parse_criteria_set
from surveyapp.extensions import db
from surveyapp.models.campaigns import Campaign
from surveyapp.models.types import enum_column
from surveyapp.models.units import Unit

# Parsed sets shared by every request of the process, keyed by the content's digest: a stored
# version never changes (as for questionnaires).
_PARSED: dict[str, CriteriaSet] = {}


class CriteriaSetVersion(db.Model):
    """One version of a criteria set file from ``criteria/``.

    The whole parsed file is kept, so a round assessed years ago still shows and adds up with
    the criteria and points it used, whatever the files in ``criteria/`` say today.
    """

    __tablename__ = "criteria_sets"
    __table_args__ = (UniqueConstraint("code", "version", name="uq_criteria_sets_code_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40))
    version: Mapped[int]
    title: Mapped[str] = mapped_column(String(300))
    content_digest: Mapped[str] = mapped_column(String(64))
    # Read only when a process parses the version for the first time (see ``definition``).
    source: Mapped[dict] = mapped_column(JSON, deferred=True)

    @property
    def definition(self) -> CriteriaSet:
        """The parsed, validated set of this version (parsed once per process)."""
        definition = _PARSED.get(self.content_digest)
        if definition is None:
            definition = _PARSED[self.content_digest] = parse_criteria_set(
                self.source, origin=f"{self.code} v{self.version}"
            )
        return definition

    def __repr__(self) -> str:
        return f"<CriteriaSetVersion {self.code} v{self.version}>"


class RoundStage(enum.Enum):
    """Where an assessment round stands. Preparing: the officer sets it up and may move it to
    another version of its set; self-assessment: the units score themselves; appraisal: every
    unit has submitted and the appraisers check the points (appraisal 1); explanation
    (*giải trình*): every unit's appraisal 1 is finished and the units answer the items they
    disagree with, until ``explanation_due_on``; appraisal 2: the appraisers decide the items
    explained; closed: the appraisal is over and the appraised points are final."""

    PREPARING = "preparing"
    SELF_ASSESSMENT = "self_assessment"
    APPRAISAL = "appraisal"
    EXPLANATION = "explanation"
    APPRAISAL_2 = "appraisal_2"
    CLOSED = "closed"


class AssessmentRound(db.Model):
    """A year's PAR assessment (*kỳ đánh giá*) of the units under ``parent_unit`` with one set version.

    The units assessed are those of ``parent_unit``'s subtree whose kind the set assesses: a
    ward names itself (it assesses itself), a district or province its communes, a province
    with the department set its departments (``services/assessment_rounds.get_assessed_units``).
    """

    __tablename__ = "assessment_rounds"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    year: Mapped[int]
    criteria_set_id: Mapped[int] = mapped_column(ForeignKey("criteria_sets.id"))
    parent_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    stage: Mapped[RoundStage] = mapped_column(enum_column(RoundStage), default=RoundStage.PREPARING)
    self_assessment_opens_on: Mapped[dt.date]
    self_assessment_due_on: Mapped[dt.date]
    # Chosen by the officer when opening the explanation; none before.
    explanation_due_on: Mapped[dt.date | None]
    # The campaigns the index takes its survey and SIPAS points from (``services/par_index``),
    # and the class bounds as ``[[class, lower bound], ...]`` (``None``: scoring's defaults).
    par_campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaigns.id"))
    sipas_campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaigns.id"))
    class_bounds: Mapped[list | None] = mapped_column(JSON)

    criteria_set: Mapped[CriteriaSetVersion] = relationship()
    parent_unit: Mapped[Unit] = relationship()
    par_campaign: Mapped[Campaign | None] = relationship(foreign_keys=[par_campaign_id])
    sipas_campaign: Mapped[Campaign | None] = relationship(foreign_keys=[sipas_campaign_id])

    def __repr__(self) -> str:
        return f"<AssessmentRound {self.year} {self.name!r}>"
