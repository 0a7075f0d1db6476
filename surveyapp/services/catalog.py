"""The questionnaire catalogue: files in ``forms/`` made available to campaigns."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import CriteriaSetVersion, Questionnaire
from surveyapp.questionnaires.definition import QuestionnaireError, read_questionnaire_file

# A catalogue row kept per file version: a questionnaire or a criteria set.
Versioned = TypeVar("Versioned", Questionnaire, CriteriaSetVersion)


def source_digest(source: dict) -> str:
    """The SHA-256 of a stored file's content, whatever its key order or layout."""
    canonical = json.dumps(source, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def sync_questionnaires(forms_dir: str | Path) -> list[Questionnaire]:
    """Store every questionnaire version found in ``forms_dir`` that is not stored yet.

    Every file is checked first, so one malformed file stores nothing. A stored version whose
    file has since changed is refused: campaigns keep the exact wording they ran with, so a
    change needs a new version.
    """
    paths = sorted(Path(forms_dir).glob("*.yaml"))
    checked = [(path, *read_questionnaire_file(path)) for path in paths]
    return store_new_versions(
        Questionnaire, checked, QuestionnaireError, purpose=lambda definition: definition.purpose.value
    )


def store_new_versions(
    model: type[Versioned],
    checked: Iterable[tuple[Path, Any, dict]],
    error: type[ValueError],
    **columns: Callable[[Any], Any],
) -> list[Versioned]:
    """Store each checked file (path, parsed definition, source) whose code and version are not
    stored yet, with the extra ``columns`` computed from its definition; the rows added.

    A stored version whose content has since changed raises ``error``: whatever ran on a
    version keeps its exact content, so a change needs a new version number.
    """
    added = []
    for path, definition, source in checked:
        digest = source_digest(source)
        stored = db.session.scalar(select(model).filter_by(code=definition.code, version=definition.version))
        if stored is None:
            stored = model(
                code=definition.code,
                version=definition.version,
                title=definition.title.vi,
                content_digest=digest,
                source=source,
                **{name: column(definition) for name, column in columns.items()},
            )
            db.session.add(stored)
            added.append(stored)
        elif stored.content_digest != digest:
            raise error(
                f"{path.name}: version {definition.version} of {definition.code} is already stored "
                "with other content; give the changed file a new version number"
            )
    db.session.flush()
    return added


def get_latest_questionnaires() -> list[Questionnaire]:
    """The newest stored version of every questionnaire code, ordered by code."""
    latest: dict[str, Questionnaire] = {}
    for questionnaire in db.session.scalars(select(Questionnaire).order_by(Questionnaire.version)):
        latest[questionnaire.code] = questionnaire
    return [latest[code] for code in sorted(latest)]
