"""Sign up, sign in, sign out, change password: thin views over `accounts`."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from . import accounts
from .auth_session import safe_next
from .extensions import db, limiter
from .forms import ChangePasswordForm, LoginForm, LogoutForm, SignupForm

bp = Blueprint("auth", __name__)


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.route("/signup", methods=["GET", "POST"])
def signup():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = SignupForm()
    if form.validate_on_submit():
        try:
            user = accounts.create_user(
                form.email.data,
                form.password.data,
                form.role.data,
                display_name=form.display_name.data,
            )
        except accounts.AccountError as error:
            db.session.rollback()
            getattr(form, error.field).errors.append(error.message)
        else:
            login_user(user)
            flash(f"Welcome, {user.display_name}. Your account is ready.", "success")
            return redirect(url_for("home.index"))
    status = 400 if form.errors else 200
    return render_template("auth/signup.html", form=form), status


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login():
    form = LoginForm()
    next_url = safe_next(request.args.get("next"))
    if form.validate_on_submit():
        user = accounts.authenticate(db.session, form.email.data, form.password.data)
        if user is not None:
            login_user(user, remember=form.remember.data)
            return redirect(next_url or url_for("home.index"))
        # One message whether or not the email exists.
        form.form_errors.append("That email and password do not match an account.")
    status = 400 if form.errors or form.form_errors else 200
    return render_template("auth/login.html", form=form, next_url=next_url), status


@bp.post("/logout")
def logout():
    form = LogoutForm()
    if form.validate_on_submit():
        logout_user()
        flash("You are signed out.", "info")
    return redirect(url_for("home.index"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            accounts.change_password(
                db.session, current_user, form.current_password.data, form.new_password.data
            )
        except accounts.AccountError as error:
            db.session.rollback()
            getattr(form, error.field).errors.append(error.message)
        else:
            # The token changed: sign this session in again under the new one.
            login_user(current_user._get_current_object())
            flash("Password changed. Other devices have been signed out.", "success")
            return redirect(url_for("home.index"))
    status = 400 if form.errors else 200
    return render_template("auth/change_password.html", form=form), status
