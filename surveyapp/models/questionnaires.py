"""Questionnaires as stored: the exact parsed file of each version a campaign may use."""

from __future__ import annotations

from sqlalchemy import JSON, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from surveyapp.extensions import db
from surveyapp.questionnaires.definition import QuestionnaireDefinition, parse_definition

# Parsed definitions shared by every request of the process: a stored version never changes,
# and parsing one costs more than the rest of a submission. Keyed by the content's digest.
_PARSED: dict[str, QuestionnaireDefinition] = {}


class Questionnaire(db.Model):
    """One version of a questionnaire file from ``forms/``.

    The whole definition is kept, so a campaign run years ago still shows and scores with
    the exact wording and settings it used, whatever the files in ``forms/`` say today.
    """

    __tablename__ = "questionnaires"
    __table_args__ = (UniqueConstraint("code", "version", name="uq_questionnaires_code_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40))
    version: Mapped[int]
    purpose: Mapped[str] = mapped_column(String(10))
    title: Mapped[str] = mapped_column(String(300))
    content_digest: Mapped[str] = mapped_column(String(64))
    # Read only when a process parses the version for the first time (see ``definition``).
    source: Mapped[dict] = mapped_column(JSON, deferred=True)

    @property
    def definition(self) -> QuestionnaireDefinition:
        """The parsed, validated definition of this version (parsed once per process)."""
        definition = _PARSED.get(self.content_digest)
        if definition is None:
            definition = _PARSED[self.content_digest] = parse_definition(
                self.source, origin=f"{self.code} v{self.version}"
            )
        return definition

    def __repr__(self) -> str:
        return f"<Questionnaire {self.code} v{self.version}>"
