"""The database models. Events are the truth; every other table is a projection."""

from .event import AppendOnlyError, Event
from .learning import Attempt, Card, Device, LearnerSettings, Note, SkillCheckAnswer
from .teaching import (
    Assignment,
    Classroom,
    Enrollment,
    LateAcceptance,
    ProblemSet,
    ProblemSetItem,
    Ruling,
)
from .types import UTCDateTime
from .user import PendingSignup, Role, User

__all__ = [
    "AppendOnlyError",
    "Assignment",
    "Attempt",
    "Card",
    "Classroom",
    "Device",
    "Enrollment",
    "Event",
    "LateAcceptance",
    "LearnerSettings",
    "Note",
    "PendingSignup",
    "ProblemSet",
    "ProblemSetItem",
    "Role",
    "Ruling",
    "SkillCheckAnswer",
    "UTCDateTime",
    "User",
]
