"""What an officer's address names, loaded in one place: ``<int:campaign_id>`` becomes a ``Campaign``,
``<int:set_id>`` a ``CriteriaSetVersion``, ``<int:round_id>`` an ``AssessmentRound``, and
``<int:round_id>`` with ``<int:unit_id>`` a unit's ``SelfAssessment``."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import AssessmentRound, Campaign, CriteriaSetVersion, SelfAssessment


def loads_campaign(view: Callable[..., Any]) -> Callable[..., Any]:
    """Call the decorated view with the campaign its address names as ``campaign``; 404 if there is none.

    It goes under ``officer_required``: access is checked before the id is looked up, so a
    caller who may not see campaigns is refused alike for every id and learns none. The rule
    keeps ``campaign_id``, so ``url_for(..., campaign_id=...)`` and the links built from
    ``request.view_args`` (the language switch, paging) work as they did.
    """

    @wraps(view)
    def wrapped(*args: Any, campaign_id: int, **kwargs: Any) -> Any:
        return view(*args, campaign=db.get_or_404(Campaign, campaign_id), **kwargs)

    return wrapped


def loads_criteria_set(view: Callable[..., Any]) -> Callable[..., Any]:
    """Call the decorated view with the set version ``<int:set_id>`` names as ``criteria_set``; 404 if none.

    Goes under ``officer_required``, as ``loads_campaign`` does.
    """

    @wraps(view)
    def wrapped(*args: Any, set_id: int, **kwargs: Any) -> Any:
        return view(*args, criteria_set=db.get_or_404(CriteriaSetVersion, set_id), **kwargs)

    return wrapped


def loads_round(view: Callable[..., Any]) -> Callable[..., Any]:
    """Call the decorated view with the round ``<int:round_id>`` names as ``assessment_round``; 404 if none.

    Goes under ``officer_required``, as ``loads_campaign`` does.
    """

    @wraps(view)
    def wrapped(*args: Any, round_id: int, **kwargs: Any) -> Any:
        return view(*args, assessment_round=db.get_or_404(AssessmentRound, round_id), **kwargs)

    return wrapped


def loads_self_assessment(view: Callable[..., Any]) -> Callable[..., Any]:
    """Call the view with the self-assessment of ``<int:unit_id>`` in ``<int:round_id>`` as
    ``assessment``; 404 if the round does not assess the unit. Goes under ``officer_required``."""

    @wraps(view)
    def wrapped(*args: Any, round_id: int, unit_id: int, **kwargs: Any) -> Any:
        assessment = db.one_or_404(select(SelfAssessment).filter_by(round_id=round_id, unit_id=unit_id))
        return view(*args, assessment=assessment, **kwargs)

    return wrapped
