"""A cooperative time budget: slow steps ask it before they start."""

from __future__ import annotations

import time


class BudgetExceeded(Exception):
    """Raised when a cooperative step finds the budget spent."""


def clock() -> float:
    """Return this thread's CPU seconds: the work done, not the wall time.

    A busy machine (other processes, other requests) then cannot spend an
    answer's budget, so verdicts and named mistakes do not depend on load.
    """
    return time.thread_time()


class Budget:
    """A deadline measured on `clock()` (this thread's CPU time).

    Example:
        >>> b = Budget(10.0)
        >>> b.expired()
        False
        >>> Budget(0.0).expired()
        True
    """

    def __init__(self, seconds: float) -> None:
        self.deadline = clock() + seconds

    def remaining(self) -> float:
        """Return the seconds left (negative once spent)."""
        return self.deadline - clock()

    def expired(self) -> bool:
        """Return whether the budget is spent."""
        return self.remaining() <= 0

    def check(self) -> None:
        """Raise `BudgetExceeded` when the budget is spent."""
        if self.expired():
            raise BudgetExceeded
