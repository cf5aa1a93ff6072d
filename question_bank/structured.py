"""Grade vectors, matrices and point sets entry by entry, with partial credit."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from question_bank.equivalence import Outcome
from question_bank.structures import Matrix, Term, Value, as_matrix, as_points, as_vector, describe

Compare = Callable[[Term, Term], Outcome]


class ShapeError(Exception):
    """The answer is readable but not the kind of object asked for."""


@dataclass(frozen=True)
class Grade:
    """Score, feedback and tags for one structured answer; `undecided` if unsettled."""

    score: float
    feedback: str
    tags: tuple[str, ...] = ()
    undecided: bool = False


def grade_vector(expected: Value, answer: Value, compare: Compare) -> Grade:
    """Grade a vector entry by entry."""
    want = as_vector(expected)
    if want is None:
        raise ValueError("the expected answer is not a vector")
    got = as_vector(answer)
    if got is None:
        raise ShapeError(
            f"expected a vector with {len(want)} entries, like (a, b), but read {describe(answer)}"
        )
    if len(got) != len(want):
        return Grade(
            0.0,
            f"The vector should have {len(want)} entries; yours has {len(got)}.",
            ("shape.wrong_size",),
        )
    outcomes = [compare(w, g) for w, g in zip(want, got, strict=True)]
    wrong = [str(i + 1) for i, o in enumerate(outcomes) if o is Outcome.DIFFERENT]
    return _entrywise(outcomes, wrong, "entry", "entries")


def grade_matrix(expected: Value, answer: Value, compare: Compare) -> Grade:
    """Grade a matrix entry by entry; recognise a transpose and a lost symmetry."""
    want = as_matrix(expected)
    if want is None:
        raise ValueError("the expected answer is not a matrix")
    got = as_matrix(answer)
    rows, cols = want.shape
    if got is None or (got.shape[0] == 1 and rows > 1):
        raise ShapeError(
            f"expected a {rows}x{cols} matrix but read {describe(answer)}; enter it row by "
            "row, like [[a, b], [c, d]] or [a, b; c, d]"
        )
    if got.shape != want.shape:
        if got.shape == (cols, rows) and _all_equal(_transpose(want), got, compare):
            return Grade(
                0.0, "This is the transpose of the matrix asked for.", ("matrix.transposed",)
            )
        return Grade(
            0.0,
            "The matrix should be {}x{}; yours is {}x{}.".format(rows, cols, *got.shape),
            ("shape.wrong_size",),
        )
    outcomes = [
        compare(w, g)
        for wr, gr in zip(want.rows, got.rows, strict=True)
        for w, g in zip(wr, gr, strict=True)
    ]
    wrong = [
        f"({i // cols + 1}, {i % cols + 1})"
        for i, o in enumerate(outcomes)
        if o is Outcome.DIFFERENT
    ]
    grade = _entrywise(outcomes, wrong, "entry", "entries")
    if not wrong:
        return grade
    return _matrix_mistakes(want, got, compare, grade)


def _matrix_mistakes(want: Matrix, got: Matrix, compare: Compare, grade: Grade) -> Grade:
    if _all_equal(_transpose(want), got, compare):
        return Grade(
            grade.score,
            grade.feedback + " This is the transpose of the matrix "
            "asked for: row i should hold the derivatives of component i.",
            ("matrix.transposed",),
        )
    if _symmetric(want, compare):
        pairs = _asymmetric_pairs(got, compare)
        if pairs:
            i, j = pairs[0]
            return Grade(
                grade.score,
                grade.feedback + f" The expected matrix is symmetric "
                f"(mixed partials agree), but your entries ({i}, {j}) and ({j}, {i}) "
                "differ.",
                ("matrix.not_symmetric",),
            )
    return grade


def grade_points(expected: Value, answer: Value, compare: Compare) -> Grade:
    """Grade an unordered set of points, naming missing and extra points."""
    want = as_points(expected)
    if want is None:
        raise ValueError("the expected answer is not a set of points")
    got = as_points(answer)
    if got is None:
        raise ShapeError("could not read a set of points; write them like {(0, 0), (1, -1)}")
    dimension = len(want[0]) if want else len(got[0]) if got else 0
    for index, point in enumerate(got, start=1):
        if len(point) != dimension:
            raise ShapeError(
                f"point {index} has {len(point)} coordinates; points here have {dimension}"
            )
    matched: set[int] = set()
    extra, unsure = [], False
    for point in got:
        hit, maybe = _find(point, want, compare)
        if hit is not None:
            matched.add(hit)
        elif maybe:
            unsure = True
        else:
            extra.append(point)
    missing = len(want) - len(matched)
    return _points_grade(len(want), len(matched), missing, extra, unsure)


def _points_grade(total: int, found: int, missing: int, extra: list, unsure: bool) -> Grade:
    if not missing and not extra:
        if unsure:
            return Grade(0.0, "We could not decide every point in time.", (), True)
        return Grade(1.0, "Correct.")
    notes, tags = [], []
    if missing:
        notes.append(f"{missing} point{'s are' if missing > 1 else ' is'} missing.")
        tags.append("points.missing")
    if extra:
        shown = ", ".join(_show_point(p) for p in extra[:3])
        notes.append(f"Not in the set: {shown}.")
        tags.append("points.extra")
    score = found / (total + len(extra)) if total + len(extra) else 0.0
    return Grade(score, " ".join(notes), tuple(tags))


def _find(point: tuple[Term, ...], want: list, compare: Compare) -> tuple[int | None, bool]:
    maybe = False
    for index, candidate in enumerate(want):
        outcomes = [compare(w, g) for w, g in zip(candidate, point, strict=True)]
        if all(o is Outcome.EQUAL for o in outcomes):
            return index, False
        if Outcome.DIFFERENT not in outcomes:
            maybe = True
    return None, maybe


def _show_point(point: tuple[Term, ...]) -> str:
    return "(" + ", ".join(str(t.expr) for t in point) + ")"


def _entrywise(outcomes: list[Outcome], wrong: list[str], one: str, many: str) -> Grade:
    right = sum(o is Outcome.EQUAL for o in outcomes)
    score = right / len(outcomes)
    if not wrong:
        if right == len(outcomes):
            return Grade(1.0, "Correct.")
        return Grade(score, "We could not decide every entry in time.", (), True)
    label = one if len(wrong) == 1 else many
    listed = ", ".join(wrong[:-1]) + (" and " if len(wrong) > 1 else "") + wrong[-1]
    return Grade(
        score,
        f"{label.capitalize()} {listed} {'is' if len(wrong) == 1 else 'are'} "
        f"not right ({right} of {len(outcomes)} right).",
        ("entries.wrong",),
    )


def _transpose(matrix: Matrix) -> Matrix:
    return Matrix(tuple(zip(*matrix.rows, strict=True)))


def _all_equal(a: Matrix, b: Matrix, compare: Compare) -> bool:
    if a.shape != b.shape:
        return False
    return all(
        compare(p, q) is Outcome.EQUAL
        for ra, rb in zip(a.rows, b.rows, strict=True)
        for p, q in zip(ra, rb, strict=True)
    )


def _symmetric(matrix: Matrix, compare: Compare) -> bool:
    return matrix.shape[0] == matrix.shape[1] and not _asymmetric_pairs(matrix, compare, True)


def _asymmetric_pairs(matrix: Matrix, compare: Compare, strict: bool = False) -> list:
    # strict: any pair not shown equal counts; otherwise only pairs shown different.
    rows, cols = matrix.shape
    if rows != cols:
        return []
    pairs = []
    for i in range(rows):
        for j in range(i + 1, cols):
            outcome = compare(matrix.rows[i][j], matrix.rows[j][i])
            if outcome is Outcome.DIFFERENT or (strict and outcome is not Outcome.EQUAL):
                pairs.append((i + 1, j + 1))
    return pairs
