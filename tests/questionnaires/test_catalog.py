"""The catalogue stores each questionnaire version once and never lets a stored one change."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from surveyapp.extensions import db
from surveyapp.models import Questionnaire
from surveyapp.questionnaires.definition import QuestionnaireError
from surveyapp.services.catalog import get_latest_questionnaires, sync_questionnaires
from tests.conftest import FORMS_DIR


def stored_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Questionnaire))


def copy_form(folder: Path, name: str = "SIPAS-2017.v1.yaml") -> Path:
    return Path(shutil.copy(FORMS_DIR / name, folder / name))


def test_syncing_twice_stores_each_version_once(app) -> None:
    first = sync_questionnaires(FORMS_DIR)
    assert len(first) == len(list(FORMS_DIR.glob("*.yaml")))
    assert sync_questionnaires(FORMS_DIR) == []
    assert stored_count() == len(first)
    newest = {q.code: max(o.version for o in first if o.code == q.code) for q in first}
    assert [(q.code, q.version) for q in get_latest_questionnaires()] == sorted(newest.items())


def test_a_stored_version_whose_file_changed_is_refused(app, tmp_path) -> None:
    path = copy_form(tmp_path)
    sync_questionnaires(tmp_path)
    path.write_text(path.read_text(encoding="utf-8").replace("Rất hài lòng", "Vô cùng hài lòng"), encoding="utf-8")
    with pytest.raises(QuestionnaireError, match=r"SIPAS-2017\.v1\.yaml: version 1 of SIPAS-2017 is already stored"):
        sync_questionnaires(tmp_path)


def test_a_comment_is_not_content_so_a_stored_version_may_gain_one(app, tmp_path) -> None:
    """The digest is of the parsed file: a header comment (CX1–CH4 name the forms that replaced
    them) changes nothing a campaign ran with, while any change of wording is refused (above)."""
    path = copy_form(tmp_path, "CX1.v1.yaml")
    sync_questionnaires(tmp_path)
    text = path.read_text(encoding="utf-8")
    path.write_text(f"# One more line of comment.\n{text}".replace("# TEMPLATE", "# A note\n# TEMPLATE"), "utf-8")
    assert sync_questionnaires(tmp_path) == []
    path.write_text(text.replace("Rất tốt", "Tốt lắm"), encoding="utf-8")
    with pytest.raises(QuestionnaireError, match=r"CX1\.v1\.yaml: version 1 of CX1 is already stored"):
        sync_questionnaires(tmp_path)


def test_one_malformed_file_stores_nothing(app, tmp_path) -> None:
    copy_form(tmp_path)
    (tmp_path / "BROKEN.v1.yaml").write_text("code: BROKEN\nversion: 1\n", encoding="utf-8")
    with pytest.raises(QuestionnaireError, match=r"BROKEN\.v1\.yaml"):
        sync_questionnaires(tmp_path)
    db.session.rollback()
    assert stored_count() == 0
