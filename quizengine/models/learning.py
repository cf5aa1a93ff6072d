"""Projections of a learner's events: cards, attempts, notes, Skill Check answers.

Every row here can be rebuilt from the events table by replay; none is the
truth. Settings are the exception: they are the learner's configuration.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .types import UTCDateTime


class LearnerSettings(db.Model):
    """How a learner wants to be scheduled."""

    __tablename__ = "learner_settings"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    desired_retention: Mapped[float] = mapped_column(Float, default=0.9)
    daily_new_limit: Mapped[int] = mapped_column(Integer, default=5)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    day_start_hour: Mapped[int] = mapped_column(Integer, default=4)


class Card(db.Model):
    """The cached fold of one learner's graded attempts on one skill (template).

    `last_key` is the replay sort key (hlc, device, id) of the last attempt
    folded in: a new attempt that sorts after it is applied incrementally, one
    that sorts before it makes the card replay from scratch.
    """

    __tablename__ = "cards"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    template_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    card_id: Mapped[int] = mapped_column(BigInteger)
    state: Mapped[int] = mapped_column(Integer)
    step: Mapped[int | None] = mapped_column(Integer, nullable=True)
    stability: Mapped[float | None] = mapped_column(Float, nullable=True)
    difficulty: Mapped[float | None] = mapped_column(Float, nullable=True)
    due: Mapped[datetime] = mapped_column(UTCDateTime())
    last_review: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    reviews: Mapped[int] = mapped_column(Integer, default=0)
    lapses: Mapped[int] = mapped_column(Integer, default=0)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    level: Mapped[int] = mapped_column(Integer, default=1)
    clean_streak: Mapped[int] = mapped_column(Integer, default=0)
    miss_streak: Mapped[int] = mapped_column(Integer, default=0)
    last_rating: Mapped[int | None] = mapped_column(Integer, nullable=True)
    last_time: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_key: Mapped[str] = mapped_column(String(200), default="")
    introduced_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    first_review: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class Attempt(db.Model):
    """One answer and the server's grading of it."""

    __tablename__ = "attempts"
    __table_args__ = (
        Index("ix_attempts_user_template", "user_id", "template_id"),
        Index("ix_attempts_user_answered", "user_id", "answered_at"),
    )

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    event_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    template_id: Mapped[str] = mapped_column(String(64))
    seed: Mapped[int] = mapped_column(BigInteger)
    level: Mapped[int] = mapped_column(Integer)
    answer: Mapped[str] = mapped_column(Text)
    duration_ms: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    assignment_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    device_id: Mapped[str] = mapped_column(String(64))
    hlc: Mapped[str] = mapped_column(String(96))
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime())
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(16))
    score: Mapped[float] = mapped_column(Float)
    feedback: Mapped[str] = mapped_column(Text)
    tags: Mapped[list[str]] = mapped_column(JSON)
    preview: Mapped[str | None] = mapped_column(Text, nullable=True)
    flags: Mapped[dict[str, Any]] = mapped_column(JSON)
    graded_event_id: Mapped[str] = mapped_column(String(36))


class Note(db.Model):
    """A learner's private note on a lesson: the latest write by replay order wins."""

    __tablename__ = "notes"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    lesson_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    body: Mapped[str] = mapped_column(Text)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    last_key: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class SkillCheckAnswer(db.Model):
    """A learner's latest choice on one Skill Check question."""

    __tablename__ = "skill_check_answers"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    lesson_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    question_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    choice: Mapped[str] = mapped_column(String(200))
    correct: Mapped[bool] = mapped_column(Boolean)
    last_key: Mapped[str] = mapped_column(String(200))
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Device(db.Model):
    """A device that has synced for a learner, and how far its clock was off.

    Skew never refuses an event (replay follows the hybrid logical clock); it is
    recorded so a learner whose phone clock is wrong can be told.
    """

    __tablename__ = "devices"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    device_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    first_seen: Mapped[datetime] = mapped_column(UTCDateTime())
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime())
    clock_skew_ms: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
