"""The lesson files parse, link only to real families, render, and carry sound Skill Checks."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

import pytest

from question_bank import registry
from question_bank.lessons import (
    TEMPLATE_IDS,
    Generated,
    Lesson,
    LessonError,
    SkillCheckQuestion,
    lesson,
    load_lessons,
    practice_links,
)
from question_bank.problem import Problem
from question_bank.registry import catalog
from question_bank.render import _MATH, latex_to_mathml, markdown_to_html

CONTRACT_TEMPLATES = {
    "gradient", "hessian", "critical_points", "classify_critical_point",
    "degenerate_critical_point", "hessian_spectrum", "stable_step_size", "optimal_step_size",
    "edge_of_stability", "saddle_escape_direction", "saddle_escape_time", "newton_step",
    "interpolation_barrier", "reparameterization_sharpness",
}  # fmt: skip
PART_SKILLS = {
    1: {"gradient", "hessian", "critical_points", "classify_critical_point",
        "degenerate_critical_point"},
    2: {"hessian_spectrum", "saddle_escape_direction", "saddle_escape_time", "newton_step",
        "interpolation_barrier", "reparameterization_sharpness"},
    3: {"stable_step_size", "optimal_step_size", "edge_of_stability"},
}  # fmt: skip
SECTION_PARTS = (
    "**Definition.**",
    "**Worked example",
    "**Non-example.**",
    "**Key formula",
    "**What to log in a real training run.**",
    "**Practise:**",
)
LESSONS = load_lessons()
QUESTIONS = [(item, question) for item in LESSONS for question in item.skill_check]
AUTHORED = [(item, q) for item, q in QUESTIONS if not q.is_generated]
GENERATED = [(item, q) for item, q in QUESTIONS if q.is_generated]
CATALOG_IDS = {template.id for template in catalog()}


def _qid(case: tuple[Lesson, SkillCheckQuestion]) -> str:
    return f"{case[0].id}/{case[1].id}"


def _sections(item: Lesson) -> list[str]:
    """Return the body's level-2 sections, each from its heading to the next."""
    return re.split(r"(?m)^## ", item.body)[1:]


def _markdown_texts(item: Lesson) -> list[str]:
    texts = [item.body, item.summary]
    for question in item.skill_check:
        if not question.is_generated:
            texts += [question.prompt, question.explanation]
            texts += [text for _, text in question.choices]
    return texts


# --- the module as a whole -------------------------------------------------------------


def test_the_module_has_three_parts_in_order():
    assert [item.part for item in LESSONS] == [1, 2, 3]
    assert {item.module for item in LESSONS} == {"Optimization Landscape"}
    assert [item.id for item in LESSONS] == ["landscape-1", "landscape-2", "landscape-3"]
    assert lesson("landscape-2").part == 2


def test_unknown_lesson_is_a_key_error():
    with pytest.raises(KeyError, match="no-such-lesson"):
        lesson("no-such-lesson")


def test_loading_is_cached():
    assert load_lessons() is LESSONS


@pytest.mark.parametrize("item", LESSONS, ids=lambda item: item.id)
def test_each_part_introduces_its_skills(item: Lesson):
    assert set(item.skills) == PART_SKILLS[item.part]
    assert item.title and item.summary


def test_the_module_teaches_every_contract_template_once():
    skills = [skill for item in LESSONS for skill in item.skills]
    assert sorted(skills) == sorted(CONTRACT_TEMPLATES)
    assert TEMPLATE_IDS == CONTRACT_TEMPLATES


# --- links -----------------------------------------------------------------------------


@pytest.mark.parametrize("item", LESSONS, ids=lambda item: item.id)
def test_every_practice_link_names_a_contract_template(item: Lesson):
    links = practice_links(item.body)
    assert links, "a part without practice links"
    assert set(links) <= CONTRACT_TEMPLATES
    # Every skill the part introduces is drilled from some section of it.
    assert set(item.skills) <= set(links)


