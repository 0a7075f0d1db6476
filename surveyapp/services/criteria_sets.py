"""The criteria set catalogue: files in ``criteria/`` made available to assessment rounds."""

from __future__ import annotations

from pathlib import Path

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from surveyapp.criteria.definition import (
    CriteriaError,
    CriteriaSet,
    ScoringMethod,
    load_criteria_file,
    read_criteria_file,
)
from surveyapp.extensions import db
from surveyapp.models import CriteriaSetVersion
from surveyapp.questionnaires.definition import load_questionnaire_file
from surveyapp.services.catalog import store_new_versions

SCORING_LABELS = {
    ScoringMethod.SELF_ASSESSED: _l("Tự đánh giá, có tài liệu kiểm chứng, được thẩm định"),
    ScoringMethod.SURVEY: _l("Điều tra xã hội học"),
    ScoringMethod.SIPAS: _l("Chỉ số hài lòng (SIPAS)"),
    ScoringMethod.OTHER: _l("Nguồn khác, cán bộ nhập"),
}


def read_survey_subcriteria(forms_dir: str | Path) -> dict[str, dict[str, float]]:
    """The PAR sub-criteria and their maximums of the newest version of each questionnaire of
    ``forms_dir``: what a set's survey items may name."""
    newest = {}
    for path in Path(forms_dir).glob("*.yaml"):
        definition = load_questionnaire_file(path)
        if definition.code not in newest or newest[definition.code].version < definition.version:
            newest[definition.code] = definition
    return {
        code: {sub.code: sub.max_points for sub in definition.methodology.subcriteria}
        for code, definition in newest.items()
    }


def check_criteria_file(path: str | Path, forms_dir: str | Path) -> CriteriaSet:
    """The set of one file, checked with its survey links against the questionnaires of ``forms_dir``."""
    return load_criteria_file(path, read_survey_subcriteria(forms_dir))


def sync_criteria_sets(criteria_dir: str | Path, forms_dir: str | Path) -> list[CriteriaSetVersion]:
    """Store every criteria set version found in ``criteria_dir`` that is not stored yet.

    Every file is checked first (its survey links against ``forms_dir``), so one malformed file
    stores nothing. A stored version whose file has since changed is refused: rounds keep the
    exact criteria and points they ran with, so a change needs a new version.
    """
    survey_subcriteria = read_survey_subcriteria(forms_dir)
    paths = sorted(Path(criteria_dir).glob("*.yaml"))
    checked = [(path, *read_criteria_file(path, survey_subcriteria)) for path in paths]
    return store_new_versions(CriteriaSetVersion, checked, CriteriaError)


def get_criteria_sets() -> list[CriteriaSetVersion]:
    """Every stored version of every set, by code then version."""
    return list(
        db.session.scalars(select(CriteriaSetVersion).order_by(CriteriaSetVersion.code, CriteriaSetVersion.version))
    )


def get_other_versions(criteria_set: CriteriaSetVersion) -> list[CriteriaSetVersion]:
    """The other stored versions of the same set, newest first."""
    return list(
        db.session.scalars(
            select(CriteriaSetVersion)
            .where(CriteriaSetVersion.code == criteria_set.code, CriteriaSetVersion.id != criteria_set.id)
            .order_by(CriteriaSetVersion.version.desc())
        )
    )
