"""Sign-up by mail, so the sign-up form never tells anyone whether an address has an account.

A valid sign-up always does the same work and gets the same answer ("check
your email"): the password is hashed, a pending row is stored, one mail is
sent. A new address gets a link that creates the account; an address that
already has one gets a mail saying so, with links to sign in or reset the
password (its pending row can never be confirmed: no link to it is sent).

Following the link asks for the password chosen at sign-up. Without that,
someone could sign up with another person's address and a password of their
own, wait for the owner to press "Create my account", and then sign in to the
owner's new account. A few wrong passwords void the pending sign-up. The mail
to the (not yet verified) address carries no text typed into the form.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from . import accounts, mail, throttle, tokens
from .accounts import AccountError
from .models import PendingSignup, User
from .models.user import new_session_token
from .tokens import LinkError

CONFIRM_SUBJECT = "Finish creating your Quizengine account"
EXISTS_SUBJECT = "Someone tried to create a Quizengine account with your address"
WRONG_PASSWORD = (
    "That is not the password chosen when signing up. If you did not sign up, ignore the "
    "email; to create an account, sign up again."
)


def stale_signup() -> LinkError:
    """The one answer for a sign-up link that cannot be used, whatever the reason."""
    return LinkError(
        "This sign-up link has expired or was already used. Sign up again, or sign in "
        "if you already have an account."
    )


def start_signup(
    session: Session,
    *,
    email: str,
    password: str,
    role: str,
    display_name: str | None,
    now: datetime,
    ip: str | None = None,
) -> None:
    """Validate the form, store a pending sign-up and mail the address; raise `AccountError`.

    The same hashing, database write and mail happen whether or not the
    address already has an account; only the mail's text differs. `ip` is
    who asked, for the mail cap (`throttle.allow_mail`).
    """
    email, name = accounts.validate_signup(email, password, role, display_name)
    session.execute(delete(PendingSignup).where(PendingSignup.expires_at < now))
    token = tokens.random_token()
    lifetime = timedelta(seconds=current_app.config["SIGNUP_LINK_SECONDS"])
    session.add(
        PendingSignup(
            token_hash=tokens.digest(token),
            email=email,
            display_name=name,
            password_hash=accounts.password_hasher.hash(password),
            role=role,
            created_at=now,
            expires_at=now + lifetime,
        )
    )
    session.commit()
    if not throttle.allow_mail(email, ip):
        return
    if accounts.find_user_by_email(session, email) is None:
        link = mail.external_url("auth.confirm_signup", token=token)
        mail.send_template(email, CONFIRM_SUBJECT, "signup_confirm", link=link,
                           hours=round(lifetime.total_seconds() / 3600))  # fmt: skip
    else:
        mail.send_template(
            email,
            EXISTS_SUBJECT,
            "signup_exists",
            login_link=mail.external_url("auth.login"),
            reset_link=mail.external_url("auth.request_reset"),
        )


def find_pending(session: Session, token: str, now: datetime) -> PendingSignup:
    """Return the pending sign-up this link's token names; raise `LinkError` if stale."""
    pending = session.scalar(
        select(PendingSignup).where(PendingSignup.token_hash == tokens.digest(token))
    )
    if pending is None or pending.expires_at <= now:
        raise stale_signup()
    return pending


def check_signup_password(session: Session, pending: PendingSignup, password: str) -> None:
    """Raise `AccountError` unless `password` is the one chosen at sign-up.

    Each try is counted before the check (`SIGNUP_CONFIRM_ATTEMPTS`); once they
    are spent the pending sign-up is deleted and `LinkError` says so.
    """
    bucket = throttle.signup_attempt_bucket(pending.token_hash)
    if throttle.count_attempt([bucket]):
        _void_and_refuse(session, pending)
    if accounts.verify_hash(pending.password_hash, password):
        return
    if throttle.attempts_left(bucket) == 0:
        _void_and_refuse(session, pending)
    raise AccountError("password", WRONG_PASSWORD)


def _void_and_refuse(session: Session, pending: PendingSignup) -> None:
    session.delete(pending)
    session.commit()
    raise LinkError(
        "Too many wrong passwords: this sign-up link no longer works. To create an account, "
        "sign up again."
    )


def confirm_signup(session: Session, token: str, password: str, now: datetime) -> User:
    """Create the account a sign-up link stands for, once, given the password chosen then.

    Raises `LinkError` for a stale link, `AccountError` for a wrong password.
    """
    pending = find_pending(session, token, now)
    check_signup_password(session, pending, password)
    email = pending.email
    user = User(
        email=email,
        display_name=pending.display_name,
        password_hash=pending.password_hash,
        role=pending.role,
        session_token=new_session_token(),
        created_at=now,
        last_event_seq=0,
    )
    # Every pending sign-up for this address goes: the link is single use.
    session.execute(delete(PendingSignup).where(PendingSignup.email == email))
    if accounts.find_user_by_email(session, email) is not None:
        session.commit()
        raise stale_signup()
    session.add(user)
    try:
        session.commit()
    except IntegrityError:  # the same address confirmed at the same moment elsewhere
        session.rollback()
        raise stale_signup() from None
    return user
