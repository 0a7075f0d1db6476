"""Officers' accounts page: every staff account, deactivation, reactivation and password resets."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response as WerkzeugResponse

from surveyapp.admin import bp
from surveyapp.auth.access import officer_required
from surveyapp.extensions import db
from surveyapp.models import User
from surveyapp.services.users import UserError, activate_user, deactivate_user, get_users, random_password, set_password


@bp.route("/accounts")
@officer_required
def accounts() -> str:
    """Every staff account with its role and whether it may log in."""
    return render_template("admin/accounts.html", users=get_users())


@bp.post("/accounts/<int:user_id>/deactivate")
@officer_required
def deactivate_account(user_id: int) -> WerkzeugResponse:
    """Refuse the account's log-ins; every session it has ends at once."""
    user = db.get_or_404(User, user_id)
    try:
        deactivate_user(user, by=current_user)
    except UserError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(
            _("Đã khóa tài khoản «%(username)s»: tài khoản không đăng nhập được nữa.", username=user.username),
            "success",
        )
    return redirect(url_for(".accounts"))


@bp.post("/accounts/<int:user_id>/activate")
@officer_required
def activate_account(user_id: int) -> WerkzeugResponse:
    """Let a deactivated account log in again, with its password as it was."""
    user = db.get_or_404(User, user_id)
    activate_user(user)
    db.session.commit()
    flash(_("Đã mở lại tài khoản «%(username)s».", username=user.username), "success")
    return redirect(url_for(".accounts"))


@bp.post("/accounts/<int:user_id>/password")
@officer_required
def reset_password(user_id: int) -> str:
    """Give another account a random password, shown on this page only (never stored in clear)."""
    user = db.get_or_404(User, user_id)
    password = random_password()
    set_password(user, password)
    db.session.commit()
    return render_template("admin/account_password.html", user=user, password=password)
