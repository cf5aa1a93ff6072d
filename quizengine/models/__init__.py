"""The database models. Events are the truth; every other table is a projection."""

from .event import AppendOnlyError, Event
from .learning import Attempt, Card, Device, LearnerSettings, Note, SkillCheckAnswer
from .types import UTCDateTime
from .user import Role, User

__all__ = [
    "AppendOnlyError",
    "Attempt",
    "Card",
    "Device",
    "Event",
    "LearnerSettings",
    "Note",
    "Role",
    "SkillCheckAnswer",
    "UTCDateTime",
    "User",
]
