"""Mistake rules: recognise a specific wrong answer and name it with a stable tag.

In the spirit of STACK's "buggy rules": a family declares rules such as
"the answer equals the expected Hessian without its cross terms"; when an
answer is wrong, the first rule that matches gives feedback and a tag that
teachers' item analysis can count.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import sympy

from question_bank.budget import Budget
from question_bank.equivalence import decide
from question_bank.significant import DEFAULT_FIGURES, reads_as

# Scalars are sympy expressions; vectors are n x 1 and matrices m x n
# ImmutableMatrix; point sets are frozensets of tuples of expressions.
MathObject = sympy.Expr | sympy.ImmutableMatrix | frozenset


@dataclass(frozen=True)
class RuleContext:
    """What a rule sees: the expected and given answers as sympy objects.

    `approx` says the learner wrote a decimal that the grader judged to
    `figures` significant figures (a number, or entries of a vector or matrix).
    """

    expected: MathObject
    answer: MathObject
    kind: str
    variables: tuple[sympy.Symbol, ...]
    budget: Budget = field(default_factory=lambda: Budget(0.5), compare=False)
    approx: bool = False
    figures: int = DEFAULT_FIGURES

    def same(self, a: MathObject, b: MathObject) -> bool:
        """Return whether two objects were shown equal (entry by entry for matrices)."""
        return same(a, b, self.budget)

    def gave(self, mistaken: MathObject) -> bool:
        """Return whether the answer is `mistaken`, reading a decimal as the grader does.

        A decimal answer gives a constant when it agrees with it to `figures`
        significant figures and is no nearer to the expected value: a decimal
        that rounds to both is judged right before any rule runs.

        Example:
            >>> typed = sympy.Rational(769, 10000)  # the learner wrote 0.0769
            >>> context = RuleContext(sympy.Rational(2, 13), typed, "number", (), approx=True)
            >>> context.gave(sympy.Rational(1, 13)), context.same(typed, sympy.Rational(1, 13))
            (True, False)
        """
        if not self.approx:
            return self.same(self.answer, mistaken)
        return rounded(self.answer, mistaken, self.expected, self.figures, self.budget)


@dataclass(frozen=True)
class MistakeRule:
    """A recognisable mistake: `matches(context)` says whether the answer makes it.

    Example:
        >>> x = sympy.Symbol("x")
        >>> rule = MistakeRule.transform("demo.half", "Off by a factor 2.", lambda e: e / 2)
        >>> rule.matches(RuleContext(x**2, x**2 / 2, "expr", (x,)))
        True
    """

    tag: str
    feedback: str
    matches: Callable[[RuleContext], bool]
    kinds: tuple[str, ...] = ()  # empty: any kind

    @classmethod
    def transform(
        cls,
        tag: str,
        feedback: str,
        wrong: Callable[[MathObject], MathObject],
        kinds: tuple[str, ...] = (),
    ) -> MistakeRule:
        """Return a rule that matches when the answer is `wrong(expected)` (see `gave`)."""

        def matches(context: RuleContext) -> bool:
            mistaken = wrong(context.expected)
            return not context.same(mistaken, context.expected) and context.gave(mistaken)

        return cls(tag, feedback, matches, kinds)

    def applies_to(self, kind: str) -> bool:
        """Return whether the rule is meant for answers of this kind."""
        return not self.kinds or kind in self.kinds


def first_match(rules: Sequence[MistakeRule], context: RuleContext) -> MistakeRule | None:
    """Return the first rule that matches, stopping when the budget is spent."""
    for rule in rules:
        if context.budget.expired():
            return None
        if rule.applies_to(context.kind) and rule.matches(context):
            return rule
    return None


def same(a: MathObject, b: MathObject, budget: Budget) -> bool:
    """Return whether a and b were shown equal within the budget.

    Example:
        >>> x = sympy.Symbol("x")
        >>> same(sympy.ImmutableMatrix([[x, 1]]), sympy.ImmutableMatrix([[x, 1]]), Budget(1))
        True
    """
    if isinstance(a, sympy.MatrixBase) or isinstance(b, sympy.MatrixBase):
        if not (isinstance(a, sympy.MatrixBase) and isinstance(b, sympy.MatrixBase)):
            return False
        if a.shape != b.shape:
            return False
        return all(same(p, q, budget) for p, q in zip(a, b, strict=True))
    if isinstance(a, frozenset) or isinstance(b, frozenset):
        return a == b
    return decide(_as_expr(a), _as_expr(b), budget).equal


def rounded(
    answer: MathObject, mistaken: MathObject, expected: MathObject, figures: int, budget: Budget
) -> bool:
    """Return whether a decimal answer gives `mistaken`, entry by entry for matrices.

    Constant entries agree to `figures` significant figures and no nearer to the
    expected entry; entries with symbols must be equal.

    Example:
        >>> third, half = sympy.Rational(1, 3), sympy.Rational(1, 2)
        >>> rounded(sympy.Rational(3333, 10000), third, half, 3, Budget(1))
        True
    """
    matrices = [isinstance(v, sympy.MatrixBase) for v in (answer, mistaken, expected)]
    if any(matrices):
        if not all(matrices) or not answer.shape == mistaken.shape == expected.shape:
            return same(answer, mistaken, budget)
        return all(
            rounded(a, m, e, figures, budget)
            for a, m, e in zip(answer, mistaken, expected, strict=True)
        )
    if isinstance(answer, frozenset) or isinstance(mistaken, frozenset):
        return answer == mistaken
    a, m, e = _as_expr(answer), _as_expr(mistaken), _as_expr(expected)
    if a.free_symbols or m.free_symbols or e.free_symbols:
        return decide(m, a, budget).equal
    return reads_as(a, m, e, figures)


def _as_expr(value: object) -> sympy.Expr:
    # Transforms may hand back plain Python numbers (lambda e: 0).
    if isinstance(value, bool) or not isinstance(value, (int, sympy.Basic)):
        raise TypeError(f"a mistake rule produced {type(value).__name__}, not a sympy object")
    return sympy.Integer(value) if isinstance(value, int) else value


# -- transforms that families combine into rules -----------------------------


def drop_cross_terms(expr: sympy.Expr, variables: Sequence[sympy.Symbol]) -> sympy.Expr:
    """Return expr without the terms that involve two or more of the variables.

    Example:
        >>> x, y = sympy.symbols("x y")
        >>> drop_cross_terms(x**3 + 3*x*y + y**2, (x, y))
        x**3 + y**2
    """
    wanted = set(variables)
    kept = [t for t in sympy.Add.make_args(sympy.expand(expr)) if len(t.free_symbols & wanted) < 2]
    return sympy.Add(*kept)


def off_diagonal_zeroed(matrix: sympy.ImmutableMatrix) -> sympy.ImmutableMatrix:
    """Return the matrix with every entry off the diagonal set to 0.

    Example:
        >>> off_diagonal_zeroed(sympy.ImmutableMatrix([[1, 2], [2, 3]]))
        Matrix([
        [1, 0],
        [0, 3]])
    """
    rows, cols = matrix.shape
    return sympy.ImmutableMatrix(rows, cols, lambda i, j: matrix[i, j] if i == j else 0)


def sign_flipped(tag: str = "generic.sign_flipped") -> MistakeRule:
    """Return a rule for an answer that is the negative of the expected one."""
    return MistakeRule.transform(
        tag, "The sign is flipped.", lambda e: -e, kinds=("expr", "number", "vector", "matrix")
    )


def scaled(factor: sympy.Expr | int, tag: str, feedback: str) -> MistakeRule:
    """Return a rule for an answer that is `factor` times the expected one."""
    multiplier = sympy.Integer(factor) if isinstance(factor, int) else factor
    return MistakeRule.transform(
        tag, feedback, lambda e: multiplier * e, kinds=("expr", "number", "vector", "matrix")
    )


def reciprocal(tag: str, feedback: str) -> MistakeRule:
    """Return a rule for an answer that is 1/expected (scalars)."""
    return MistakeRule.transform(tag, feedback, lambda e: 1 / e, kinds=("expr", "number"))


GENERIC_RULES: tuple[MistakeRule, ...] = (sign_flipped(),)
