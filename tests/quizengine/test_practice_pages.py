"""The practice pages without JavaScript: a problem, a form post, the verdict and the solution."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import func, select

import question_bank as qb
from quizengine.content import template_index
from quizengine.extensions import db
from quizengine.models import Attempt, Card, Event
from tests.quizengine.history import HOSTILE, TYPO, form_fields, known_answer

# (case, what the learner types, how the result page must read)
RESULT_PAGES = [
    ("right answer", "correct", ["Correct", "Worked solution"]),
    ("wrong answer", "wrong", ["Not quite", "Worked solution"]),
]


def open_problem(client, path: str = "/practice/") -> tuple[dict[str, str], str]:
    response = client.get(path)
    assert response.status_code == 200, path
    page = response.get_data(as_text=True)
    return form_fields(page), page


def problem_of(fields: dict[str, str]) -> qb.Problem:
    return qb.generate(fields["template_id"], int(fields["seed"]), int(fields["level"]))


def textarea(page: str) -> str:
    match = re.search(r'<textarea id="answer"[^>]*>(.*?)</textarea>', page, re.DOTALL)
    assert match, "the answer box is on the page"
    return match.group(1)


def plain_start(markdown: str) -> str:
    """Return the opening words of Markdown text, before any math or markup."""
    return re.match(r"[A-Za-z ,]*", markdown).group(0).strip()


def queue_now(client) -> list[dict]:
    return client.get("/api/v1/queue?limit=50").json["items"]


def count(app, model, **where) -> int:
    with app.app_context():
        query = select(func.count()).select_from(model).filter_by(**where)
        return db.session.scalar(query)


def the_card(app, user_id: int, template_id: str) -> dict | None:
    with app.app_context():
        row = db.session.get(Card, (user_id, template_id))
        return None if row is None else {
            "reviews": row.reviews, "attempts": row.attempts, "level": row.level,
            "due": row.due, "last_rating": row.last_rating,
        }  # fmt: skip


def test_practice_serves_the_queues_first_problem(client, learner):
    [first] = client.get("/api/v1/queue?limit=1").json["items"]
    fields, page = open_problem(client)
    assert (fields["template_id"], int(fields["seed"]), int(fields["level"])) == (
        first["template_id"], first["seed"], first["level"],
    )  # fmt: skip
    assert first["template_id"] == "gradient"
    assert "<math" in page, "the prompt is MathML"
    assert "New skill" in page
    assert client.get("/practice", follow_redirects=True).status_code == 200


@pytest.mark.parametrize(
    ("kind", "shown"), [pytest.param(k, s, id=case) for case, k, s in RESULT_PAGES]
)
def test_answering_shows_the_verdict_feedback_and_worked_solution(client, learner, kind, shown):
    fields, _ = open_problem(client, "/practice/gradient?seed=7&level=1")
    _, answer = known_answer("gradient", 1, kind, seed=7)
    response = client.post("/practice/answer", data={**fields, "answer": answer})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for text in shown:
        assert text in page
    problem = problem_of(fields)
    assert plain_start(problem.explanation) in page
    verdict = problem.check(answer)
    assert plain_start(verdict.feedback) in page
    if kind == "wrong":
        assert "Correct" not in page


def test_a_typo_is_reported_kept_in_the_box_and_counts_nothing(app, client, learner):
    before = queue_now(client)
    fields, _ = open_problem(client)
    response = client.post("/practice/answer", data={**fields, "answer": TYPO})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "never closed" in page, "the parse error is shown"
    assert html.unescape(textarea(page)) == TYPO
    assert queue_now(client) == before
    card = the_card(app, learner, fields["template_id"])
    assert card is None or (card["reviews"], card["attempts"]) == (0, 0)


def test_a_typo_on_a_locked_skill_does_not_change_the_queue(client, learner):
    before = queue_now(client)
    fields, _ = open_problem(client, "/practice/hessian?seed=3&level=1")
    assert client.post("/practice/answer", data={**fields, "answer": TYPO}).status_code == 400
    assert queue_now(client) == before


def test_show_me_the_solution_shows_it_and_rates_again(app, client, learner):
    fields, _ = open_problem(client)
    response = client.post("/practice/answer", data={**fields, "answer": "", "action": "give_up"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Worked solution" in page
    assert plain_start(problem_of(fields).explanation) in page
    card = the_card(app, learner, fields["template_id"])
    assert card["reviews"] == 1
    assert card["last_rating"] == 1  # fsrs Rating.Again


def test_resubmitting_the_same_form_makes_no_second_attempt(app, client, learner):
    fields, _ = open_problem(client)
    data = {**fields, "answer": problem_of(fields).solution}
    first = client.post("/practice/answer", data=data)
    again = client.post("/practice/answer", data=data)
    assert first.status_code == again.status_code == 200
    assert "Correct" in again.get_data(as_text=True)
    assert "already submitted" in again.get_data(as_text=True)
    assert count(app, Attempt, user_id=learner) == 1
    assert count(app, Event, owner_id=learner, type="attempt") == 1
    assert count(app, Event, owner_id=learner, type="attempt.graded") == 1
    assert the_card(app, learner, fields["template_id"])["reviews"] == 1


def test_show_me_another_like_this(client, learner):
    fields, _ = open_problem(client)
    page = client.post(
        "/practice/answer", data={**fields, "answer": problem_of(fields).solution}
    ).get_data(as_text=True)
    link = re.search(r'href="([^"]+)"[^>]*>Show me another like this<', page)
    assert link, "the result page offers another problem like this one"
    another, _ = open_problem(client, html.unescape(link.group(1)))
    assert another["template_id"] == fields["template_id"]
    assert another["level"] == fields["level"]


def test_learner_text_is_escaped_on_every_page(app, client, learner):
    fields, _ = open_problem(client)
    typed = client.post("/practice/answer", data={**fields, "answer": HOSTILE})
    assert typed.status_code == 400
    fields, _ = open_problem(client)
    data = {**fields, "answer": HOSTILE, "action": "give_up"}
    pages = [
        typed,
        client.post("/practice/answer", data=data),
        client.post("/practice/answer", data=data),  # the stored attempt, shown back
        client.get("/progress"),
        client.get("/practice/"),
    ]
    for response in pages:
        page = response.get_data(as_text=True)
        assert HOSTILE not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in pages[1].get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in pages[2].get_data(as_text=True)


def figure_family() -> str | None:
    for template in template_index().values():
        if qb.figure(qb.generate(template.id, 1, template.levels[0])) is not None:
            return template.id
    return None


def test_the_figure_endpoint_serves_svg(client, learner):
    template_id = figure_family()
    if template_id is None:
        pytest.skip("no problem family draws a figure yet")
    level = template_index()[template_id].levels[0]
    response = client.get(f"/practice/figure/{template_id}/1/{level}.svg")
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    svg = response.get_data(as_text=True)
    assert "<svg" in svg and "<script" not in svg.lower()
    fields, _ = open_problem(client, f"/practice/{template_id}?seed=1&level={level}")
    page = client.post(
        "/practice/answer", data={**fields, "answer": problem_of(fields).solution}
    ).get_data(as_text=True)
    assert f"/practice/figure/{template_id}/1/{level}.svg" in page


@pytest.mark.parametrize(
    "path",
    [
        "/practice/figure/gradient/1/1.svg",  # a family without a figure
        "/practice/figure/no_such_template/1/1.svg",
        "/practice/figure/hessian/1/9.svg",  # a level the family lacks
    ],
)
def test_the_figure_endpoint_is_404_without_a_figure(client, learner, path):
    assert qb.figure(qb.generate("gradient", 1, 1)) is None
    assert client.get(path).status_code == 404


# (case, query string, status, field named by the error)
BAD_PROBLEM_QUERIES = [
    ("no seed", "gradient?level=1", 400, "seed"),
    ("negative seed", "gradient?seed=-1", 400, "seed"),
    ("level the family lacks", "gradient?seed=1&level=9", 400, "level"),
    ("unknown family", "no_such_template?seed=1", 404, "template_id"),
]


@pytest.mark.parametrize("template_id", ["gradient", "hessian"])
def test_the_problem_api_never_gives_the_solution(client, template_id):
    response = client.get(f"/api/v1/problems/{template_id}?seed=3&level=2")
    assert response.status_code == 200
    problem = response.json
    expected = qb.generate(template_id, 3, 2)
    assert {"template_id", "seed", "level", "prompt", "prompt_html", "answer_kind",
            "variables"} <= set(problem)  # fmt: skip
    assert (problem["template_id"], problem["seed"], problem["level"]) == (template_id, 3, 2)
    assert problem["prompt"] == expected.prompt
    assert not {"solution", "explanation", "answer"} & set(problem)
    assert expected.solution not in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("query", "status", "field"),
    [pytest.param(q, s, f, id=case) for case, q, s, f in BAD_PROBLEM_QUERIES],
)
def test_the_problem_api_names_a_bad_argument(client, query, status, field):
    response = client.get(f"/api/v1/problems/{query}")
    assert response.status_code == status
    assert response.json["error"]["field"] == field


@pytest.mark.parametrize(
    ("answer", "status"),
    [("(2*x*y, x**2)", "ok"), (TYPO, "invalid"), ("", "empty"), (HOSTILE, "invalid")],
)
def test_the_preview_says_how_an_answer_was_read_without_grading(app, client, learner, answer,
                                                                  status):  # fmt: skip
    body = {"template_id": "gradient", "seed": 3, "level": 1, "answer": answer}
    response = client.post("/api/v1/preview", json=body)
    assert response.status_code == 200
    result = response.json
    assert result["status"] == status
    assert (result["preview"] is not None) is (status == "ok")
    assert (result["error"] is not None) is (status == "invalid")
    assert "<script" not in result["preview_html"]  # inserted as markup by practice.js
    assert count(app, Attempt, user_id=learner) == 0
    assert count(app, Event, owner_id=learner) == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"template_id": "nope", "seed": 1, "level": 1, "answer": "1"}, "template_id"),
        ({"template_id": "gradient", "seed": 1, "level": 1}, "answer"),
        ({"template_id": "gradient", "seed": 1, "level": 9, "answer": "1"}, "level"),
    ],
)
def test_the_preview_names_a_bad_field(client, body, field):
    response = client.post("/api/v1/preview", json=body)
    assert response.status_code == 400
    assert response.json["error"]["field"] == field
