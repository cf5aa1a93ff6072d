"""The practice queue: what a learner should do next, best first.

Anki's order, adapted: due reviews (lowest retrievability first), then
assigned work by due date, then new skills in lesson order within a daily
limit, then, when nothing is due, practice ahead on the weakest skills.
Related skills are not served back to back.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from . import scheduling
from .content import skill_order, template_index
from .models import Attempt, Card
from .projections import card_state, read_settings

# Reviews; a backlog above the learner's usual day (at least this) pauses new skills.
MIN_DAY_OF_WORK = 3


@dataclass(frozen=True)
class QueueItem:
    """One thing to practise: a fresh variant of a skill at the learner's level."""

    template_id: str
    level: int
    seed: int
    reason: str  # due | assigned | new | ahead
    due: datetime | None = None
    assignment_id: int | None = None
    retrievability: float | None = None

    def to_dict(self) -> dict:
        return {
            "template_id": self.template_id,
            "level": self.level,
            "seed": self.seed,
            "reason": self.reason,
            "due": self.due.isoformat().replace("+00:00", "Z") if self.due else None,
            "assignment_id": self.assignment_id,
        }


def variant_seed(card_id: int, attempts: int) -> int:
    """Return the seed of the next variant: fresh after every attempt, same on every device.

    >>> variant_seed(7, 0) == variant_seed(7, 0) != variant_seed(7, 1)
    True
    """
    digest = hashlib.sha256(f"variant:{card_id}:{attempts}".encode()).digest()
    return int.from_bytes(digest[:4], "big") & 0x7FFFFFFF


def build_queue(session: Session, user_id: int, now: datetime, limit: int = 20) -> list[QueueItem]:
    """Return up to `limit` items for the learner, best first."""
    settings = read_settings(session, user_id)
    templates = template_index()
    cards = {
        row.template_id: row
        for row in session.scalars(select(Card).where(Card.user_id == user_id))
        if row.template_id in templates
    }
    today = scheduling.day_start(now, settings.timezone, settings.day_start_hour)
    tomorrow = scheduling.next_day_start(now, settings.timezone, settings.day_start_hour)
    retention = settings.desired_retention
    states = {tid: card_state(row) for tid, row in cards.items()}
    recall = {
        tid: scheduling.retrievability(states[tid], now, retention)
        for tid, row in cards.items()
        if row.reviews > 0
    }
    due = sorted(
        (row for tid, row in cards.items() if tid in recall and row.due < tomorrow),
        key=lambda row: (recall[row.template_id], row.template_id),
    )
    assigned = assigned_items(session, user_id, now)
    # A due skill with assigned work serves the assigned variant in its place: one
    # answer is both the review and the assignment.
    first_assigned = {}
    for item in assigned:
        first_assigned.setdefault(item.template_id, item)
    items = [first_assigned.get(row.template_id) or _item(row, "due", recall[row.template_id])
             for row in due]  # fmt: skip
    items += assigned
    if len(due) <= _day_of_work(session, user_id, now):
        learned = {tid for tid, state in states.items() if state.is_learned}
        items += _new_items(cards, learned, user_id, settings.daily_new_limit, today)
    if not due:
        ahead = sorted(
            (row for tid, row in cards.items() if tid in recall and row.due >= tomorrow),
            key=lambda row: (recall[row.template_id], row.template_id),
        )
        items += [_item(row, "ahead", recall[row.template_id]) for row in ahead]
    return _interleave(_unique(items))[:limit]


def assigned_items(session: Session, user_id: int, now: datetime) -> list[QueueItem]:
    """Assigned work by due date: open, unfinished problems of the learner's classes."""
    from .assignments import open_problems  # assignments imports projections, as we do

    return [
        QueueItem(
            template_id=work.problem.template_id,
            level=work.problem.level,
            seed=work.seed,
            reason="assigned",
            due=work.assignment.due_at,
            assignment_id=work.assignment.id,
        )
        for work in open_problems(session, user_id, now)
        if work.problem.template_id in template_index()
    ]


def _item(row: Card, reason: str, recall: float | None = None) -> QueueItem:
    return QueueItem(
        template_id=row.template_id,
        level=row.level,
        seed=variant_seed(row.card_id, row.attempts),
        reason=reason,
        due=row.due if reason in ("due", "ahead") else None,
        retrievability=recall,
    )


def _new_items(
    cards: dict[str, Card], learned: set[str], user_id: int, limit: int, today: datetime
) -> list:
    started_today = sum(
        1 for row in cards.values() if row.first_review is not None and row.first_review >= today
    )
    room = max(0, limit - started_today)
    templates = template_index()
    fresh = [tid for tid in skill_order() if tid not in cards or cards[tid].reviews == 0]
    # Introduced (a passed Skill Check) first, then what the learned skills unlock.
    waiting = [tid for tid in fresh if tid in cards and cards[tid].introduced_at is not None]
    unlocked = [
        tid for tid in fresh
        if tid not in waiting and set(templates[tid].prerequisites) <= learned
    ]  # fmt: skip
    items = []
    for tid in (waiting + unlocked)[:room]:
        if tid in cards:
            items.append(_item(cards[tid], "new"))
        else:
            card_id = scheduling.card_id_for(user_id, tid)
            level = templates[tid].levels[0]
            items.append(QueueItem(tid, level, variant_seed(card_id, 0), "new"))
    return items


def _day_of_work(session: Session, user_id: int, now: datetime) -> int:
    """A day's work: the learner's average answers per day this past week, at least 3."""
    week = session.scalar(
        select(func.count())
        .select_from(Attempt)
        .where(Attempt.user_id == user_id, Attempt.answered_at >= now - timedelta(days=7))
    )
    return max(MIN_DAY_OF_WORK, (week or 0) // 7)


def related(a: str, b: str) -> bool:
    """Two skills are related when one builds on the other or both on the same one."""
    templates = template_index()
    pa, pb = set(templates[a].prerequisites), set(templates[b].prerequisites)
    return a in pb or b in pa or bool(pa & pb)


def _unique(items: list[QueueItem]) -> list[QueueItem]:
    seen, kept = set(), []
    for item in items:
        if item.template_id not in seen:
            seen.add(item.template_id)
            kept.append(item)
    return kept


def _interleave(items: list[QueueItem]) -> list[QueueItem]:
    """Move an item up past a related neighbour, staying within its own tier."""
    items = list(items)
    for i in range(1, len(items)):
        if not related(items[i - 1].template_id, items[i].template_id):
            continue
        for j in range(i + 1, len(items)):
            if items[j].reason != items[i].reason:
                break
            if not related(items[i - 1].template_id, items[j].template_id):
                items.insert(i, items.pop(j))
                break
    return items
