"""Grading learner text under a hard time limit enforced from outside the work.

The grader's own budgets (`question_bank.budget`) are cooperative: a slow step
gives up only when it next asks. Whatever slips past them must still not tie
up a web worker, so learner text reaches sympy only in a child process that
the web process kills and replaces when it overruns.

Each web process keeps a small pool of long-lived children, started lazily
from a forkserver that has already imported the grader (plain fork is unsafe
in a multi-threaded server). A request is `(target, args)`: the dotted name of
a module-level function the child runs. The limit counts from handing the
request to a ready child until its reply; waiting for a free child does not
count, and each child is busy for at most the limit. `isolation="inline"` runs
the same functions in this process (for the operator's CLI).
"""

from __future__ import annotations

import atexit
import gc
import importlib
import logging
import multiprocessing
import os
import queue
import signal
import threading
import time
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from multiprocessing import forkserver as mp_forkserver
from multiprocessing import process as mp_process
from multiprocessing.connection import Connection
from typing import Any

from flask import current_app, has_app_context

from question_bank.errors import ParseError
from question_bank.parser import parse
from question_bank.registry import catalog, generate
from question_bank.verdict import Verdict, VerdictDict

from .mathtext import latex_html, value_latex

log = logging.getLogger(__name__)

ISOLATIONS = ("process", "inline")
DEFAULT_LIMIT = 2.0  # wall seconds; the grader's cooperative CPU budgets total about 0.9
DEFAULT_PUSH_LIMIT = 10.0  # no attempt of one push starts grading after this (gunicorn: 30 s)
START_TIMEOUT = 60.0  # a fresh child imports nothing (the forkserver did) and warms up
GRADE_TARGET = "quizengine.grading:grade_inline"
PREVIEW_TARGET = "quizengine.grading:preview_inline"
TOO_SLOW = (
    "This answer took too long to check, so it was not graded and does not count against "
    "you. Try writing it more simply."
)
NO_TIME_LEFT = (
    "Too many answers arrived at once to check them all, so this one was not graded and "
    "does not count against you."
)
PREVIEW_TOO_SLOW = "this answer took too long to read; try writing it more simply"
READY = "ready"


@dataclass(frozen=True)
class GradingSettings:
    """How answers are graded: `GRADING_*` app config, with strings from the environment."""

    isolation: str = "process"
    limit: float = DEFAULT_LIMIT
    push_limit: float = DEFAULT_PUSH_LIMIT
    workers: int = 1

    def __post_init__(self) -> None:
        if self.isolation not in ISOLATIONS:
            raise ValueError(f"GRADING_ISOLATION must be one of {ISOLATIONS}")
        if not (self.limit > 0 and self.push_limit >= 0 and self.workers >= 1):
            raise ValueError("grading limits must be positive and workers at least 1")

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> GradingSettings:
        """Read the `GRADING_*` keys; a key left out keeps its default."""
        def number(key: str, kind: type, default: float) -> Any:
            try:
                return kind(config.get(key, default))
            except (TypeError, ValueError):
                raise ValueError(f"{key} must be a number, not {config.get(key)!r}") from None

        return cls(
            isolation=str(config.get("GRADING_ISOLATION", "process")).strip().lower(),
            limit=number("GRADING_TIME_LIMIT", float, DEFAULT_LIMIT),
            push_limit=number("GRADING_PUSH_TIME_LIMIT", float, DEFAULT_PUSH_LIMIT),
            workers=number("GRADING_WORKERS", int, 1),
        )


def current_settings() -> GradingSettings:
    """Return the running app's settings (the defaults outside an app)."""
    return (
        GradingSettings.from_config(current_app.config) if has_app_context() else GradingSettings()
    )


class Overrun(Exception):
    """The child overran its limit or died while working; it has been replaced."""


class _Gone(Overrun):
    """The child was dead before it got the request: not the answer's doing."""


# What a child runs; `isolation="inline"` runs it here.


def grade_inline(template_id: str, seed: int, level: int, answer: str) -> VerdictDict:
    """Grade in this process: the work a child does for `grade`."""
    return generate(template_id, seed, level).check(answer).to_dict()


def preview_inline(template_id: str, seed: int, level: int, answer: str) -> dict[str, Any]:
    """Say how an answer was read, without grading it (`POST /api/v1/preview`)."""
    problem = generate(template_id, seed, level)
    try:
        latex = value_latex(parse(answer, problem.variables), problem.answer_kind)
    except ParseError as error:
        return _unread(error.describe(answer))
    return {"status": "ok", "preview": latex, "preview_html": str(latex_html(latex)), "error": None}


