"""The Examples in question_bank's docstrings run and pass."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import question_bank

MODULES = sorted(m.name for m in pkgutil.iter_modules(question_bank.__path__, "question_bank."))


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