@pytest.mark.parametrize("item", LESSONS, ids=lambda item: item.id)
def test_linked_templates_present_in_the_catalog_are_real(item: Lesson):
    for template_id in set(practice_links(item.body)) | set(item.skills):
        if template_id in CATALOG_IDS:
            assert template_id in {t.id for t in catalog()}


def test_lesson_parts_agree_with_the_templates_part_and_prerequisites():
    part_of = {skill: item.part for item in LESSONS for skill in item.skills}
    for template in catalog():
        if template.id not in part_of:
            continue
        assert template.part == part_of[template.id], template.id
        for prerequisite in template.prerequisites:
            # The queue unlocks a skill after its prerequisites: they must be taught no later.
            assert part_of[prerequisite] <= part_of[template.id], (template.id, prerequisite)


def test_every_linked_template_exists_in_the_catalog():
    linked = {t for item in LESSONS for t in (*practice_links(item.body), *item.skills)}
    assert linked <= CATALOG_IDS, sorted(linked - CATALOG_IDS)


@pytest.mark.parametrize("item", LESSONS, ids=lambda item: item.id)
def test_body_html_rewrites_practice_links_through_the_callback(item: Lesson):
    html = item.body_html(lambda template_id: f"/practice/{template_id}?from=lesson&x=1")
    assert "practice:" not in html
    for template_id in practice_links(item.body):
        assert f'href="/practice/{template_id}?from=lesson&amp;x=1"' in html


# --- structure and rendering -----------------------------------------------------------


@pytest.mark.parametrize("item", LESSONS, ids=lambda item: item.id)
def test_every_section_has_the_six_parts(item: Lesson):
    sections = _sections(item)
    assert len(sections) >= 5
    for section in sections:
        title = section.splitlines()[0]
        for marker in SECTION_PARTS:
            assert marker in section, f"{item.id}: section {title!r} lacks {marker}"
        assert "(practice:" in section, f"{item.id}: section {title!r} links no family"


@pytest.mark.parametrize("item", LESSONS, ids=lambda item: item.id)
def test_every_formula_renders_to_mathml(item: Lesson):
    formulas = [
        (match.group(1) or match.group(2), match.group(1) is not None)
        for text in _markdown_texts(item)
        for match in _MATH.finditer(text)
    ]
    assert len(formulas) > 50
    for latex, display in formulas:
        mathml = latex_to_mathml(latex, display=display)
        # latex2mathml passes an unknown command through as text such as <mi>\foo</mi>.
        assert "\\" not in mathml, f"{item.id}: {latex!r} did not fully convert"
    for text in _markdown_texts(item):
        html = markdown_to_html(text)
        outside_math = re.sub(r"<math.*?</math>", "", html, flags=re.DOTALL)
        assert "$" not in outside_math, f"{item.id}: an unmatched $ in {text[:60]!r}"


@pytest.mark.parametrize("item", LESSONS, ids=lambda item: item.id)
def test_reading_time_is_words_over_200_rounded_up(item: Lesson):
    assert item.reading_minutes == math.ceil(len(item.body.split()) / 200)
    assert 5 <= item.reading_minutes <= 30


@pytest.mark.parametrize("item", LESSONS, ids=lambda item: item.id)
def test_headings_make_a_table_of_contents_with_anchors(item: Lesson):
    assert item.headings
    anchors = [anchor for _, _, anchor in item.headings]
    assert len(set(anchors)) == len(anchors)
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", anchor) for anchor in anchors)
    html = item.body_html(lambda template_id: f"/practice/{template_id}")
    assert len(re.findall(r"<h[1-6][ >]", html)) == len(item.headings)
    for level, _, anchor in item.headings:
        assert f'<h{level} id="{anchor}">' in html


# --- Skill Checks ----------------------------------------------------------------------


