"""A cooperative time budget: slow steps ask it before they start."""

from __future__ import annotations

import time


class BudgetExceeded(Exception):
    """Raised when a cooperative step finds the budget spent."""


class Budget:
    """A deadline measured with `time.perf_counter`.

    Example:
        >>> b = Budget(10.0)
        >>> b.expired()
        False
        >>> Budget(0.0).expired()
        True
    """

    def __init__(self, seconds: float) -> None:
        self.deadline = time.perf_counter() + seconds

    def remaining(self) -> float:
        """Return the seconds left (negative once spent)."""
        return self.deadline - time.perf_counter()

    def expired(self) -> bool:
        """Return whether the budget is spent."""
        return self.remaining() <= 0

    def check(self) -> None:
        """Raise `BudgetExceeded` when the budget is spent."""
        if self.expired():
            raise BudgetExceeded
