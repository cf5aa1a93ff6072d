"""Password reset and email change: links sent by mail, signed and single use.

A reset link is a signed token holding the user id and a fingerprint of the
current password hash and address: setting a password changes the hash, so
the link works once, and any password or email change kills links sent
before it. An email-change link is bound to the password hash, the session
token and the address: changing the password or signing out everywhere (what
an owner does on finding someone else in the account) kills it too. It is
confirmed only by the same account, signed in, and the old address is told.
Security notices are never dropped by the mail cap.

Neither flow tells anyone whether an address has an account: a reset for an
unknown address mails that address instead ("there is no account here"),
and an email change to a taken address mails the new address to say so.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from . import accounts, mail, throttle, tokens
from .accounts import AccountError
from .models import User
from .tokens import LinkError

RESET = "password-reset"
EMAIL_CHANGE = "email-change"
RESET_SUBJECT = "Reset your Quizengine password"
NO_ACCOUNT_SUBJECT = "Quizengine password reset"
CHANGED_SUBJECT = "Your Quizengine password was changed"
CONFIRM_EMAIL_SUBJECT = "Confirm your new Quizengine email address"
TAKEN_SUBJECT = "Quizengine: this address already has an account"
EMAIL_NOTICE_SUBJECT = "Quizengine: a change of email address was requested"
EMAIL_CHANGED_SUBJECT = "Your Quizengine email address was changed"
EMAIL_LINK_EXPIRED = (
    "This link has expired or was already used. Ask for the change again from your account page."
)
EMAIL_LINK_SUPERSEDED = (
    "This link no longer works: it was already used, or the account's password was "
    "changed or every session was signed out since it was sent. Ask for the change "
    "again from your account page."
)
EMAIL_LINK_OTHER_ACCOUNT = (
    "This link is for another account. Sign out, then sign in to the account whose "
    "address is changing."
)


def _seconds(setting: str) -> timedelta:
    return timedelta(seconds=current_app.config[setting])


# ------------------------------------------------------------------ password reset


def request_reset(
    session: Session, email: str, now: datetime, ip: str | None = None,
    device_cookie: str | None = None,
) -> None:  # fmt: skip
    """Mail a reset link if the address has an account, else a note that it has none.

    One mail either way, so the page and its timing say nothing about the
    address. Raises `AccountError` only for something that is not an address.
    The mail cap counts per (address, `ip`), so the owner's own IP always has
    an allowance left however many strangers asked, and per known browser
    (`device_cookie`), so the owner's own browser does too.
    """
    email = accounts.validate_email(email)
    user = accounts.find_user_by_email(session, email)
    device = throttle.trusted_device(device_cookie, user, now)
    if not throttle.allow_mail(email, ip, device):
        return
    if user is None:
        mail.send_template(email, NO_ACCOUNT_SUBJECT, "reset_unknown",
                           signup_link=mail.external_url("auth.signup"))  # fmt: skip
        return
    lifetime = _seconds("RESET_LINK_SECONDS")
    token = tokens.sign(RESET, {"u": user.id, "f": reset_fingerprint(user)}, now)
    mail.send_template(email, RESET_SUBJECT, "reset", name=user.display_name,
                       link=mail.external_url("auth.reset_password", token=token),
                       minutes=round(lifetime.total_seconds() / 60))  # fmt: skip


def reset_fingerprint(user: User) -> str:
    """What a reset link is bound to: it dies when the password or the address changes."""
    return tokens.fingerprint(f"{user.password_hash}\n{user.email}")


def user_for_reset(session: Session, token: str, now: datetime) -> User:
    """Return the user a reset link is for; raise `LinkError` if expired, used or forged."""
    data = tokens.unsign(RESET, token, max_age=_seconds("RESET_LINK_SECONDS"), now=now)
    user = session.get(User, data.get("u")) if data and isinstance(data.get("u"), int) else None
    if user is None or data.get("f") != reset_fingerprint(user):
        raise LinkError("This reset link has expired or was already used. Ask for a new one below.")
    return user


def reset_password(session: Session, token: str, new: str, now: datetime) -> User:
    """Set the password a valid link allows; every session of the account ends."""
    user = user_for_reset(session, token, now)
    accounts.set_password(session, user, new)
    notify_password_changed(user)
    return user


def notify_password_changed(user: User) -> None:
    """Tell the owner, so a change they did not make does not go unnoticed.

    Never dropped by the mail cap. The password is already changed: a mail
    server that fails is logged, not shown.
    """
    _send_notice(user.email, CHANGED_SUBJECT, "password_changed", name=user.display_name,
                 links={"reset_link": "auth.request_reset"})  # fmt: skip


def _send_notice(to: str, subject: str, template: str, *, links=None, **context) -> None:
    """Send a security notice after the fact: a failure is logged, the change stands.

    `links` maps a template name to an endpoint, made absolute inside the `try`.
    """
    try:
        urls = {name: mail.external_url(endpoint) for name, endpoint in (links or {}).items()}
        mail.send_template(to, subject, template, **urls, **context)
    except mail.MailError:
        current_app.logger.exception("could not send the notice %r", subject)


# ------------------------------------------------------------------ email change


def request_email_change(
    session: Session, user: User, password: str, new_email: str, now: datetime,
    ip: str | None = None,
) -> str:  # fmt: skip
    """Check the password, then mail the new address a link and the old one a notice.

    The answer is the same whether or not the new address is taken: if it is,
    its mail says so instead of carrying a link. The mail to the new address
    counts in the mail cap; the notice to the old one never does. Returns the
    new address.
    """
    if not accounts.check_password(session, user, password):
        raise AccountError("password", "Your password is not correct.")
    try:
        new_email = accounts.validate_email(new_email)
    except AccountError as error:
        raise AccountError("email", error.message) from None
    if new_email == user.email:
        raise AccountError("email", "That is already your email address.")
    reset_link = mail.external_url("auth.request_reset")
    if throttle.allow_mail(new_email, ip):
        if accounts.find_user_by_email(session, new_email) is None:
            data = {"u": user.id, "e": new_email, "f": email_change_fingerprint(user)}
            token = tokens.sign(EMAIL_CHANGE, data, now)
            link = mail.external_url("account.confirm_email", token=token)
            mail.send_template(new_email, CONFIRM_EMAIL_SUBJECT, "email_confirm", link=link,
                               old_email=user.email)  # fmt: skip
        else:
            mail.send_template(new_email, TAKEN_SUBJECT, "email_taken", reset_link=reset_link)
    mail.send_template(user.email, EMAIL_NOTICE_SUBJECT, "email_notice", name=user.display_name,
                       new_email=new_email, reset_link=reset_link)  # fmt: skip
    return new_email


def email_change_fingerprint(user: User) -> str:
    """What an email-change link is bound to: the password, the sessions and the address.

    A new password, "sign out everywhere" or the change itself kills the link.
    """
    return tokens.fingerprint(f"{user.password_hash}\n{user.session_token}\n{user.email}")


def email_change_for(session: Session, token: str, now: datetime) -> tuple[User, str]:
    """Return (user, new address) for a valid email-change link; raise `LinkError` otherwise."""
    data = tokens.unsign(
        EMAIL_CHANGE, token, max_age=_seconds("EMAIL_CHANGE_LINK_SECONDS"), now=now
    )
    user = session.get(User, data.get("u")) if data and isinstance(data.get("u"), int) else None
    if user is None or not isinstance(data.get("e"), str):
        raise LinkError(EMAIL_LINK_EXPIRED)
    if data.get("f") != email_change_fingerprint(user):
        raise LinkError(EMAIL_LINK_SUPERSEDED)
    return user, data["e"]


def check_link_owner(user: User, signed_in: User) -> None:
    """Raise `LinkError` unless the account signed in is the one the link changes."""
    if signed_in.id != user.id:
        raise LinkError(EMAIL_LINK_OTHER_ACCOUNT)


def confirm_email_change(session: Session, token: str, signed_in: User, now: datetime) -> User:
    """Move the signed-in account to the new address, once, and tell the old address.

    A link for another account, or a taken address, fails with `LinkError`.
    """
    user, new_email = email_change_for(session, token, now)
    check_link_owner(user, signed_in)
    taken = LinkError(
        "This address cannot be used for your account. It may already belong to another "
        "account. Your email address has not changed."
    )
    if accounts.find_user_by_email(session, new_email) is not None:
        raise taken
    old_email, user.email = user.email, new_email
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise taken from None
    _send_notice(old_email, EMAIL_CHANGED_SUBJECT, "email_changed", name=user.display_name,
                 new_email=new_email)  # fmt: skip
    return user
