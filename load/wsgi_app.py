"""LOAD TESTS AND FAULT DRILLS ONLY: the app with the settings a drill needs.

`gunicorn load.wsgi_app:app` with `QUIZENGINE_LOAD_CONFIG` holding a JSON object
of Flask settings (given to `create_app`, so above the defaults and QUIZENGINE_*
variables). Two keys are for drills and are not Flask settings:

- `LOAD_FAST_PASSWORD_HASH`: Argon2id at its cheapest parameters, so that 200
  learners sign in within seconds on two cores (a default-cost verify takes
  about 0.4 s here). Sign-in is not what a load run measures
  (benchmarks/bench_signin.py does). Never set this on a real server.
- `LOAD_HOLD_PUSH_SECONDS`: after a push has been stored and committed, wait this
  long before answering, so a drill can kill a worker between the commit and
  the answer (the case where a client must retry something already stored).
"""

from __future__ import annotations

import json
import os
import time

from flask import Flask, request

from quizengine import accounts, create_app

FAST_HASH = {"time_cost": 1, "memory_cost": 8, "parallelism": 1}
PUSH_PATH = "/api/v1/sync/push"


def fast_password_hasher():
    """The cheapest Argon2id: hashes stay valid, and `check_needs_rehash` stays quiet."""
    from argon2 import PasswordHasher

    return PasswordHasher(**FAST_HASH)


def build(config: dict) -> Flask:
    """Create the app from `config`, applying the drill-only keys first."""
    config = dict(config)
    if config.pop("LOAD_FAST_PASSWORD_HASH", False):
        accounts.password_hasher = fast_password_hasher()
    hold = float(config.pop("LOAD_HOLD_PUSH_SECONDS", 0) or 0)
    application = create_app(config)
    if hold > 0:

        @application.after_request
        def _hold_stored_push(response):
            if request.path == PUSH_PATH and response.status_code == 200:
                time.sleep(hold)
            return response

    return application


app = build(json.loads(os.environ.get("QUIZENGINE_LOAD_CONFIG", "{}")))
