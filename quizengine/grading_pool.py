"""The processes that grade learner text: a pool of forkserver children per web process.

A request is `(target, args)`: the dotted name of a module-level function the
child runs (`quizengine.grading` names its own). The limit counts from handing
the request to a ready child until its reply; a child that overruns is killed
(SIGKILL) and replaced. Children fork from a forkserver that has already
imported the grader: plain fork is unsafe in a multi-threaded server.
"""

from __future__ import annotations

import atexit
import gc
import importlib
import multiprocessing
import os
import queue
import signal
import threading
import traceback
from collections.abc import Callable
from multiprocessing import forkserver as mp_forkserver
from multiprocessing import process as mp_process
from multiprocessing import resource_tracker as mp_resource_tracker
from multiprocessing.connection import Connection
from typing import Any

from question_bank.registry import catalog

START_TIMEOUT = 60.0  # a fresh child imports nothing (the forkserver did) and warms up
READY = "ready"
WARM_UP = ("quizengine.grading:grade_inline", ("gradient", 0, 1, "0"))


class Overrun(Exception):
    """The child overran its limit or died while working; it has been replaced."""


class NoTimeLeft(Exception):
    """No grading child came free before the caller's deadline."""


class _Gone(Overrun):
    """The child was dead before it got the request: not the answer's doing."""


def resolve(target: str) -> Callable[..., Any]:
    module, _, name = target.partition(":")
    return getattr(importlib.import_module(module), name)


def _serve(conn: Connection) -> None:
    """Answer requests until the parent closes the pipe or dies."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # ^C in a terminal is the server's to handle
    threading.Thread(target=_exit_with_parent, daemon=True).start()
    target, args = WARM_UP
    resolve(target)(*args)  # warm sympy's caches before the clock starts
    # Everything imported so far lives as long as the child: keep it out of the garbage
    # collector's full passes, which otherwise cost about 0.1 s on one early answer.
    gc.collect()
    gc.freeze()
    conn.send(READY)
    while True:
        try:
            number, target, args = conn.recv()
        except (EOFError, OSError):
            return
        try:
            reply: tuple[int, str, Any] = (number, "ok", resolve(target)(*args))
        except Exception as error:  # the parent raises it again, as inline would
            error.add_note("in the grading worker:\n" + traceback.format_exc())
            reply = (number, "raise", error)
        try:
            conn.send(reply)
        except Exception as error:  # a result or exception that does not pickle
            failure = RuntimeError(f"grading worker could not reply: {error!r}")
            conn.send((number, "raise", failure))


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
        self.requests = 0
        try:
            ready = self.conn.poll(START_TIMEOUT) and self.conn.recv() == READY
        except (EOFError, OSError):
            ready = False
        if not ready:
            self.stop()
            raise RuntimeError(f"a grading worker did not start within {START_TIMEOUT} s")

    def call(self, request: tuple, limit: float) -> tuple[str, Any]:
        """Send one request and wait at most `limit` seconds for its reply.

        Requests are numbered and the child echoes the number: a reply that is not
        this request's is never taken for it (the caller then retires this child).
        """
        if not self.process.is_alive():
            raise _Gone
        self.requests += 1
        try:
            self.conn.send((self.requests, *request))
        except OSError:
            raise _Gone from None
        try:
            if not self.conn.poll(limit):
                raise Overrun("overran")
            number, status, value = self.conn.recv()
        except (EOFError, OSError):
            raise Overrun("died") from None
        if number != self.requests:
            raise Overrun(f"answered request {number} for {self.requests}")
        return status, value

    def stop(self) -> None:
        """Kill the child (it may be mid-answer) and reap it; stopping twice is harmless."""
        if self.conn.closed:
            return
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

    def run(self, request: tuple, limit: float, wait: float | None = None) -> tuple[str, Any]:
        """Run one request on a free child (waiting at most `wait` seconds for one),
        replacing it if it overruns or died."""
        try:
            # LIFO: the most recently used child, so the others stay unstarted.
            worker = self.slots.get(timeout=None if wait is None else max(wait, 0.0))
        except queue.Empty:
            raise NoTimeLeft from None
        answered = False
        try:
            if worker is not None:
                try:
                    reply = worker.call(request, limit)
                    answered = True
                    return reply
                except _Gone:  # died while idle: the answer is not to blame, so try a fresh one
                    self._retire(worker)
                    worker = None
            worker = self._start()
            reply = worker.call(request, limit)
            answered = True
            return reply
        finally:
            # Interrupted mid-call (an overrun, or anything reaching this thread), a child
            # may still owe a reply: it must never be handed to the next caller.
            if not answered and worker is not None:
                self._retire(worker)
                worker = None
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


def pool(size: int) -> _Pool:
    """Return this process's pool, allowing it `size` children."""
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
    # A thread of the parent may have held these mid-start at the fork (starting a child
    # takes both); nobody here would ever release them.
    server._lock = threading.Lock()
    mp_resource_tracker._resource_tracker._lock = threading.RLock()
    if getattr(server, "_forkserver_pid", None) is not None:
        os.close(server._forkserver_alive_fd)  # let the parent's server exit with the parent
        server._forkserver_pid = server._forkserver_alive_fd = None
        server._forkserver_address = None


atexit.register(shutdown)
os.register_at_fork(after_in_child=_forget_after_fork)
