"""Sign up (by mail), sign in, sign out, confirm the password, reset it: thin views.

The services live in `accounts`, `registration`, `recovery` and `throttle`.
Every form posts without JavaScript; pages reached from a mailed link act
only on a button press, so a mail scanner fetching the link changes nothing.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_limiter import RateLimitExceeded
from flask_limiter.util import get_remote_address
from flask_login import confirm_login, current_user, login_required, login_user, logout_user

from . import accounts, mail, recovery, registration, throttle
from .auth_session import mark_fresh, no_referrer, safe_next
from .extensions import db, limiter
from .forms import (
    ConfirmSignupForm,
    LoginForm,
    LogoutForm,
    ReauthenticateForm,
    ResetPasswordForm,
    ResetRequestForm,
    SignupForm,
)
from .models import User
from .tokens import LinkError

bp = Blueprint("auth", __name__)

MAIL_FAILED = "We could not send the email just now. Please try again in a few minutes."
NO_MATCH = "That email and password do not match an account."


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _per_ip():
    """Flask-Limiter's per-IP limit on a form's POSTs."""
    return limiter.limit(_login_limit, methods=["POST"])


def _now() -> datetime:
    return datetime.now(UTC)


def _device_cookie() -> str | None:
    return request.cookies.get(current_app.config["DEVICE_COOKIE_NAME"])


def _signed_in(user: User, target: str, *, remember: bool = False):
    """Sign this browser in as `user` after proof of the password or the mailbox."""
    now = _now()
    login_user(user, remember=remember)
    mark_fresh(now)
    response = redirect(target)
    throttle.remember_device(response, _device_cookie(), user, now)
    return response


def _throttled(template: str, wait: int, **context):
    page = render_template(template, throttled=throttle.wait_message(wait), **context)
    return page, 429, {"Retry-After": str(wait)}


@bp.errorhandler(RateLimitExceeded)
def _too_many(error: RateLimitExceeded):
    """Flask-Limiter's per-IP limit: say how long to wait, on the form's own page if we can."""
    limit = limiter.current_limit
    wait = max(60, int(limit.reset_at - time.time())) if limit else 60
    if request.endpoint == "auth.login":
        return _throttled("auth/login.html", wait, form=LoginForm(), next_url=None)
    message = throttle.wait_message(wait)
    page = render_template("errors/error.html", status=429, title="Slow down", message=message)
    return page, 429, {"Retry-After": str(wait)}


# ------------------------------------------------------------------ sign up


@bp.route("/signup", methods=["GET", "POST"])
@_per_ip()
def signup():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = SignupForm()
    if form.validate_on_submit():
        try:
            registration.start_signup(db.session, email=form.email.data,
                                      password=form.password.data, role=form.role.data,
                                      display_name=form.display_name.data, now=_now(),
                                      ip=get_remote_address())  # fmt: skip
        except accounts.AccountError as error:
            db.session.rollback()
            getattr(form, error.field).errors.append(error.message)
        except mail.MailError:
            current_app.logger.exception("sign-up mail failed")
            form.form_errors.append(MAIL_FAILED)
            return render_template("auth/signup.html", form=form), 503
        else:
            return redirect(url_for("auth.signup_sent"))
    status = 400 if form.errors else 200
    return render_template("auth/signup.html", form=form), status


@bp.get("/signup/sent")
def signup_sent():
    return render_template("auth/check_email.html", purpose="signup")


@bp.route("/signup/confirm/<token>", methods=["GET", "POST"])
@_per_ip()
def confirm_signup(token: str):
    """Create the account once the password chosen at sign-up is typed again."""
    form = ConfirmSignupForm()
    try:
        pending = registration.find_pending(db.session, token, _now())
        if form.validate_on_submit():
            user = registration.confirm_signup(db.session, token, form.password.data, _now())
            flash(f"Welcome, {user.display_name}. Your account is ready.", "success")
            return _signed_in(user, url_for("home.index"))
    except LinkError as error:
        return no_referrer(render_template("auth/link_error.html", message=error.message), 400)
    except accounts.AccountError as error:
        form.password.errors.append(error.message)
    page = render_template("auth/confirm_signup.html", form=form, pending=pending, token=token)
    return no_referrer(page, 400 if form.errors else 200)


# ------------------------------------------------------------------ sign in and out


@bp.route("/login", methods=["GET", "POST"])
@_per_ip()
def login():
    form = LoginForm()
    next_url = safe_next(request.args.get("next"))
    if form.validate_on_submit():
        result = accounts.sign_in(db.session, form.email.data, form.password.data,
                                  ip=get_remote_address(), device_cookie=_device_cookie(),
                                  now=_now())  # fmt: skip
        if result.wait_seconds:
            return _throttled("auth/login.html", result.wait_seconds, form=form, next_url=next_url)
        if result.user is not None:
            target = next_url or url_for("home.index")
            return _signed_in(result.user, target, remember=form.remember.data)
        form.form_errors.append(NO_MATCH)  # one message whether or not the email exists
    status = 400 if form.errors or form.form_errors else 200
    return render_template("auth/login.html", form=form, next_url=next_url), status


@bp.post("/logout")
def logout():
    form = LogoutForm()
    if form.validate_on_submit():
        logout_user()
        flash("You are signed out.", "info")
    return redirect(url_for("home.index"))


@bp.route("/reauthenticate", methods=["GET", "POST"])
@_per_ip()
@login_required
def reauthenticate():
    """Ask for the password again before a sensitive change (Flask-Login's refresh view)."""
    form = ReauthenticateForm()
    next_url = safe_next(request.args.get("next"))
    if form.validate_on_submit():
        result = accounts.sign_in(db.session, current_user.email, form.password.data,
                                  ip=get_remote_address(), device_cookie=_device_cookie(),
                                  now=_now())  # fmt: skip
        if result.wait_seconds:
            return _throttled("auth/reauthenticate.html", result.wait_seconds, form=form,
                              next_url=next_url)  # fmt: skip
        if result.user is not None and result.user.id == current_user.id:
            confirm_login()
            now = _now()
            mark_fresh(now)
            response = redirect(next_url or url_for("account.index"))
            throttle.remember_device(response, _device_cookie(), current_user, now)
            return response
        form.password.errors.append("That password is not correct.")
    status = 400 if form.errors else 200
    return render_template("auth/reauthenticate.html", form=form, next_url=next_url), status


# ------------------------------------------------------------------ password reset


@bp.route("/reset", methods=["GET", "POST"])
@_per_ip()
def request_reset():
    form = ResetRequestForm()
    if form.validate_on_submit():
        try:
            recovery.request_reset(db.session, form.email.data, _now(), ip=get_remote_address(),
                                   device_cookie=_device_cookie())  # fmt: skip
        except accounts.AccountError as error:
            form.email.errors.append(error.message)
        except mail.MailError:
            current_app.logger.exception("reset mail failed")
            form.form_errors.append(MAIL_FAILED)
            return render_template("auth/reset_request.html", form=form), 503
        else:
            return redirect(url_for("auth.reset_sent"))
    status = 400 if form.errors else 200
    return render_template("auth/reset_request.html", form=form), status


@bp.get("/reset/sent")
def reset_sent():
    return render_template("auth/check_email.html", purpose="reset")


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    form = ResetPasswordForm()
    try:
        if form.validate_on_submit():
            user = recovery.reset_password(db.session, token, form.password.data, _now())
            flash("Your password is set. Every other session has been signed out.", "success")
            return _signed_in(user, url_for("home.index"))
        recovery.user_for_reset(db.session, token, _now())
    except LinkError as error:
        page = render_template("auth/link_error.html", message=error.message, reset=True)
        return no_referrer(page, 400)
    except accounts.AccountError as error:
        db.session.rollback()
        form.password.errors.append(error.message)
    page = render_template("auth/reset_password.html", form=form, token=token)
    return no_referrer(page, 400 if form.errors else 200)