def _unread(error: str) -> dict[str, Any]:
    return {"status": "invalid", "preview": None, "preview_html": "", "error": error}


def _resolve(target: str) -> Callable[..., Any]:
    module, _, name = target.partition(":")
    return getattr(importlib.import_module(module), name)


def grade(
    template_id: str, seed: int, level: int, answer: str, *,
    settings: GradingSettings | None = None, target: str = GRADE_TARGET,
) -> Verdict:  # fmt: skip
    """Grade a learner's answer; undecided when it overruns the hard limit.

    `target` is for tests only: the dotted name (`module:function`) of a
    module-level function taking the same four arguments and returning a
    VerdictDict, run in place of `grade_inline` (a test cannot monkeypatch a child).
    """
    settings = settings or current_settings()
    try:
        return Verdict.from_dict(run(target, (template_id, seed, level, answer), settings))
    except Overrun as overrun:
        log.warning("grading worker %s on %s seed %s level %s (%d characters); replaced",
                    overrun, template_id, seed, level, len(answer))  # fmt: skip
        return Verdict.undecided(TOO_SLOW)


def preview(
    template_id: str, seed: int, level: int, answer: str, *, settings: GradingSettings | None = None
) -> dict[str, Any]:
    """Return how an answer was read, under the same hard limit as grading."""
    try:
        return run(
            PREVIEW_TARGET, (template_id, seed, level, answer), settings or current_settings()
        )
    except Overrun:
        return _unread(PREVIEW_TOO_SLOW)


def run(target: str, args: tuple, settings: GradingSettings) -> Any:
    """Run `target(*args)` as the settings say; raise Overrun when a child overruns.

    An exception raised by the target is raised here again, as inline.
    """
    if settings.isolation == "inline":
        return _resolve(target)(*args)
    status, value = _pool(settings.workers).run((target, args), settings.limit)
    if status == "raise":
        raise value
    return value


@dataclass
class PushGrading:
    """Grade one push's attempts: each under the hard limit, none started past the push's
    budget (a push holds up to 200 attempts; the web server's own timeout must not hit)."""

    settings: GradingSettings = field(default_factory=current_settings)
    deadline: float = 0.0

    def __post_init__(self) -> None:
        self.deadline = time.monotonic() + self.settings.push_limit

    def grade(self, template_id: str, seed: int, level: int, answer: str) -> Verdict:
        """Grade one attempt, or leave it undecided once the push's time is spent."""
        if time.monotonic() >= self.deadline:
            return Verdict.undecided(NO_TIME_LEFT)
        return grade(template_id, seed, level, answer, settings=self.settings)


def _serve(conn: Connection) -> None:
    """Answer requests until the parent closes the pipe or dies."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # ^C in a terminal is the server's to handle
    threading.Thread(target=_exit_with_parent, daemon=True).start()
    grade_inline("gradient", 0, 1, "0")  # warm sympy's caches before the clock starts
    # Everything imported so far lives as long as the child: keep it out of the garbage
    # collector's full passes, which otherwise cost about 0.1 s on one early answer.
    gc.collect()
    gc.freeze()
    conn.send(READY)
    while True:
        try:
            target, args = conn.recv()
        except (EOFError, OSError):
            return
        try:
            reply: tuple[str, Any] = ("ok", _resolve(target)(*args))
        except Exception as error:  # the parent raises it again, as inline would
            error.add_note("in the grading worker:\n" + traceback.format_exc())
            reply = ("raise", error)
        try:
            conn.send(reply)
        except Exception as error:  # a result or exception that does not pickle
            conn.send(("raise", RuntimeError(f"grading worker could not reply: {error!r}")))


def _exit_with_parent() -> None:
    """Exit as soon as the parent dies, even in the middle of an answer."""
    parent = multiprocessing.parent_process()
    if parent is not None:
        parent.join()
    os._exit(0)


class _Worker:
    """One child process and the parent's end of its pipe."""

    def __init__(self) -> None:
        context = multiprocessing.get_context("forkserver")
        self.conn, child_end = context.Pipe()
        self.process = context.Process(target=_serve, args=(child_end,), daemon=True,
                                       name="quizengine-grading")  # fmt: skip
        self.process.start()
        child_end.close()
        try:
            ready = self.conn.poll(START_TIMEOUT) and self.conn.recv() == READY
        except (EOFError, OSError):
            ready = False
        if not ready:
            self.stop()
            raise RuntimeError(f"a grading worker did not start within {START_TIMEOUT} s")

    def call(self, request: tuple, limit: float) -> tuple[str, Any]:
        """Send one request and wait at most `limit` seconds for the reply."""
        if not self.process.is_alive():
            raise _Gone
        try:
            self.conn.send(request)
        except OSError:
            raise _Gone from None
        try:
            if not self.conn.poll(limit):
                raise Overrun("overran")
            return self.conn.recv()
        except (EOFError, OSError):
            raise Overrun("died") from None

    def stop(self) -> None:
        """Kill the child (it may be mid-answer) and reap it."""
        if self.process.is_alive():
            self.process.kill()
        self.process.join(timeout=10)
        self.conn.close()


