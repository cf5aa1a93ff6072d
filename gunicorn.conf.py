"""Gunicorn settings: its default config file, read by `make run` and any gunicorn started here.

Command-line flags (bind, workers) still win; this file only adds hooks.
"""

import threading

# gunicorn's default access line plus the request id the app sends back (X-Request-ID),
# so an access line can be matched with the app's log lines for the same request.
access_log_format = (
    '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %({x-request-id}o)s'
)


def post_worker_init(worker) -> None:
    """Load the question bank and freeze the start-up heap (quizengine/warm_start.py), then
    start the worker's grading process in the background, so the first answer after a
    (re)start waits for neither (quizengine/grading.py)."""
    from quizengine import grading, warm_start

    app = worker.wsgi
    if getattr(app, "import_name", None) != "quizengine":
        return  # another app served from here (the load test's bare-Flask baseline)
    warm_start.prepare_worker()

    def warm() -> None:
        with app.app_context():
            grading.warm_up()

    threading.Thread(target=warm, name="grading-warm-up", daemon=True).start()
