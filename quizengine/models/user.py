"""Accounts: who a person is and how their sessions are tied to them."""

from __future__ import annotations

import enum
import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import BigInteger, CheckConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .types import UTCDateTime


class Role(enum.StrEnum):
    LEARNER = "learner"
    TEACHER = "teacher"


def new_session_token() -> str:
    return secrets.token_urlsafe(32)


class User(UserMixin, db.Model):
    """A learner or a teacher.

    `session_token` is Flask-Login's alternative id: sessions and remember-me
    cookies carry it instead of the primary key, so rotating it (on a password
    change) signs out every other session.
    """

    __tablename__ = "users"
    __table_args__ = (CheckConstraint("role IN ('learner', 'teacher')", name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored case-folded, so the unique constraint is case-insensitive everywhere.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(80))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16), default=Role.LEARNER.value)
    session_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_session_token)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # The last sequence number given to one of this user's events (the sync cursor).
    last_event_seq: Mapped[int] = mapped_column(BigInteger, default=0)

    def get_id(self) -> str:
        return self.session_token

    @property
    def is_teacher(self) -> bool:
        return self.role == Role.TEACHER.value

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email} {self.role}>"


class PendingSignup(db.Model):
    """A sign-up waiting for its owner to follow the link mailed to the address.

    Only the SHA-256 of the link's token is stored, so the database holds no
    usable link. The password is already hashed: following the link creates
    the account without asking again. Rows are deleted when used or expired.
    """

    __tablename__ = "pending_signups"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    display_name: Mapped[str] = mapped_column(String(80))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
