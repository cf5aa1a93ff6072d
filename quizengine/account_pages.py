"""The account page: change the password or the email (fresh sign-in), sign out everywhere."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_fresh, login_required, login_user

from . import accounts, mail, recovery, throttle
from .auth_session import fresh_login_required, no_referrer
from .extensions import db, limiter
from .forms import ChangeEmailForm, ChangePasswordForm, ConfirmForm
from .tokens import LinkError

bp = Blueprint("account", __name__)


def _now() -> datetime:
    return datetime.now(UTC)


def _keep_this_session() -> None:
    """After the session token rotated: sign this browser in again under the new one.

    Freshness and a remember-me cookie carry over; every other session ends.
    """
    remembered = request.cookies.get(current_app.config.get("REMEMBER_COOKIE_NAME",
                                                             "remember_token"))  # fmt: skip
    login_user(current_user._get_current_object(), remember=bool(remembered), fresh=login_fresh())


@bp.get("/account")
@login_required
def index():
    return render_template("account/index.html", form=ConfirmForm())


@bp.route("/account/password", methods=["GET", "POST"])
@fresh_login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            accounts.change_password(
                db.session, current_user, form.current_password.data, form.new_password.data
            )
        except accounts.AccountError as error:
            db.session.rollback()
            field = "new_password" if error.field == "password" else error.field
            getattr(form, field).errors.append(error.message)
        else:
            _keep_this_session()
            recovery.notify_password_changed(current_user)
            flash("Password changed. Other devices have been signed out.", "success")
            response = redirect(url_for("account.index"))
            # A new password forgets every known browser but this one, which just proved it.
            cookie = request.cookies.get(current_app.config["DEVICE_COOKIE_NAME"])
            throttle.remember_device(response, cookie, current_user, datetime.now(UTC))
            return response
    status = 400 if form.errors else 200
    return render_template("account/change_password.html", form=form), status


@bp.route("/account/email", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
@fresh_login_required
def change_email():
    form = ChangeEmailForm()
    if form.validate_on_submit():
        try:
            new_email = recovery.request_email_change(
                db.session,
                current_user,
                form.password.data,
                form.email.data,
                _now(),
                ip=get_remote_address(),
            )
        except accounts.AccountError as error:
            getattr(form, error.field).errors.append(error.message)
        except mail.MailError:
            current_app.logger.exception("email-change mail failed")
            form.form_errors.append(
                "We could not send the email just now. Please try again in a few minutes."
            )
            return render_template("account/change_email.html", form=form), 503
        else:
            flash(f"We sent a link to {new_email}. Your address changes when you follow it.",
                  "info")  # fmt: skip
            return redirect(url_for("account.index"))
    status = 400 if form.errors else 200
    return render_template("account/change_email.html", form=form), status


@bp.route("/account/email/confirm/<token>", methods=["GET", "POST"])
def confirm_email(token: str):
    """Move the account to the new address: a valid link, pressed by its account, signed in."""
    form = ConfirmForm()
    try:
        user, new_email = recovery.email_change_for(db.session, token, _now())
        if not current_user.is_authenticated:
            flash("Sign in to confirm your new email address.", "info")
            return redirect(url_for("auth.login", next=request.path))
        recovery.check_link_owner(user, current_user)
        if form.validate_on_submit():
            user = recovery.confirm_email_change(db.session, token, current_user, _now())
            flash(f"Your email address is now {user.email}.", "success")
            return redirect(url_for("account.index"))
    except LinkError as error:
        page = render_template("auth/link_error.html", message=error.message)
        return no_referrer(page, 400)
    page = render_template("account/confirm_email.html", form=form, new_email=new_email,
                           old_email=user.email)  # fmt: skip
    return no_referrer(page, 400 if form.errors else 200)


@bp.post("/account/sessions/end")
@login_required
def end_sessions():
    """Sign out every other session and remember-me cookie; this browser stays signed in."""
    form = ConfirmForm()
    if form.validate_on_submit():
        accounts.end_all_sessions(db.session, current_user)
        _keep_this_session()
        flash("Every other session has been signed out.", "success")
    return redirect(url_for("account.index"))