class _Pool:
    """Up to `size` children; a thread takes one, or waits for one to be free."""

    def __init__(self) -> None:
        self.slots: queue.LifoQueue[_Worker | None] = queue.LifoQueue()
        self.size = 0
        self.live: set[_Worker] = set()
        self.lock = threading.Lock()

    def grow(self, size: int) -> _Pool:
        """Allow up to `size` children; they start only when needed."""
        with self.lock:
            for _ in range(size - self.size):
                self.slots.put(None)
            self.size = max(self.size, size)
        return self

    def run(self, request: tuple, limit: float) -> tuple[str, Any]:
        """Run one request on a free child, replacing it if it overruns or died."""
        worker = self.slots.get()  # LIFO: the most recently used child, so others stay unstarted
        try:
            if worker is not None:
                try:
                    return worker.call(request, limit)
                except _Gone:  # died while idle: the answer is not to blame, so try a fresh one
                    self._retire(worker)
                    worker = None
            worker = self._start()
            return worker.call(request, limit)
        except Overrun:
            self._retire(worker)
            worker = None
            raise
        finally:
            self.slots.put(worker)

    def _start(self) -> _Worker:
        worker = _Worker()  # outside the lock: starting takes a while
        with self.lock:
            self.live.add(worker)
        return worker

    def _retire(self, worker: _Worker) -> None:
        with self.lock:
            self.live.discard(worker)
        worker.stop()

    def close(self) -> None:
        """Stop every child."""
        with self.lock:
            workers, self.live = list(self.live), set()
        for worker in workers:
            worker.stop()


_state_lock = threading.Lock()
_current: _Pool | None = None


def _pool(size: int) -> _Pool:
    global _current
    with _state_lock:
        if _current is None:
            # Children fork from a server that has imported the grader and every family, and
            # the main script as multiprocessing's default does (scripts need a main guard).
            families = [f"question_bank.families.{t.id}" for t in catalog()]
            multiprocessing.get_context("forkserver").set_forkserver_preload(
                ["__main__", "quizengine.grading", *families]
            )
            _current = _Pool()
        return _current.grow(size)


def warm_up(settings: GradingSettings | None = None) -> None:
    """Start this process's grading child now: the first one waits seconds for its
    forkserver, which a learner's first answer should not."""
    settings = settings or current_settings()
    if settings.isolation == "process":
        run(GRADE_TARGET, ("gradient", 0, 1, "0"), settings)


def worker_pids() -> list[int]:
    """Return the pids of this process's live grading children (for tests and operators)."""
    pool = _current
    if pool is None:
        return []
    with pool.lock:
        return sorted(w.process.pid for w in pool.live if w.process.pid is not None)


def shutdown() -> None:
    """Stop this process's grading children; the next call starts fresh ones."""
    global _current
    with _state_lock:
        pool, _current = _current, None
    if pool is not None:
        pool.close()


def _forget_after_fork() -> None:
    """In a forked child (gunicorn's workers), drop the parent's children and forkserver.

    They belong to the parent: this process must neither use nor stop them, and
    multiprocessing would otherwise wait on or terminate them at exit.
    """
    global _current, _state_lock
    _state_lock = threading.Lock()
    pool, _current = _current, None
    for worker in pool.live if pool is not None else ():
        mp_process._children.discard(worker.process)
        worker.conn.close()
    server = mp_forkserver._forkserver
    if getattr(server, "_forkserver_pid", None) is not None:
        os.close(server._forkserver_alive_fd)  # let the parent's server exit with the parent
        server._forkserver_pid = server._forkserver_alive_fd = None
        server._forkserver_address = None


atexit.register(shutdown)
os.register_at_fork(after_in_child=_forget_after_fork)
