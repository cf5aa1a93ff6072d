"""A web worker loads the question bank and freezes its start-up heap before serving."""

from __future__ import annotations

import json
import runpy
import subprocess
import sys
import threading
from pathlib import Path
from types import SimpleNamespace

from flask import Flask

from quizengine import grading, warm_start

ROOT = Path(__file__).resolve().parents[2]

# A fresh interpreter: this test process has long since imported every family.
PROBE = """
import gc, json, sys
from quizengine import warm_start
def families():
    return sorted(name.rpartition(".")[2] for name in sys.modules
                  if name.startswith("question_bank.families."))
before = {"families": families(), "walked": len(gc.get_objects())}
warm_start.prepare_worker()
after = {"families": families(), "walked": len(gc.get_objects()),
         "frozen": gc.get_freeze_count()}
print(json.dumps({"before": before, "after": after}))
"""


def test_prepare_worker_imports_every_family_and_leaves_the_collector_little_to_walk():
    done = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True,
                          text=True, timeout=120, check=True)  # fmt: skip
    found = json.loads(done.stdout)
    from question_bank import catalog

    assert found["before"]["families"] == []
    assert {t.id for t in catalog()} <= set(found["after"]["families"])
    # A full collection walks the objects `gc.get_objects()` lists; freezing hides the
    # start-up heap (sympy, SQLAlchemy, the families) from it.
    assert found["after"]["frozen"] > found["before"]["walked"]
    assert found["after"]["walked"] < found["before"]["walked"] / 10


def _hook():
    return runpy.run_path(str(ROOT / "gunicorn.conf.py"))["post_worker_init"]


def test_gunicorn_prepares_a_quizengine_worker_before_it_serves(app, monkeypatch):
    calls = []
    monkeypatch.setattr(warm_start, "prepare_worker", lambda: calls.append("prepare"))
    monkeypatch.setattr(grading, "warm_up", lambda: calls.append("grading"))
    _hook()(SimpleNamespace(wsgi=app))
    assert calls[0] == "prepare"  # before the hook returns, so before any request
    # The grading child starts in the background; wait, so the patch is still in place.
    for thread in threading.enumerate():
        if thread.name == "grading-warm-up":
            thread.join(10)
    assert calls == ["prepare", "grading"]


def test_gunicorn_leaves_another_app_alone(monkeypatch):
    calls = []
    monkeypatch.setattr(warm_start, "prepare_worker", lambda: calls.append("prepare"))
    _hook()(SimpleNamespace(wsgi=Flask("load.bare_app")))
    assert calls == []
