"""Problem sets: the builder's validation, expansion into problems, variants, duplication."""

from __future__ import annotations

import pytest
from werkzeug.datastructures import MultiDict

from quizengine import problem_sets
from quizengine.problem_sets import ItemSpec, problem_seed, set_problems, variant_seed
from quizengine.teaching_errors import TeachingError
from tests.quizengine.history import NOW
from tests.quizengine.teaching import make_set, person

STUDENTS = range(1, 41)

# (case, form fields, field named in the error)
BAD_FORMS = [
    ("no title", {"title": " "}, "title"),
    ("unknown mode", {"title": "t", "mode": "random"}, "mode"),
    ("zero attempts", {"title": "t", "attempts_allowed": "0"}, "attempts_allowed"),
    ("text attempts", {"title": "t", "attempts_allowed": "many"}, "attempts_allowed"),
    ("bad solutions", {"title": "t", "solutions_after": "never"}, "solutions_after"),
]


def test_per_student_variants_are_stable_and_distinct():
    seeds = [variant_seed(3, 0, 0, student) for student in STUDENTS]
    assert seeds == [variant_seed(3, 0, 0, student) for student in STUDENTS]
    assert len(set(seeds)) == len(seeds)
    assert all(0 <= s < 2**31 for s in seeds)


def test_shared_variants_are_identical_for_everyone(db_session, cheap_passwords):
    teacher = person("t@example.org", "teacher")
    shared = make_set(db_session, teacher, items=(("hessian", 1, 3),))
    own = make_set(db_session, teacher, items=(("hessian", 1, 3),), mode="per_student")
    problems = set_problems(problem_sets.set_items(db_session, shared.id))
    assert [p.label for p in problems] == ["P1", "P2", "P3"]
    for problem in problems:
        assert len({problem_seed(shared, problem, s) for s in STUDENTS}) == 1
        assert len({problem_seed(own, problem, s) for s in STUDENTS}) == len(STUDENTS)
    # copies within an item differ, and so do the sets
    assert len({problem_seed(shared, p, 1) for p in problems}) == 3
    assert problem_seed(shared, problems[0], 1) != problem_seed(own, problems[0], 1)


@pytest.mark.parametrize(("case", "form", "field"), BAD_FORMS, ids=[c[0] for c in BAD_FORMS])
def test_the_builder_names_the_bad_field(case, form, field):
    with pytest.raises(TeachingError) as raised:
        problem_sets.parse_settings(form, [ItemSpec("gradient", 1, 1)])
    assert raised.value.field == field


def test_items_come_from_the_catalog_with_valid_levels_and_counts():
    form = MultiDict({"count-gradient": "2", "level-gradient": "1", "count-hessian": "0"})
    assert problem_sets.parse_items(form) == [ItemSpec("gradient", 1, 2)]
    for items in ([], [ItemSpec("nope", 1, 1)], [ItemSpec("gradient", 99, 1)],
                  [ItemSpec("gradient", 1, 11)], [ItemSpec("gradient", 1, 10)] * 5):  # fmt: skip
        with pytest.raises(TeachingError):
            problem_sets.validate_items(items)


def test_duplicating_copies_items_under_a_new_id(db_session, cheap_passwords):
    teacher = person("t@example.org", "teacher")
    original = make_set(db_session, teacher, attempts_allowed=2, solutions_after="due_date")
    copy = problem_sets.duplicate_set(db_session, original, NOW)
    assert copy.id != original.id and copy.title.endswith("(copy)")
    assert (copy.attempts_allowed, copy.solutions_after) == (2, "due_date")
    shape = [(i.template_id, i.level, i.count) for i in problem_sets.set_items(db_session, copy.id)]
    assert shape == [("gradient", 1, 1), ("hessian", 1, 1)]
    other = person("o@example.org", "teacher")
    assert problem_sets.teacher_set(db_session, other.id, copy.id) is None
    assert [s.problems for s in problem_sets.teacher_sets(db_session, teacher.id)] == [2, 2]


def test_builder_pages_preview_and_save(app, client, auth, cheap_passwords):
    auth.signup(email="t@example.org", role="teacher")
    assert client.get("/teach/sets/new").status_code == 200
    fragment = client.get("/teach/preview?template_id=hessian&level=1")
    assert fragment.status_code == 200 and "Solution" in fragment.get_data(as_text=True)
    assert client.get("/teach/preview?template_id=hessian&level=99").status_code == 404
    form = {"title": "Week 1", "mode": "per_student", "count-hessian": "2", "level-hessian": "1",
            "solutions_after": "each_answer"}  # fmt: skip
    previewed = client.post("/teach/sets/new", data={**form, "action": "preview"})
    assert previewed.status_code == 200 and "example variants" in previewed.get_data(as_text=True)
    bad = client.post("/teach/sets/new", data={**form, "title": "", "action": "save"})
    assert bad.status_code == 400
    saved = client.post("/teach/sets/new", data={**form, "action": "save"}, follow_redirects=True)
    page = saved.get_data(as_text=True)
    assert "Week 1" in page and "a variant per student" in page
