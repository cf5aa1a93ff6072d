"""Account services: creating users, checking passwords (behind the throttles), changing them.

Plain functions over a database session, so the views, the CLI and the tests
share one path. Expected failures raise `AccountError`, which names the field.
Sign-up by mail, password reset and email change live in `registration` and
`recovery`; the throttles in `throttle`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from . import throttle
from .extensions import db
from .models import Role, User
from .models.user import new_session_token

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1024
MAX_DISPLAY_NAME_LENGTH = 80
# A plain address: no RFC 5322 comments, quotes, brackets or lists (each would be one
# mailbox under many spellings, so many mail-cap buckets), no whitespace or control
# characters; a domain of letters, digits and hyphens with at least one dot.
_LOCAL_PART = r'[^@\s()<>\[\],;:"\\\x00-\x1f\x7f-\x9f]+'
_LABEL = r"(?:[^\W_]|-)+"
EMAIL_PATTERN = re.compile(rf"^{_LOCAL_PART}@{_LABEL}(?:\.{_LABEL})+$")

# Argon2id with argon2-cffi's defaults (RFC 9106's second recommended profile).
password_hasher = PasswordHasher()
# Verified when the email is unknown, so a miss costs the same time as a hit.
_DUMMY_HASH = password_hasher.hash("quizengine timing equaliser")


@dataclass
class AccountError(Exception):
    """An expected problem with account input; `field` names the form field."""

    field: str
    message: str

    def __str__(self) -> str:
        return self.message


def normalize_email(email: str) -> str:
    """Return the email as stored: trimmed and case-folded.

    >>> normalize_email("  Ada@Example.ORG ")
    'ada@example.org'
    """
    return email.strip().lower()


def validate_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(
            "password", f"Use at least {MIN_PASSWORD_LENGTH} characters for your password."
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise AccountError("password", f"Use at most {MAX_PASSWORD_LENGTH} characters.")


def validate_email(email: str) -> str:
    """Return the email normalized, or raise `AccountError` if it cannot be an address."""
    email = normalize_email(email)
    if not EMAIL_PATTERN.match(email) or len(email) > 254:
        raise AccountError("email", "Enter an email address such as ada@example.org.")
    return email


def validate_signup(
    email: str, password: str, role: str, display_name: str | None
) -> tuple[str, str]:
    """Check new-account input (not whether the email is taken); return (email, display name)."""
    email = validate_email(email)
    if role not in {r.value for r in Role}:
        raise AccountError("role", "Choose learner or teacher.")
    validate_password(password)
    return email, validate_display_name(display_name or email.split("@")[0])


def validate_display_name(display_name: str) -> str:
    """Return the name trimmed, or raise `AccountError`: 1 to 80 characters, no line breaks.

    >>> validate_display_name("  Ada L ")
    'Ada L'
    """
    name = display_name.strip()
    if not name or len(name) > MAX_DISPLAY_NAME_LENGTH:
        raise AccountError(
            "display_name", f"Use a display name of 1 to {MAX_DISPLAY_NAME_LENGTH} characters."
        )
    if any(unicodedata.category(ch) == "Cc" for ch in name):
        raise AccountError(
            "display_name",
            "A display name cannot contain line breaks, tabs or other control characters.",
        )
    return name


def find_user_by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == normalize_email(email)))


def create_user(
    email: str,
    password: str,
    role: str = "learner",
    *,
    display_name: str | None = None,
    session: Session | None = None,
    now: datetime | None = None,
) -> User:
    """Create and commit an account; raise `AccountError` on bad or taken input.

    Runs inside an app context; `session` defaults to the app's database session.
    """
    session = session or db.session
    email, name = validate_signup(email, password, role, display_name)
    if find_user_by_email(session, email) is not None:
        raise AccountError("email", "An account with this email already exists. Sign in instead.")
    user = User(
        email=email,
        display_name=name,
        password_hash=password_hasher.hash(password),
        role=role,
        session_token=new_session_token(),
        created_at=now or datetime.now(UTC),
        last_event_seq=0,
    )
    session.add(user)
    session.commit()
    return user


def authenticate(session: Session, email: str, password: str) -> User | None:
    """Return the user these credentials belong to, or None; upgrade an old hash."""
    user = find_user_by_email(session, email)
    return user if check_password(session, user, password) else None


def check_password(session: Session, user: User | None, password: str) -> bool:
    """Verify `password`; for no user, verify a dummy hash so a miss takes as long as a hit."""
    if user is None:
        verify_hash(_DUMMY_HASH, password)
        return False
    if not verify_hash(user.password_hash, password):
        return False
    if password_hasher.check_needs_rehash(user.password_hash):
        user.password_hash = password_hasher.hash(password)
        session.commit()
    return True


@dataclass(frozen=True)
class SignIn:
    """The outcome of a sign-in: the user, or None; `wait_seconds` > 0 if throttled."""

    user: User | None
    wait_seconds: int = 0


def sign_in(
    session: Session,
    email: str,
    password: str,
    *,
    ip: str,
    device_cookie: str | None,
    now: datetime,
) -> SignIn:
    """Check credentials behind the sign-in throttles (see `throttle`).

    The attempt is counted before the password is looked at, so parallel
    guesses cannot all pass; a throttled attempt is refused unchecked, and the
    answer never depends on whether the address has an account.
    """
    address = normalize_email(email)
    user = find_user_by_email(session, address)
    device = throttle.trusted_device(device_cookie, user, now)
    wait = throttle.count_attempt(throttle.sign_in_buckets(address, ip, device))
    if wait:
        return SignIn(None, wait)
    return SignIn(user if check_password(session, user, password) else None)


def change_password(session: Session, user: User, current: str, new: str) -> None:
    """Set a new password and rotate the session token, signing out other sessions."""
    if not verify_hash(user.password_hash, current):
        raise AccountError("current_password", "Your current password is not correct.")
    set_password(session, user, new)


def set_password(session: Session, user: User, new: str) -> None:
    """Hash and store a new password and end every session (the token is the session's id)."""
    validate_password(new)
    user.password_hash = password_hasher.hash(new)
    user.session_token = new_session_token()
    session.commit()


def end_all_sessions(session: Session, user: User) -> None:
    """Rotate the session token: every session and remember-me cookie of `user` stops working."""
    user.session_token = new_session_token()
    session.commit()


def load_user_by_token(session: Session, token: str) -> User | None:
    """The user whose current session token this is (every signed-in request asks)."""
    return session.execute(_BY_TOKEN, {"token": token}).scalar_one_or_none()


_BY_TOKEN = select(User).where(User.session_token == bindparam("token"))


def verify_hash(password_hash: str, password: str) -> bool:
    """True if `password` matches the Argon2 `password_hash` (a malformed hash: False)."""
    try:
        return password_hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
