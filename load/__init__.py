"""`make load`: the real server under 200 simulated learners, then an exactly-once check.

Modules, each named for what it is:

- `server`    starts gunicorn on loopback (the app, or a baseline) and stops it
- `wsgi_app`  the app with load-test settings (LOAD TESTS AND FAULT DRILLS ONLY)
- `bare_app`  a bare Flask app: the baseline for the answer endpoint (the target)
- `bare_same_work_app`  bare Flask grading and storing each attempt: a diagnostic baseline
- `client`    a small keep-alive HTTP client with cookies and a retrying push
- `learner`   one simulated learner: sign in, queue, problem, answer, sync, progress
- `stats`     latencies and statuses per endpoint, percentiles, the printed table
- `database`  a throwaway database with accounts, and the exactly-once check after
- `comparison`  the answer endpoint, closed loop, against both baselines in turn
- `run`       one run on one database; `__main__` runs SQLite and PostgreSQL
"""
