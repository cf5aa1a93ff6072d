"""Problem packs: upcoming problems a device keeps so practice goes on offline.

Each problem carries an offline check that never ships the expected answer in
the clear: values at sample points (or the choice, or the number) are rounded
to a fixed number of significant figures and hashed with a per-pack salt. The
device hashes its own evaluation of the learner's answer the same way; a match
is provisional feedback that the server's grading confirms or replaces at sync.
"""

from __future__ import annotations

import hashlib
import math
import random
import secrets
from datetime import datetime
from typing import Any, NamedTuple

import sympy

from question_bank.limits import TRUSTED_LIMITS
from question_bank.parser import parse
from question_bank.problem import Problem
from question_bank.registry import generate
from question_bank.structures import Term, as_matrix, as_points, as_vector

from .content import template_index

FIGURES = 8  # significant figures hashed for expression values
POINTS = 4


def round_text(value: float, figures: int = FIGURES) -> str:
    """Return a float rounded to `figures` significant figures in a form JavaScript can
    reproduce exactly (`toExponential`, exponent without '+' or leading zeros).

    >>> round_text(1 / 3), round_text(-2500.0), round_text(0.0)
    ('3.3333333e-1', '-2.5000000e3', '0')
    """
    if value == 0 or not math.isfinite(value):
        return "0" if value == 0 else "nan"
    mantissa, exponent = f"{value:.{figures - 1}e}".split("e")
    return f"{mantissa}e{int(exponent)}"


def digest(salt: str, text: str) -> str:
    return hashlib.sha256(f"{salt}:{text}".encode()).hexdigest()[:24]


def offline_check(problem: Problem, salt: str, rng: random.Random) -> dict[str, Any]:
    """Return how a device can check an answer to `problem` without knowing it; answers
    with symbolic constants (a parameter in a point's coordinates) wait for the server."""
    try:
        return _offline_check(problem, salt, rng)
    except (TypeError, ValueError):  # sympy: cannot convert a symbolic value to float
        return {"method": "server"}


def _offline_check(problem: Problem, salt: str, rng: random.Random) -> dict[str, Any]:
    kind = problem.answer_kind
    if kind == "choice":
        return {"method": "choice", "hash": digest(salt, problem.solution)}
    value = parse(problem.solution, problem.variables, TRUSTED_LIMITS)
    if problem.equivalence == "direction":
        entries = [e.expr for e in as_vector(value)]
        return {
            "method": "direction",
            "size": len(entries),
            "hash": digest(salt, _direction(entries)),
        }
    if kind == "number":
        figures = problem.precision or 3
        number = float(value.expr)
        return {"method": "number", "figures": figures,
                "hash": digest(salt, round_text(number, figures))}  # fmt: skip
    symbols = [sympy.Symbol(name, real=True) for name in problem.variables]
    points = [[_coordinate(rng) for _ in symbols] for _ in range(POINTS)]
    if kind == "expr":
        return {"method": "points", "variables": list(problem.variables), "at": points,
                "entries": [_hashes(value.expr, symbols, points, salt)]}  # fmt: skip
    if kind in ("vector", "matrix"):
        rows = [[e.expr for e in row] for row in as_matrix(value).rows] if kind == "matrix" \
            else [[e.expr] for e in as_vector(value)]  # fmt: skip
        return {
            "method": kind, "variables": list(problem.variables), "at": points,
            "shape": [len(rows), len(rows[0])] if kind == "matrix" else [len(rows)],
            "entries": [_hashes(e, symbols, points, salt) for row in rows for e in row],
        }  # fmt: skip
    if kind == "points":
        found = as_points(value) or []
        return {"method": "pointset", "count": len(found),
                "hashes": sorted(digest(salt, _point(p)) for p in found)}  # fmt: skip
    return {"method": "server"}


def _coordinate(rng: random.Random) -> float:
    # Dyadic rationals in [-2, 2] away from 0 and +-1: exact in binary, rarely singular.
    return rng.choice([-1.75, -1.375, -0.625, -0.375, 0.3125, 0.6875, 1.25, 1.625])


def _hashes(expr: sympy.Expr, symbols, points, salt: str) -> list[str]:
    values = []
    for point in points:
        number = complex(expr.subs(dict(zip(symbols, point, strict=True))).evalf(20))
        values.append(digest(salt, round_text(number.real)) if abs(number.imag) < 1e-12
                      else "nan")  # fmt: skip
    return values


def _direction(entries: list[sympy.Expr]) -> str:
    """Normalise a direction: divide by its first non-zero entry, round each entry."""
    pivot = next(float(e) for e in entries if float(e) != 0)
    return ",".join(round_text(float(e) / pivot, 6) for e in entries)


def _point(point: tuple[Term, ...]) -> str:
    return ",".join(round_text(float(t.expr), 6) for t in point)


class PackItem(NamedTuple):
    """A problem to pack; assigned work carries its assignment and its deadline."""

    template_id: str
    seed: int
    level: int
    reason: str
    assignment_id: int | None = None
    due: datetime | None = None  # the assignment's due time (the app says when it is late)


def build_pack(items: list[tuple], size: int) -> dict[str, Any]:
    """Return a pack of `size` problems cycling through `PackItem`s (or tuples of their
    fields); each later round is a fresh, unassigned variant of the skill."""
    salt = secrets.token_hex(8)
    rng = random.Random(salt)
    problems = []
    for n in range(size):
        item = PackItem(*items[n % len(items)])
        round_ = n // len(items)
        assigned = not round_ and item.assignment_id is not None
        problem = generate(item.template_id, (item.seed + 7919 * round_) % 2**31, item.level)
        problems.append({
            **problem.to_dict(include_solution=False),
            "title": template_index()[item.template_id].title,
            "reason": item.reason if not round_ else "practice",
            "assignment_id": item.assignment_id if assigned else None,
            "due": _rfc3339(item.due) if assigned and item.due else None,
            "check": offline_check(problem, salt, rng),
        })  # fmt: skip
    return {"salt": salt, "problems": problems}


def _rfc3339(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")
