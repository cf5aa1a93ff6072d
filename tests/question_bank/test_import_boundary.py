"""question_bank is a pure library: it never imports the web or database layers."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import question_bank

PACKAGE = Path(question_bank.__file__).parent
FORBIDDEN = ("flask", "sqlalchemy", "quizengine")
SOURCES = sorted(PACKAGE.rglob("*.py"))


def _imported_modules(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name)
def test_no_forbidden_imports(path: Path) -> None:
    for module in _imported_modules(path):
        top = module.split(".")[0]
        assert top not in FORBIDDEN and not top.startswith("flask_"), f"{path.name}: {module}"


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name)
def test_no_eval_exec_sympify_anywhere(path: Path) -> None:
    # Not even in comments: the safety grep over question_bank/ must find nothing.
    pattern = re.compile(r"(eval|exec)\(|sympify\(|parse_expr\(")
    assert not pattern.search(path.read_text(encoding="utf-8")), path.name


def test_the_boundary_scan_sees_every_module() -> None:
    assert {p.name for p in SOURCES} >= {"parser.py", "grader.py", "__init__.py"}
