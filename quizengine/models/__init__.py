"""The database models. Events are the truth; every other table is a projection."""

from .event import AppendOnlyError, Event
from .types import UTCDateTime
from .user import Role, User

__all__ = ["AppendOnlyError", "Event", "Role", "UTCDateTime", "User"]
