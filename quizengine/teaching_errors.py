"""Expected failures of the teaching services, naming the form field at fault."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class TeachingError(Exception):
    """Bad input from a teacher or learner; `field` names the form field."""

    field: str
    message: str

    def __str__(self) -> str:
        return self.message
