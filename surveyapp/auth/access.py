"""Access rules for staff pages: who is logged in, and which role a page needs."""

from __future__ import annotations

import hmac
from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any

from flask import abort
from flask_login import current_user, login_required

from surveyapp.extensions import db, login_manager
from surveyapp.models import PaperBatch, Unit, User

login_manager.login_view = "auth.login"
login_manager.login_message = None


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """The active account of a session id ``<user id>:<session nonce>`` (see ``User.get_id``).

    A session saved before the account's nonce changed (log-out, new password, deactivation)
    names an old nonce: it is treated as no session at all.
    """
    user_id, _, nonce = session_id.partition(":")
    if not user_id.isdigit() or not nonce:
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.is_active or not hmac.compare_digest(user.session_nonce, nonce):
        return None
    return user


def officer_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Only officers may open the decorated view; others get 403."""

    @wraps(view)
    @login_required
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_officer:
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def unit_account_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Only the accounts of assessed units may open the decorated view; others get 403."""

    @wraps(view)
    @login_required
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_unit_account:
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def appraiser_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Only appraisers may open the decorated view; others get 403."""

    @wraps(view)
    @login_required
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_appraiser:
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def refuse_assessment_accounts() -> None:
    """403 for an assessed unit's account or an appraiser's: the surveyors' pages are not theirs
    (a ``before_request`` of the ``field`` blueprint; anyone not logged in goes on to log in)."""
    if current_user.is_authenticated and (current_user.is_unit_account or current_user.is_appraiser):
        abort(403)


def is_within_assignment(user: User, unit: Unit) -> bool:
    """Whether ``unit`` is one of the user's assigned units or lies below one of them."""
    assigned = {assigned_unit.id for assigned_unit in user.assigned_units}
    return any(ancestor.id in assigned for ancestor in unit.lineage())


def can_collect_for(user: User, units: Iterable[Unit]) -> bool:
    """Officers may type in forms for any unit; surveyors only within their assignment."""
    return user.is_officer or all(is_within_assignment(user, unit) for unit in units)


def can_void_batch(user: User, batch: PaperBatch) -> bool:
    """Officers may void any paper batch; a surveyor only a batch they printed, about units still
    within their assignment."""
    return user.is_officer or (batch.printed_by_id == user.id and can_collect_for(user, batch.units))
