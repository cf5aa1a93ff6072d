"""Local-first practice in Chromium: the service worker, IndexedDB, the offline check and
sync. The server here can be stopped and started again on the same port and database,
because a service worker belongs to one origin and Playwright's offline mode does not
stop the worker's own requests (FIELD-NOTES.md)."""

from __future__ import annotations

import json
import random
import time

import pytest

import question_bank as qb
from quizengine.accounts import create_user
from quizengine.packs import build_pack, digest, round_text
from tests.browser.restartable import RestartableServer
from tests.helpers import PASSWORD, finish_signup_in_browser

pytestmark = [pytest.mark.browser, pytest.mark.slow]


# ---------------------------------------------------------------------------- helpers


def open_app(page, base: str) -> None:
    """Open /app online and wait until the worker controls it and a pack is stored."""
    page.goto(base + "/app")
    wait_for_js(page, "navigator.serviceWorker.controller !== null")
    settle(page)


def settle(page) -> None:
    """Wait until a problem is shown and no sync is running."""
    page.wait_for_selector("#problem[data-template]")
    wait_for_js(page, "!QE.sync.status().running && !!document.body.dataset.synced")


def shown_problem(page) -> qb.Problem:
    box = page.locator("#problem")
    return qb.generate(
        box.get_attribute("data-template"),
        int(box.get_attribute("data-seed")),
        int(box.get_attribute("data-level")),
    )


def answer_shown(page, text: str | None = None) -> qb.Problem:
    """Answer the problem on screen (correctly unless `text` is given); wait until saved."""
    problem = shown_problem(page)
    text = problem.solution if text is None else text
    if problem.answer_kind == "choice":
        page.locator(f"#problem input[name=answer][value='{text}']").check()
    else:
        page.locator("#answer").fill(text)
    page.get_by_role("button", name="Check answer").click()
    page.wait_for_selector("#save-state, #answer-error:not(:empty)")
    assert page.locator("#answer-error:not(:empty)").count() == 0, page.locator(
        "#answer-error"
    ).inner_text()
    return problem


def skip(page) -> None:
    before = page.locator("#problem").get_attribute("data-seed")
    page.locator("#skip").click()
    wait_until(
        page,
        lambda: page.locator("#problem").get_attribute("data-seed") != before,
        "another problem",
    )


def next_problem(page) -> None:
    page.locator("#next-problem").click()
    page.wait_for_selector("#answer-form")


def sign_up(page, server: RestartableServer, email: str) -> None:
    page.goto(server.url + "/signup")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Display name").fill("Ada")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    finish_signup_in_browser(page, server.app, email, PASSWORD)


