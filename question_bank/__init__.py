"""question_bank: parse learner math safely, decide equivalence, explain mistakes.

Pure library: sympy and numpy only (never Flask, SQLAlchemy or quizengine).
"""

from question_bank.budget import Budget
from question_bank.canonical import to_text
from question_bank.choices import CHOICES
from question_bank.direction import check_direction
from question_bank.equivalence import Decision, Outcome, decide
from question_bank.errors import LimitError, ParseError
from question_bank.grader import KINDS, check_answer
from question_bank.limits import DEFAULT_LIMITS, Limits
from question_bank.parser import parse
from question_bank.problem import Draft, Problem, Samples, Template
from question_bank.registry import catalog, figure, generate, samples
from question_bank.rules import (
    GENERIC_RULES,
    MistakeRule,
    RuleContext,
    drop_cross_terms,
    off_diagonal_zeroed,
    reciprocal,
    scaled,
    sign_flipped,
)
from question_bank.structures import Matrix, PointSet, Term, Vector
from question_bank.verdict import Status, Verdict, VerdictDict

__all__ = [
    "Draft",
    "Problem",
    "Samples",
    "Template",
    "catalog",
    "check_direction",
    "figure",
    "generate",
    "samples",
    "CHOICES",
    "DEFAULT_LIMITS",
    "GENERIC_RULES",
    "KINDS",
    "Budget",
    "Decision",
    "LimitError",
    "Limits",
    "Matrix",
    "MistakeRule",
    "Outcome",
    "ParseError",
    "PointSet",
    "RuleContext",
    "Status",
    "Term",
    "Vector",
    "Verdict",
    "VerdictDict",
    "check_answer",
    "decide",
    "drop_cross_terms",
    "off_diagonal_zeroed",
    "parse",
    "reciprocal",
    "scaled",
    "sign_flipped",
    "to_text",
]
