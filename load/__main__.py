"""`make load` (python -m load): SQLite, then PostgreSQL; one table each; PASS or FAIL.

python -m load                          # both databases, 200 learners, 30 s mixed phase
python -m load --databases sqlite --learners 50 --seconds 10   # a quick look

Writes load/results.json (ignored by git). Exits non-zero when a target is missed:
no 5xx, no request without an answer, no lost or duplicated event, and on SQLite
the answer endpoint at >= 50% of the bare Flask app's requests per second.

A second baseline, bare Flask doing the same work (grading, storing in SQLite; see
load/bare_same_work_app.py), is measured in the same slices and reported beside it:
a diagnostic, never a target, it does not change PASS, FAIL or the exit code.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from devtools.postgres import Cluster, binaries
from quizengine.config import defaults

from .comparison import ANSWER
from .learner import build_pool
from .run import LoadRun, Options
from .server import Server, Settings
from .stats import format_table

RESULTS = Path(__file__).resolve().parent / "results.json"
MIN_RATIO_SQLITE = 0.5
BASELINES = ("bare", "same-work")  # their exchanges are measured, never targets


def parse(argv: list[str]) -> tuple[argparse.Namespace, Options]:
    parser = argparse.ArgumentParser(prog="python -m load", description=__doc__.split("\n")[0])
    defaults = Options()
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--learners", type=int, default=defaults.learners)
    parser.add_argument("--seconds", type=float, default=defaults.mixed_seconds)
    parser.add_argument("--think", type=float, default=defaults.think)
    parser.add_argument("--connections", type=int, default=defaults.answer_connections)
    parser.add_argument("--slice", type=float, default=defaults.answer_slice)
    parser.add_argument("--workers", type=int, default=defaults.settings.workers)
    parser.add_argument("--threads", type=int, default=defaults.settings.threads)
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--set", action="append", default=[], metavar="KEY=JSON",
                        help="an extra Flask setting for the app server, to experiment "
                        "(e.g. --set GRADING_WORKERS=2)")  # fmt: skip
    args = parser.parse_args(argv)
    settings = replace(Settings(), workers=args.workers, threads=args.threads)
    options = replace(defaults, learners=args.learners, mixed_seconds=args.seconds,
                      think=args.think, answer_connections=args.connections,
                      answer_slice=args.slice, settings=settings,
                      app_settings=dict(_setting(text) for text in args.set))  # fmt: skip
    return args, options


def _setting(text: str) -> tuple[str, object]:
    key, _, value = text.partition("=")
    try:
        return key, json.loads(value)
    except ValueError:
        return key, value


def targets(result: dict) -> list[tuple[str, bool, str]]:
    """Each target of the issue: (name, met, what was measured)."""
    rows = [row for name, recorder in result["_recorders"].items() if name not in BASELINES
            for row in recorder.summary()]  # fmt: skip
    server_errors = sum(r.server_errors for r in rows)
    transport = sum(r.transport_errors for r in rows)
    unexpected = sum(r.other_errors for r in rows)
    check = result["check"]
    found = [
        ("zero 5xx", server_errors == 0, f"{server_errors} answers 5xx"),
        ("every request answered", transport == 0, f"{transport} without an answer"),
        ("no unexpected 4xx", unexpected == 0, f"{unexpected} unexpected 4xx"),
        ("every event stored exactly once", check["ok"],
         f"sent {check['sent']}, stored {check['stored']}, lost {check['lost_count']}, "
         f"never stored {check['never_stored_count']}, duplicated {check['duplicated_count']}, "
         f"unexpected {check['unexpected_count']}, seq gaps {check['seq_gaps_count']}, "
         f"ungraded {check['ungraded_count']}"),
        ("no event rejected", not result["rejected_events"],
         f"{len(result['rejected_events'])} conflict/invalid"),
    ]  # fmt: skip
    ratio = result["answer_endpoint"]["ratio"]
    if result["database"] == "sqlite":
        found.append((f"answer endpoint >= {MIN_RATIO_SQLITE:.0%} of bare Flask",
                      ratio >= MIN_RATIO_SQLITE, f"ratio {ratio:.2f}"))  # fmt: skip
    return found


def report(result: dict) -> str:
    recorders = result["_recorders"]
    answer = result["answer_endpoint"]
    mixed = recorders["mixed"]
    cost, load = result["mixed_cost"], result["machine_load_average"]
    title = (f"== {result['database']}: {result['learners']} learners, mixed phase, "
             f"{mixed.seconds:.0f} s, {result['settings']}")  # fmt: skip
    app = replace(recorders["app"].endpoint(ANSWER), endpoint=f"app {ANSWER}",
                  rps=answer["app_rps"])  # fmt: skip
    bare = replace(recorders["bare"].endpoint(ANSWER), endpoint=f"bare Flask {ANSWER}",
                   rps=answer["bare_rps"])  # fmt: skip
    same = replace(recorders["same-work"].endpoint(ANSWER), rps=answer["same_work_rps"],
                   endpoint=f"same-work bare Flask {ANSWER}")  # fmt: skip
    diagnostic = answer["same_work"]
    lines = [
        "",
        format_table(mixed.summary(), title),
        "",
        format_table(
            [app, bare, same],
            f"== {result['database']}: the answer endpoint, closed loop, "
            "app, bare Flask and same-work bare Flask (SQLite) in alternating slices",
            total=False,
        ),  # fmt: skip
        f"answer endpoint: app {answer['app_rps']:.1f} rps / bare Flask {answer['bare_rps']:.1f} "
        f"rps = {answer['ratio']:.2f}",
        f"server CPU per request: app {answer['app']['server_cpu_ms']:.1f} ms, bare Flask "
        f"{answer['bare']['server_cpu_ms']:.2f} ms (ratio {answer['cpu_ratio']:.2f}); client CPU "
        f"per request: {answer['app']['client_cpu_ms']:.2f} ms and "
        f"{answer['bare']['client_cpu_ms']:.2f} ms",
        f"diagnostic, not a target: same-work bare Flask (grades in-process, stores with "
        f"sqlite3 on SQLite in every run): {answer['same_work_rps']:.1f} rps "
        f"({answer['same_work_share_of_bare']:.2f} of bare Flask); app/same-work ratio "
        f"{answer['same_work_ratio']:.2f}; its server CPU per request "
        f"{diagnostic['server_cpu_ms']:.2f} ms (predicts {answer['same_work_cpu_ratio']:.2f}), "
        f"{diagnostic['server_errors']} answers 5xx",
        f"mixed phase: server CPU {cost['server_cpu_seconds']:.1f} s, this client "
        f"{cost['client_cpu_seconds']:.1f} s, in {cost['seconds']:.0f} s on {_cpus()} CPUs; "
        f"load average before {load['before'][0]:.1f}, after {load['after'][0]:.1f} "
        "(other processes share this machine)",
        f"pushes sent twice on purpose, answered all-duplicate: "
        f"{result['resent_pushes_answered_duplicate']}; learner errors: "
        f"{result['learner_error_count']}; tracebacks in the server log: "
        f"{result['tracebacks_in_server_log']}",
        "",
    ]
    for name, met, measured in targets(result):
        lines.append(f"{'PASS' if met else 'FAIL'}  [{result['database']}] {name}: {measured}")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    args, options = parse(argv)
    wanted = [name.strip() for name in args.databases.split(",") if name.strip()]
    started = time.monotonic()
    print("building the answer pool (question bank) ...", flush=True)
    pool = build_pool()
    results, failed, skipped = [], False, []
    with Server("load.bare_app:app", options.settings) as bare:
        for database in wanted:
            folder = Path(tempfile.mkdtemp(prefix=f"qe-load-{database}-"))
            cluster = None
            try:
                if database == "sqlite":
                    url = f"sqlite:///{folder / 'load.sqlite3'}"
                elif database == "postgres":
                    bin_dir = binaries()
                    if bin_dir is None:
                        message = ("!!! POSTGRESQL SKIPPED: no PostgreSQL binaries "
                                   "(apt-get install postgresql) !!!")  # fmt: skip
                        print(message, flush=True)
                        skipped.append(message)
                        continue
                    cluster = Cluster(bin_dir).start()
                    url = cluster.create_database()
                else:
                    raise SystemExit(f"unknown database {database!r}")
                same_work = Server("load.bare_same_work_app:app", options.settings,
                                   config=same_work_config(folder, options))  # fmt: skip
                with same_work:
                    run = LoadRun(database, url, folder / "instance", pool, bare, same_work,
                                  options, say=lambda text: print(text, flush=True))  # fmt: skip
                    result = run.run()
            finally:
                if cluster is not None:
                    cluster.remove()
                shutil.rmtree(folder, ignore_errors=True)
            print(report(result), flush=True)
            failed |= not all(met for _, met, _ in targets(result))
            results.append(result)
    document = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"python": platform.python_version(), "cpus": _cpus()},
        "seconds": round(time.monotonic() - started, 1),
        "skipped": skipped,
        "passed": not failed,
        "runs": [{k: v for k, v in r.items() if not k.startswith("_")} | {
            "targets": [{"target": n, "met": m, "measured": s} for n, m, s in targets(r)]}
            for r in results],
    }  # fmt: skip
    args.out.write_text(json.dumps(document, indent=2) + "\n")
    verdict = "FAIL" if failed else "PASS"
    print(f"\n{verdict}: make load, {len(results)} database(s) in {document['seconds']:.0f} s; "
          f"results in {args.out}", flush=True)  # fmt: skip
    return 1 if failed else 0


def same_work_config(folder: Path, options: Options) -> dict:
    """The same-work baseline's settings: a fresh SQLite file in the run's folder, and the
    busy timeout the app runs with."""
    key = "SQLITE_BUSY_TIMEOUT_MS"
    busy = options.app_settings.get(key, defaults(folder)[key])
    return {"DATABASE": str(folder / "same-work.sqlite3"), key: busy}


def _cpus() -> int:
    return len(os.sched_getaffinity(0))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
