"""The registry of problem families: `catalog()` and `generate()` (CONTRACT.md).

Each family is a module under `question_bank/families/` that defines
`TEMPLATE`, `generate(rng, level) -> Draft` and `samples(problem) -> Samples`,
and may define `figure(problem) -> str` (SVG).
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
import random
from types import ModuleType

from question_bank import families
from question_bank.problem import Problem, Samples, Template


@functools.cache
def _families() -> dict[str, ModuleType]:
    found: dict[str, ModuleType] = {}
    for info in sorted(pkgutil.iter_modules(families.__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{families.__name__}.{info.name}")
        template: Template = module.TEMPLATE
        if template.id in found:
            raise RuntimeError(f"template id {template.id!r} defined twice")
        found[template.id] = module
    return dict(sorted(found.items(), key=lambda item: (item[1].TEMPLATE.part, item[0])))


def catalog() -> list[Template]:
    """Return every template, in teaching order (lesson part, then id)."""
    return [module.TEMPLATE for module in _families().values()]


def family(template_id: str) -> ModuleType:
    """Return the module of a family; KeyError names the unknown id."""
    try:
        return _families()[template_id]
    except KeyError:
        raise KeyError(f"unknown template {template_id!r}") from None


def problem_rng(template: Template, seed: int, level: int) -> random.Random:
    """Return the generator for (template, seed, level): the same on every machine.

    A string seed is hashed with SHA-512 by `random.Random`, never with the
    per-process salted `hash()`, so it is stable across processes.
    """
    return random.Random(f"{template.id}:v{template.version}:{seed}:{level}")


@functools.lru_cache(maxsize=4096)
def generate(template_id: str, seed: int, level: int = 1) -> Problem:
    """Return the problem for (template, seed, level); ValueError for a level it lacks."""
    module = family(template_id)
    template: Template = module.TEMPLATE
    if level not in template.levels:
        raise ValueError(f"{template_id} has levels {template.levels}, not {level}")
    draft = module.generate(problem_rng(template, seed, level), level)
    return Problem.from_draft(template, seed, level, draft)


def samples(problem: Problem) -> Samples:
    """Return the family's known correct, incorrect and invalid answers to `problem`."""
    return family(problem.template_id).samples(problem)


def figure(problem: Problem) -> str | None:
    """Return the family's SVG figure for `problem`, or None if it draws none."""
    draw = getattr(family(problem.template_id), "figure", None)
    return draw(problem) if draw else None
