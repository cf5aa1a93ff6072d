"""Gunicorn settings: its default config file, read by `make run` and any gunicorn started here.

Command-line flags (bind, workers) still win; this file only adds hooks.
"""

import threading


def post_worker_init(worker) -> None:
    """Start the worker's grading process in the background, so the first answer after a
    (re)start does not wait for it (quizengine/grading.py)."""
    from quizengine import grading

    app = worker.wsgi
    if getattr(app, "import_name", None) != "quizengine":
        return  # another app served from here (the load test's bare-Flask baseline)

    def warm() -> None:
        with app.app_context():
            grading.warm_up()

    threading.Thread(target=warm, name="grading-warm-up", daemon=True).start()
