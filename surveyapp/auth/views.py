"""Log-in, log-out, one's own password, and the staff home that sends each role to its own pages."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response as WerkzeugResponse

from surveyapp.auth import bp
from surveyapp.auth.access import officer_required  # noqa: F401  (registers the user loader)
from surveyapp.auth.forms import ChangePasswordForm, LoginForm
from surveyapp.extensions import db
from surveyapp.models import User
from surveyapp.security import is_login_locked, login_lock_minutes, record_login_failure, record_login_success
from surveyapp.services.users import MIN_PASSWORD_LENGTH, UserError, authenticate, change_password


def _start_session(user: User) -> None:
    """Log ``user`` in with a new CSRF token: one seen before (by whoever shared the browser) is not carried over.

    Flask-WTF keeps the token in the session and caches it on ``g``; both are dropped.
    """
    field_name = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    session.pop(field_name, None)
    g.pop(field_name, None)
    login_user(user)


@bp.route("/")
def home() -> WerkzeugResponse:
    """Staff land on their own pages; anyone else on the log-in page."""
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    if current_user.is_officer:
        return redirect(url_for("admin.campaigns"))
    if current_user.is_appraiser:
        return redirect(url_for("appraise.home"))
    return redirect(url_for("unit.home" if current_user.is_unit_account else "field.home"))


@bp.route("/login", methods=["GET", "POST"])
def login() -> str | tuple[str, int] | WerkzeugResponse:
    """Log a staff member in; a username or a client with too many failures is refused for a while.

    The counts are shared by every worker (``surveyapp.security``); they are written before
    the session writes anything.
    """
    form = LoginForm()
    if form.validate_on_submit():
        if is_login_locked(form.username.data):
            minutes = login_lock_minutes()
            flash(_("Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau %(minutes)d phút.", minutes=minutes), "error")
            return render_template("auth/login.html", form=form), 429
        user = authenticate(form.username.data, form.password.data)
        if user is None:
            record_login_failure(form.username.data)
        else:
            record_login_success(form.username.data)
            _start_session(user)
            target = request.args.get("next", "")
            if not target.startswith("/") or target.startswith("//") or urlsplit(target).netloc:
                target = url_for("auth.home")
            return redirect(target)
        flash(_("Tên đăng nhập hoặc mật khẩu không đúng."), "error")
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout() -> WerkzeugResponse:
    """End every session of the account, this one and any cookie saved elsewhere."""
    current_user.end_sessions()
    db.session.commit()
    logout_user()
    flash(_("Bạn đã đăng xuất."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"], endpoint="change_password")
@login_required
def change_password_view() -> str | WerkzeugResponse:
    """Any staff member changes their own password; every other session of the account ends."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            change_password(current_user, form.current_password.data, form.new_password.data)
        except UserError as error:
            form.current_password.errors.append(str(error))
        else:
            db.session.commit()
            # The new nonce ended this session too: this browser starts a fresh one.
            _start_session(current_user._get_current_object())
            flash(_("Đã đổi mật khẩu. Mọi phiên đăng nhập khác của tài khoản đã kết thúc."), "success")
            return redirect(url_for("auth.home"))
    return render_template("auth/password.html", form=form, min_length=MIN_PASSWORD_LENGTH)