@pytest.mark.parametrize("item", LESSONS, ids=lambda item: item.id)
def test_skill_check_shape(item: Lesson):
    questions = item.skill_check
    assert len(questions) >= 4
    assert any(q.is_generated for q in questions)
    assert item.pass_mark == math.ceil(0.75 * len(questions))
    authored_answers = [q.answer for q in questions if not q.is_generated]
    # The right answer is not always in the same position.
    assert len(set(authored_answers)) > 1


def test_question_ids_are_unique_across_the_module():
    ids = [question.id for _, question in QUESTIONS]
    assert len(set(ids)) == len(ids)


@pytest.mark.parametrize("case", AUTHORED, ids=_qid)
def test_authored_question_has_one_right_choice_and_an_explanation(case):
    _, question = case
    values = [value for value, _ in question.choices]
    assert 3 <= len(values) <= 5
    assert len({text for _, text in question.choices}) == len(values)
    assert [question.check(value) for value in values].count(True) == 1
    assert question.answer in values
    assert len(question.explanation.split()) >= 20
    assert question.prompt_html.startswith("<p>")
    assert question.template_id is None and question.level is None and question.seed is None


@pytest.mark.parametrize("case", AUTHORED, ids=_qid)
def test_check_never_raises_and_rejects_junk(case):
    _, question = case
    for junk in ("", " ", "Z", "0", "answer", None, 1, 1.5, [], {}):
        assert question.check(junk) is False  # type: ignore[arg-type]
    assert question.check(f"  {question.answer} ")


@pytest.mark.parametrize("case", GENERATED, ids=_qid)
def test_generated_question_resolves_when_its_family_exists(case):
    _, question = case
    assert question.template_id in {
        "classify_critical_point", "degenerate_critical_point", "edge_of_stability",
    }  # fmt: skip
    if question.template_id not in CATALOG_IDS:
        pytest.skip(f"family {question.template_id} has not landed yet")
    problem_template = next(t for t in catalog() if t.id == question.template_id)
    assert question.level in problem_template.levels
    assert question.prompt and question.prompt_html
    values = [value for value, _ in question.choices]
    assert len(values) >= 2
    assert question.answer in values
    assert [question.check(value) for value in values].count(True) == 1
    assert question.explanation
    public = json.dumps(question.to_public_dict())
    assert '"answer"' not in public and '"solution"' not in public


@pytest.mark.parametrize("case", QUESTIONS, ids=_qid)
def test_public_dict_never_contains_the_answer(case):
    _, question = case
    if question.is_generated and question.template_id not in CATALOG_IDS:
        pytest.skip(f"family {question.template_id} has not landed yet")
    public = question.to_public_dict()
    assert set(public) == {"id", "prompt", "prompt_html", "choices"}
    for choice in public["choices"]:
        assert set(choice) == {"value", "text", "html"}
    encoded = json.dumps(public)
    assert question.explanation not in encoded
    for key in ("answer", "explanation", "solution", "correct"):
        assert f'"{key}"' not in encoded


def _families_landed(item: Lesson) -> bool:
    return all(q.template_id in CATALOG_IDS for q in item.skill_check if q.is_generated)


@pytest.mark.parametrize("item", LESSONS, ids=lambda item: item.id)
def test_lesson_public_dict_matches_the_api_shape(item: Lesson):
    if not _families_landed(item):
        pytest.skip("a generated question's family has not landed yet")
    public = item.to_public_dict()
    assert {"id", "title", "part", "skills", "skill_check"} <= set(public)
    assert public["skills"] == list(item.skills)
    assert [q["id"] for q in public["skill_check"]] == [q.id for q in item.skill_check]
    assert '"answer"' not in json.dumps(public)


CLASSIFY_CHOICES = (
    ("minimum", "a local minimum"),
    ("maximum", "a local maximum"),
    ("saddle", "a saddle point"),
    ("inconclusive", "the second-derivative test is inconclusive"),
)


