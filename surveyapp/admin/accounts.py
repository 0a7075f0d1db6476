"""Officers' accounts page: every staff account, new accounts of assessed units and of
appraisers, deactivation, reactivation and password resets."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response as WerkzeugResponse

from surveyapp.admin import bp
from surveyapp.admin.forms import AccountForm, UnitAccountForm
from surveyapp.auth.access import officer_required
from surveyapp.extensions import db
from surveyapp.models import User, UserRole
from surveyapp.services.units import get_current_unit, get_unit_tree, normalise_unit_code
from surveyapp.services.users import (
    UserError,
    activate_user,
    create_user,
    deactivate_user,
    get_users,
    random_password,
    set_password,
)


@bp.route("/accounts")
@officer_required
def accounts() -> str:
    """Every staff account with its role and whether it may log in."""
    return render_template("admin/accounts.html", users=get_users())


@bp.route("/accounts/new-unit-account", methods=["GET", "POST"])
@officer_required
def new_unit_account() -> str:
    """Create the account of an assessed unit's staff with a random password, shown on this page only."""
    form = UnitAccountForm()
    if form.validate_on_submit():
        code = normalise_unit_code(form.unit_code.data)
        unit = get_current_unit(code)
        if unit is None:
            form.unit_code.errors.append(_("Không có đơn vị hiện hành nào mang mã «%(code)s».", code=code))
        else:
            password = random_password()
            try:
                user = create_user(
                    username=form.username.data,
                    full_name=form.full_name.data,
                    password=password,
                    role=UserRole.UNIT,
                    assessed_unit=unit,
                )
            except UserError as error:
                db.session.rollback()
                form.username.errors.append(str(error))
            else:
                db.session.commit()
                return render_template("admin/account_password.html", user=user, password=password)
    return render_template("admin/unit_account_form.html", form=form, units=get_unit_tree())


@bp.route("/accounts/new-appraiser", methods=["GET", "POST"])
@officer_required
def new_appraiser_account() -> str:
    """Create an appraiser's account with a random password, shown on this page only."""
    form = AccountForm()
    if form.validate_on_submit():
        password = random_password()
        try:
            user = create_user(
                username=form.username.data, full_name=form.full_name.data, password=password, role=UserRole.APPRAISER
            )
        except UserError as error:
            db.session.rollback()
            form.username.errors.append(str(error))
        else:
            db.session.commit()
            return render_template("admin/account_password.html", user=user, password=password)
    return render_template("admin/appraiser_account_form.html", form=form)


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
