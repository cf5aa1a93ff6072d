"""`make load`: the real server under 200 simulated learners, then an exactly-once check.

Modules, each named for what it is:

- `server`    starts gunicorn on loopback (the app, or the bare baseline) and stops it
- `wsgi_app`  the app with load-test settings (LOAD TESTS AND FAULT DRILLS ONLY)
- `bare_app`  a bare Flask app: the baseline for the answer endpoint
- `client`    a small keep-alive HTTP client with cookies and a retrying push
- `learner`   one simulated learner: sign in, queue, problem, answer, sync, progress
- `stats`     latencies and statuses per endpoint, percentiles, the printed table
- `database`  a throwaway database with accounts, and the exactly-once check after
- `run`       one run on one database; `__main__` runs SQLite and PostgreSQL
"""