def _fake_problem(solution: str) -> Problem:
    return Problem(
        template_id="classify_critical_point", seed=11, level=1, version=1,
        prompt="Classify the origin for $f = x^2 - y^2$.",
        prompt_html=markdown_to_html("Classify the origin for $f = x^2 - y^2$."),
        answer_kind="choice", solution=solution, explanation="$\\det H = -4 < 0$.",
        params={}, choices=CLASSIFY_CHOICES,
    )  # fmt: skip


@pytest.mark.parametrize("solution", ["saddle", "saddle point"])
def test_generated_question_is_resolved_lazily_through_the_registry(monkeypatch, solution):
    calls = []

    def fake_generate(template_id: str, seed: int, level: int = 1) -> Problem:
        calls.append((template_id, seed, level))
        return _fake_problem(solution)

    monkeypatch.setattr(registry, "generate", fake_generate)
    question = SkillCheckQuestion("g1", Generated("classify_critical_point", 1, 11))
    assert calls == []  # nothing is generated until the question is used
    assert question.choices == CLASSIFY_CHOICES
    assert question.answer == "saddle"
    assert question.check("saddle") and not question.check("minimum")
    assert question.prompt_html.startswith("<p>Classify")
    assert question.explanation.startswith("$")
    public = question.to_public_dict()
    assert [c["value"] for c in public["choices"]] == [v for v, _ in CLASSIFY_CHOICES]
    assert '"answer"' not in json.dumps(public) and question.explanation not in json.dumps(public)
    assert calls and set(calls) == {("classify_critical_point", 11, 1)}


def test_score_and_pass_mark():
    item = lesson("landscape-1")
    right = {q.id: q.answer for q in item.skill_check if not q.is_generated}
    assert item.score(right) == len(right)
    assert item.score({}) == 0
    assert item.passed(right) is (len(right) >= item.pass_mark)
    assert item.question(item.skill_check[0].id) is item.skill_check[0]
    with pytest.raises(KeyError):
        item.question("nope")


# --- validation of malformed files -----------------------------------------------------


def _question(n: int, **overrides: Any) -> dict[str, Any]:
    return {"id": f"q{n}", "prompt": f"Question {n}?", "choices": ["yes", "no", "maybe"],
            "answer": 0, "explanation": "Because.", **overrides}  # fmt: skip


def _meta(**overrides: Any) -> dict[str, Any]:
    meta = {
        "id": "demo-1",
        "module": "Demo",
        "title": "Demo part",
        "part": 1,
        "skills": ["hessian"],
        "summary": "A demo.",
        "skill_check": [
            _question(1),
            _question(2),
            _question(3),
            {"id": "q4", "generated": {"template_id": "edge_of_stability", "level": 1, "seed": 3}},
        ],
    }
    meta.update(overrides)
    return meta


def _write(directory: Path, meta: dict[str, Any], body: str = "## One\n\nText.\n") -> Path:
    path = directory / "demo.md"
    # JSON is YAML, so the front matter needs no YAML writer.
    path.write_text(f"---\n{json.dumps(meta, indent=1)}\n---\n{body}", encoding="utf-8")
    return path


