"""Log-in, log-out and the staff home that sends each role to its own pages."""

from __future__ import annotations

import math
from urllib.parse import urlsplit

from flask import current_app, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response as WerkzeugResponse

from surveyapp.auth import bp
from surveyapp.auth.access import officer_required  # noqa: F401  (registers the user loader)
from surveyapp.auth.forms import LoginForm
from surveyapp.extensions import db
from surveyapp.security import login_throttle
from surveyapp.services.users import authenticate


@bp.route("/")
def home() -> WerkzeugResponse:
    """Staff land on their own pages; anyone else on the log-in page."""
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    return redirect(url_for("admin.campaigns" if current_user.is_officer else "field.home"))


@bp.route("/login", methods=["GET", "POST"])
def login() -> str | tuple[str, int] | WerkzeugResponse:
    """Log a staff member in; a username with too many failures is refused for a while."""
    form = LoginForm()
    if form.validate_on_submit():
        throttle = login_throttle()
        if throttle.is_locked(form.username.data):
            minutes = math.ceil(throttle.lock_seconds / 60)
            flash(_("Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau %(minutes)d phút.", minutes=minutes), "error")
            return render_template("auth/login.html", form=form), 429
        user = authenticate(form.username.data, form.password.data)
        if user is None:
            throttle.record_failure(form.username.data)
        else:
            throttle.record_success(form.username.data)
            # A CSRF token seen before log-in (by whoever shared the browser) is not carried over;
            # nor is the signed token Flask-WTF keeps in ``g`` (shared by requests run inside
            # one application context, as the test client's are).
            field_name = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
            session.pop(field_name, None)
            g.pop(field_name, None)
            login_user(user)
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