def sign_in(page, base: str, email: str) -> None:
    page.goto(base + "/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def pulled(page, base: str) -> list[dict]:
    events, after = [], 0
    while True:
        data = page.request.get(f"{base}/api/v1/sync/pull?after={after}&limit=500").json()
        events += data["events"]
        after = data["next_after"]
        if not data["more"]:
            return events


def wait_until(page, predicate, message: str, timeout: float = 20.0):
    """Poll `predicate`, letting Playwright dispatch events (route handlers) meanwhile."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {message}")
        page.wait_for_timeout(200)


def wait_for_js(page, expression: str, timeout: float = 30.0) -> None:
    """Poll a JavaScript expression from Python: the app's Content-Security-Policy forbids
    the string evaluation that Playwright's wait_for_function does inside the page."""
    wait_until(page, lambda: page.evaluate(expression), expression, timeout)


def outbox_count(page, owner: str) -> int:
    return page.evaluate("owner => QE.idb.count('outbox', owner)", owner)


# ---------------------------------------------------------------------------- (1)


def test_anonymous_learner_practises_offline_then_claims_on_sign_up(server, new_context):
    context = new_context()
    page = context.new_page()
    open_app(page, server.url)
    page.goto(server.url + "/app#lessons")
    page.wait_for_selector(".lesson-picker a")
    first_lesson = page.locator(".lesson-picker a").first
    lesson_name = first_lesson.inner_text()
    page.goto(server.url + "/app#practice")
    page.wait_for_selector("#answer-form")

    # Truly offline: the page AND the service worker lose the server.
    context.set_offline(True)
    server.stop()

    answered = []
    for n in range(3):
        problem = answer_shown(page)
        answered.append(problem)
        assert page.locator("#save-state").inner_text() == "Saved on this device"
        assert page.locator("#verdict h3").inner_text() == "Correct"  # checked on the device
        if n < 2:
            next_problem(page)
    assert page.locator("#progress-line").get_attribute("data-answered") == "3"

    page.evaluate("location.hash = '#lessons'")
    page.get_by_role("link", name=lesson_name).click()
    page.get_by_label("Notes on this part").fill("Saddle: det H < 0.")
    assert page.get_by_text("18 / 8000 characters").is_visible()
    page.get_by_role("button", name="Save note").click()
    page.wait_for_selector("#note-saved:has-text('Note saved on this device')")

    # Reload with no server at all: the shell comes from the worker's cache, the data
    # from IndexedDB.
    page.reload()
    page.wait_for_selector("#note-body")
    assert page.locator("#note-body").input_value() == "Saddle: det H < 0."
    page.evaluate("location.hash = '#practice'")
    page.wait_for_selector("#progress-line[data-answered='3']")
    assert page.locator("#history-list li").count() == 3
    assert outbox_count(page, "anon") == 4
    assert "saved on this device only" in page.locator("#sync-status").inner_text()

    # Back online, create an account, accept the claim.
    server.start()
    context.set_offline(False)
    sign_up(page, server, "train@example.org")
    prompt = page.locator("#claim-prompt")
    prompt.wait_for()
    assert "Add the 3 answers practised on this device to your account" in prompt.inner_text()
    page.get_by_role("button", name="Add them to my account").click()
    page.wait_for_selector("#claim-prompt :text('Added to your account.')")

    events = wait_until(
        page,
        lambda: (lambda evs: evs if sum(e["type"] == "attempt.graded" for e in evs) == 3 else None)(
            pulled(page, server.url)
        ),
        "the claimed events on the server",
    )
    attempts = [e for e in events if e["type"] == "attempt"]
    assert sorted((e["payload"]["template_id"], e["payload"]["seed"]) for e in attempts) == sorted(
        (p.template_id, p.seed) for p in answered
    )
    notes = [e for e in events if e["type"] == "note.put"]
    assert [n["payload"]["body"] for n in notes] == ["Saddle: det H < 0."]
    assert all(e["payload"]["correct"] for e in events if e["type"] == "attempt.graded")
    assert outbox_count(page, "anon") == 0

    # The app now shows them as synced and graded by the server.
    page.goto(server.url + "/app")
    page.wait_for_selector("#progress-line[data-answered='3']")
    wait_until(
        page,
        lambda: page.locator("#history-list li[data-synced='yes']").count() == 3,
        "synced history",
    )
    assert "(server)" in page.locator("#history-list").inner_text()

    # Signing out clears this account's data from the device (nothing was pending).
    owner = page.evaluate("QE.sync.status().owner")
    page.get_by_role("button", name="Sign out").click()
    page.get_by_text("You are signed out").wait_for()
    wait_until(
        page,
        lambda: page.evaluate("o => QE.idb.count('events', o)", owner) == 0,
        "the account's local data to be cleared",
    )


# ---------------------------------------------------------------------------- (2)


def test_two_devices_offline_converge(server, new_context):
    with server.app.app_context():
        create_user("two@example.org", PASSWORD)
    pages = []
    for _ in range(2):
        context = new_context()
        page = context.new_page()
        sign_in(page, server.url, "two@example.org")
        open_app(page, server.url)
        pages.append((context, page))
    laptop, phone = (page for _, page in pages)
    # The worker caches only the shell, fetched without cookies: no name, no API answers.
    cached = laptop.evaluate(
        """async () => {
             const cache = await caches.open((await caches.keys())[0]);
             const urls = (await cache.keys()).map(r => new URL(r.url).pathname);
             return [urls, await (await cache.match('/app')).text()];
           }"""
    )
    assert not [
        u for u in cached[0] if u.startswith(("/api/", "/practice", "/lessons", "/progress"))
    ]
    assert "Sign in" in cached[1] and "two@example.org" not in cached[1]
    for context, _ in pages:
        context.set_offline(True)
    server.stop()

    answer_shown(laptop)
    next_problem(laptop)
    answer_shown(laptop)
    skip(phone)
    skip(phone)
    answer_shown(phone, "0")  # a different problem, answered (perhaps wrongly)

    server.start()
    for context, _ in pages:
        context.set_offline(False)
    for page in (laptop, phone, laptop):  # the laptop once more, to pull the phone's answer
        page.goto(server.url + "/app")
        page.wait_for_selector("#sync-status[data-state='ok'][data-pending='0']")

    def same_view():
        views = [
            (
                page.locator("#progress-line").get_attribute("data-answered"),
                page.locator("#problem").get_attribute("data-template"),
                page.locator("#problem").get_attribute("data-seed"),
            )
            for page in (laptop, phone)
        ]
        return views[0] == views[1] and views[0][0] == "3"

    wait_until(laptop, same_view, "the same progress and next problem on both devices")
    assert len([e for e in pulled(laptop, server.url) if e["type"] == "attempt"]) == 3


# ---------------------------------------------------------------------------- (3)


def test_a_server_stopped_mid_push_then_restarted_stores_each_event_once(server, new_context):
    with server.app.app_context():
        create_user("lost@example.org", PASSWORD)
    # page.route does not see requests that pass through a service worker: block it here.
    context = new_context(service_workers="block")
    page = context.new_page()
    sign_in(page, server.url, "lost@example.org")
    page.goto(server.url + "/app")
    settle(page)
    calls = []

    def lose_first_response(route):
        calls.append(json.loads(route.request.post_data or "{}"))
        if len(calls) == 1:
            route.fetch()  # the server stores the events...
            server.stop()  # ...then stops before its answer gets back,
            route.abort("connectionreset")
            server.start()  # and is restarted on the same port and database
        else:
            route.continue_()

    page.route("**/api/v1/sync/push", lose_first_response)
    problem = answer_shown(page)
    wait_until(page, lambda: outbox_count(page, "1") == 0 and len(calls) >= 2, "the retry")
    sent = {e["id"] for e in calls[0]["events"]}
    assert sent and sent <= {e["id"] for e in calls[1]["events"]}
    attempts = [e for e in pulled(page, server.url) if e["type"] == "attempt"]
    assert len(attempts) == 1
    assert attempts[0]["payload"]["template_id"] == problem.template_id
    from quizengine.extensions import db
    from quizengine.models import Attempt

    with server.app.app_context():
        assert db.session.query(Attempt).count() == 1


# ---------------------------------------------------------------------------- (4)

ROUNDING = [
    (1 / 3, 8),
    (-2500.0, 8),
    (0.0, 8),
    (-0.0, 8),
    (1.125, 3),
    (-1.125, 3),
    (2.5, 1),
    (100000005.0, 8),
    (0.123046875, 8),
    (99999999.5, 8),
    (9.995, 3),
    (1e-300, 8),
    (123456789012345.0, 8),
    (6.02214076e23, 8),
    (-7.5e-7, 6),
    (2 / 3, 6),
    (0.3125, 8),
    (float("inf"), 8),
    (float("nan"), 8),
    (5e-324, 8),
    (1.7976931348623157e308, 8),
]

EXPRESSIONS = [
    ("2x", ["x", "y"], [3, 1], 6),
    ("6xy", ["x", "y"], [2, 3], 36),
    ("2(x+1)", ["x"], [2], 6),
    ("x y", ["x", "y"], [2, 5], 10),
    ("3x^2y", ["x", "y"], [3, 2], 54),
    ("-x^2", ["x"], [3], -9),
    ("2^3^2", [], [], 512),
    ("x**2 - 1", ["x"], [3], 8),
    ("1/2x", ["x"], [4], 2),
    ("sqrt(4) + √9", [], [], 5),
    ("3x² − 2·x ÷ 4", ["x"], [2], 11),
    ("x³", ["x"], [2], 8),
    ("eta x", ["x", "eta"], [2, 3], 6),
    ("2eta", ["eta"], [3], 6),
    ("π", [], [], 3.141592653589793),
    ("e", [], [], 2.718281828459045),
    ("ln(e^2) + log(1)", [], [], 2),
    ("abs(-3) + exp(0)", [], [], 4),
    ("sin(0) + cos(0) + tan(0)", [], [], 1),
    ("2e-3", [], [], 0.002),
    ("w1 w2", ["w1", "w2"], [2, 3], 6),
    ("48alpha^2 + 27/alpha^2", ["alpha"], [1.5], 120),
    ("48α^2", ["alpha"], [0.5], 12),
]

STRUCTURES = [
    ("(1, 2)", "vector", [1, 2]),
    ("[x, y]", "vector", [2, 3]),
    ("[[1, 2], [3, 4]]", "rows", [1, 2, 3, 4]),
    ("[1, 2; 3, 4]", "matrix", [1, 2, 3, 4]),
    ("[1 -2; 3 4]", "matrix", [1, -2, 3, 4]),
    ("{(0, 0), (1, -1)}", "set", [[0, 0], [1, -1]]),
]

UNREADABLE = ["", "2 +", "(1, 2", "x = 2", "2 3", "zz", "sin", "|x|", "\\frac{1}{2}"]


def test_javascript_and_python_agree_on_rounding_hashes_and_reading(server, new_context):
    page = new_context().new_page()
    page.goto(server.url + "/app")
    wait_for_js(page, "!!(window.QE && QE.math)")

    values = [[v if v == v and abs(v) != float("inf") else str(v), f] for v, f in ROUNDING]
    got = page.evaluate(
        """rows => rows.map(([v, f]) => QE.math.roundText(typeof v === 'string' ?
            Number(v.replace('inf', 'Infinity')) : v, f))""",
        values,
    )
    assert got == [round_text(v, f) for v, f in ROUNDING]

    texts = [round_text(v, f) for v, f in ROUNDING] + ["minimum", "one step", "1.00000e0,-1e0"]
    hashes = page.evaluate("texts => Promise.all(texts.map(t => QE.math.digest('5a17', t)))", texts)
    assert hashes == [digest("5a17", t) for t in texts]

    for text, variables, at, expected in EXPRESSIONS:
        value = page.evaluate(
            "([t, v, a]) => QE.math.valueOf(t, v, a).values[0]", [text, variables, at]
        )
        assert value == pytest.approx(expected), text
    for text, kind, expected in STRUCTURES:
        value = page.evaluate("t => QE.math.valueOf(t, ['x', 'y'], [2, 3])", text)
        assert (value["kind"], value["values"]) == (kind, expected), text
    for text in UNREADABLE:
        error = page.evaluate(
            """t => { try { QE.math.read(t, ['x', 'y']); return null; }
                      catch (e) { return e.name + ': ' + e.message; } }""",
            text,
        )
        assert error and error.startswith("ReadError"), text


def test_offline_check_accepts_every_solution_and_rejects_wrong_answers(server, new_context):
    page = new_context().new_page()
    page.goto(server.url + "/app")
    wait_for_js(page, "!!(window.QE && QE.math)")
    rng = random.Random(6)
    items = [
        (t.id, rng.randrange(2**31), level, "new", None) for t in qb.catalog() for level in t.levels
    ]
    cases = []
    with server.app.app_context():
        for item in items:
            pack = build_pack([item], 1)
            entry = pack["problems"][0]
            if entry["check"]["method"] == "server":
                continue  # symbolic constants: graded by the server only
            problem = qb.generate(entry["template_id"], entry["seed"], entry["level"])
            wrong = [a for a, _ in qb.samples(problem).incorrect][:2]
            cases.append((pack["salt"], entry, problem.solution, wrong))
    assert len(cases) >= len(items) - 3
    results = page.evaluate(
        """async (cases) => {
             const out = [];
             for (const [salt, p, right, wrong] of cases) {
               const ok = await QE.math.check(p, right, salt);
               const bad = [];
               for (const w of wrong) bad.push((await QE.math.check(p, w, salt)).status);
               out.push([p.template_id, p.level, p.check.method, ok.status, bad]);
             }
             return out;
           }""",
        cases,
    )
    for template_id, level, method, right, wrong in results:
        if method == "server":
            continue
        assert right == "correct", (template_id, level, method)
        assert "correct" not in wrong, (template_id, level, method, wrong)
