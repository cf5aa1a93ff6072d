"""Every family through the registry: samples get the verdicts they claim,
generation is deterministic across processes and diverse across seeds."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

import question_bank as qb
from question_bank.problem import Problem
from question_bank.registry import catalog, generate, samples

CONTRACT_TEMPLATES = {
    "gradient", "hessian", "critical_points", "classify_critical_point",
    "degenerate_critical_point", "hessian_spectrum", "stable_step_size", "optimal_step_size",
    "edge_of_stability", "saddle_escape_direction", "saddle_escape_time", "newton_step",
    "interpolation_barrier", "reparameterization_sharpness",
}  # fmt: skip
SAMPLE_SEEDS = range(25)
CASES = [(t.id, level) for t in catalog() for level in t.levels]


def test_catalog_has_unique_ids_and_contract_fields():
    templates = catalog()
    assert len({t.id for t in templates}) == len(templates)
    for t in templates:
        assert t.title and t.skill and t.levels and t.version >= 1
        assert t.answer_kind in qb.KINDS
        assert set(t.prerequisites) <= {u.id for u in templates}


def test_every_contract_template_exists():
    assert CONTRACT_TEMPLATES <= {t.id for t in catalog()}


@pytest.mark.parametrize("template_id, level", CASES)
def test_samples_get_the_verdict_they_claim(template_id, level):
    for seed in SAMPLE_SEEDS:
        problem = generate(template_id, seed, level)
        known = samples(problem)
        family_tags = {rule.tag for rule in problem.rules}
        where = f"{template_id} seed={seed} level={level}"
        assert problem.check(problem.solution).status == "correct", where
        for answer in known.correct:
            verdict = problem.check(answer)
            assert verdict.status == "correct", (where, answer, verdict)
            assert not family_tags & set(verdict.tags), (where, answer)
        for answer, tag in known.incorrect:
            verdict = problem.check(answer)
            assert verdict.status == "incorrect", (where, answer, verdict)
            if tag:
                assert tag in verdict.tags, (where, answer, tag, verdict)
            else:
                assert not family_tags & set(verdict.tags), (where, answer, verdict)
        for answer in known.invalid:
            assert problem.check(answer).status == "invalid", (where, answer)


def _decimal(value) -> str:
    # Four significant figures, always written as a decimal (the grader reads it as rounded).
    text = f"{float(value):.4g}"
    return text if "." in text or "e" in text else text + ".0"


NUMBER_CASES = [(t, level) for t, level in CASES if t not in {
    "saddle_escape_time",  # whole-number answers with rules of their own (number_rule)
}]  # fmt: skip


@pytest.mark.parametrize("template_id, level", NUMBER_CASES)
def test_a_sampled_mistake_typed_as_a_decimal_gets_the_same_tag(template_id, level):
    checked = 0
    for seed in SAMPLE_SEEDS:
        problem = generate(template_id, seed, level)
        if problem.answer_kind != "number":
            continue
        for answer, tag in samples(problem).incorrect:
            value = qb.parse(answer, problem.variables).expr
            if not tag or value.free_symbols or value.is_integer:
                continue
            verdict = problem.check(_decimal(value))
            assert verdict.status == "incorrect", (seed, answer, verdict)
            assert tag in verdict.tags, (template_id, seed, level, answer, verdict)
            checked += 1
    if not checked:
        pytest.skip("no number problem with a non-integer sampled mistake at this level")


@pytest.mark.parametrize("template_id, level", CASES)
def test_every_rule_has_a_sample_somewhere(template_id, level):
    declared, sampled = set(), set()
    for seed in SAMPLE_SEEDS:
        problem = generate(template_id, seed, level)
        declared |= {rule.tag for rule in problem.rules}
        sampled |= {tag for _, tag in samples(problem).incorrect if tag}
    assert declared <= sampled, f"rules never sampled: {declared - sampled}"


@pytest.mark.parametrize("template_id, level", CASES)
def test_problems_are_diverse(template_id, level):
    prompts = {generate(template_id, seed, level).prompt for seed in range(500)}
    assert len(prompts) >= 450


HINT_SEEDS = range(40)  # hints are format words now; enough seeds to catch one that is a value
EXAMPLE_MARKERS = ("such as ", "e.g. ", "for example ", "like ")


def _hint_readings(hint: str) -> list[str]:
    # The hint as typed, and any example it offers ("a fraction such as p/q" -> "p/q").
    return [hint] + [hint.split(m, 1)[1] for m in EXAMPLE_MARKERS if m in hint]


@pytest.mark.parametrize("template_id, level", CASES)
def test_the_answer_hint_is_never_a_right_answer(template_id, level):
    # The hint sits beside the answer box ("Your answer (...)"): it shows the format only.
    for seed in HINT_SEEDS:
        problem = qb.generate(template_id, seed, level)
        for text in _hint_readings(problem.answer_hint):
            assert problem.check(text).status != "correct", (seed, problem.answer_hint)


@pytest.mark.parametrize("template_id, level", CASES)
def test_problem_json_hides_the_solution_until_asked(template_id, level):
    problem = generate(template_id, 3, level)
    hidden = problem.to_dict(include_solution=False)
    assert "solution" not in hidden and "explanation" not in hidden and "params" not in hidden
    assert json.loads(json.dumps(problem.to_dict()))["solution"] == problem.solution
    assert Problem.from_dict(problem.to_dict()) == problem


def test_generation_is_deterministic_across_processes():
    script = (
        "import json, question_bank.registry as r;"
        "print(json.dumps([r.generate(t.id, s, l).to_dict() for t in r.catalog()"
        " for l in t.levels for s in (0, 1, 99)], sort_keys=True))"
    )
    runs = [
        subprocess.run(
            [sys.executable, "-c", script], capture_output=True, text=True, check=True,
            env={"PYTHONHASHSEED": str(salt), "PATH": ""},
        ).stdout
        for salt in (1, 2)
    ]
    assert runs[0] == runs[1]
    here = [generate(t.id, s, lv).to_dict() for t in catalog() for lv in t.levels
            for s in (0, 1, 99)]
    assert json.loads(runs[0]) == json.loads(json.dumps(here, sort_keys=True))


def test_unknown_template_and_level_are_errors():
    with pytest.raises(KeyError, match="unknown template"):
        generate("no_such_template", 1, 1)
    with pytest.raises(ValueError, match="levels"):
        generate(catalog()[0].id, 1, 99)