QUESTIONS_3 = _meta()["skill_check"][1:]
MALFORMED = [
    ("unknown skill", _meta(skills=["hessian", "jacobian"]), None, "skills"),
    ("skills not a list", _meta(skills="hessian"), None, "skills"),
    ("missing title", {k: v for k, v in _meta().items() if k != "title"}, None, "title"),
    ("part not an integer", _meta(part="one"), None, "part"),
    ("unknown field", _meta(difficulty=3), None, "difficulty"),
    ("too few questions", _meta(skill_check=QUESTIONS_3), None, "skill_check"),
    ("no generated question",
     _meta(skill_check=[_question(n) for n in range(1, 5)]), None, "skill_check"),
    ("duplicate question id",
     _meta(skill_check=[_question(1), _question(1), *QUESTIONS_3[1:]]), None,
     "skill_check[q1].id"),
    ("answer out of range",
     _meta(skill_check=[_question(1, answer=3), *QUESTIONS_3]), None, "skill_check[q1].answer"),
    ("answer not an index",
     _meta(skill_check=[_question(1, answer="yes"), *QUESTIONS_3]), None,
     "skill_check[q1].answer"),
    ("missing explanation",
     _meta(skill_check=[_question(1, explanation=""), *QUESTIONS_3]), None,
     "skill_check[q1].explanation"),
    ("one choice only",
     _meta(skill_check=[_question(1, choices=["yes"]), *QUESTIONS_3]), None,
     "skill_check[q1].choices"),
    ("generated from an unknown family",
     _meta(skill_check=[*_meta()["skill_check"][:3],
                        {"id": "q4", "generated": {"template_id": "nope", "level": 1, "seed": 1}}]),
     None, "skill_check[q4].generated.template_id"),
    ("generated from a non-choice family",
     _meta(skill_check=[*_meta()["skill_check"][:3],
                        {"id": "q4", "generated": {"template_id": "hessian", "level": 1,
                                                   "seed": 1}}]),
     None, "skill_check[q4].generated.template_id"),
    ("generated without a seed",
     _meta(skill_check=[*_meta()["skill_check"][:3],
                        {"id": "q4", "generated": {"template_id": "edge_of_stability",
                                                   "level": 1}}]),
     None, "skill_check[q4].generated"),
    ("pass mark above the question count", _meta(pass_mark=5), None, "pass_mark"),
    ("link to an unknown family", _meta(), "See [this](practice:jacobian).\n", "body"),
]  # fmt: skip


@pytest.mark.parametrize(
    "meta, body, field", [case[1:] for case in MALFORMED], ids=[case[0] for case in MALFORMED]
)
def test_malformed_lesson_names_the_file_and_field(tmp_path: Path, meta, body, field):
    path = _write(tmp_path, meta, body or "## One\n\nText.\n")
    with pytest.raises(LessonError) as caught:
        load_lessons(tmp_path)
    assert caught.value.path.name == path.name
    assert caught.value.field == field
    assert str(caught.value).startswith(f"demo.md: {field}: ")


@pytest.mark.parametrize(
    "text, field",
    [
        ("no front matter at all\n", "front matter"),
        ("---\nid: [unclosed\n---\nbody\n", "front matter"),
        ("---\n- a list\n---\nbody\n", "front matter"),
    ],
    ids=["missing", "invalid yaml", "not a mapping"],
)
def test_broken_front_matter_names_the_file(tmp_path: Path, text: str, field: str):
    (tmp_path / "broken.md").write_text(text, encoding="utf-8")
    with pytest.raises(LessonError, match=rf"^broken\.md: {field}: "):
        load_lessons(tmp_path)


def test_a_valid_directory_loads_and_defaults_the_pass_mark(tmp_path: Path):
    _write(tmp_path, _meta(), "## One\n\nSee [it](practice:hessian).\n\n## One\n")
    (loaded,) = load_lessons(tmp_path)
    assert loaded.pass_mark == 3  # ceil(0.75 * 4)
    assert loaded.headings == ((2, "One", "one"), (2, "One", "one-2"))
    assert loaded.reading_minutes == 1
    assert loaded.skill_check[0].choices == (("A", "yes"), ("B", "no"), ("C", "maybe"))
    assert loaded.skill_check[0].answer == "A"
    generated = loaded.skill_check[3]
    assert (generated.template_id, generated.level, generated.seed) == ("edge_of_stability", 1, 3)


def test_two_files_with_one_id_are_rejected(tmp_path: Path):
    _write(tmp_path, _meta())
    (tmp_path / "copy.md").write_text((tmp_path / "demo.md").read_text(), encoding="utf-8")
    with pytest.raises(LessonError) as caught:
        load_lessons(tmp_path)
    assert caught.value.field == "id"
