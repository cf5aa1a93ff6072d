"""The baseline: a bare Flask app with no database, no sign-in and no CSRF.

It answers the same path as the app's answer endpoint: it parses the JSON body
of a push and returns a reply the size of the real one. Served by the same
gunicorn settings and hit by the same client, it says what the server, the
client and this machine can do at all; `make load` compares the app with it.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from flask import Flask, jsonify, request

app = Flask(__name__)


@app.post("/api/v1/sync/push")
def push():
    body = json.loads(request.get_data())
    results = [{"id": event.get("id"), "status": "accepted", "seq": n, "error": None}
               for n, event in enumerate(body.get("events", []), start=1)]  # fmt: skip
    return jsonify({"results": results, "server_time": datetime.now(UTC).isoformat()})


@app.get("/healthz")
def healthz():
    return {"status": "ok"}
