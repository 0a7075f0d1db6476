"""What an officer's address names, loaded in one place: ``<int:campaign_id>`` becomes a ``Campaign``."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from surveyapp.extensions import db
from surveyapp.models import Campaign


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
