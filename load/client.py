"""A small HTTP/1.1 client for load runs and fault drills, and a push that retries.

`HttpClient` keeps one keep-alive connection and the cookies of one browser, and
records every exchange in a `stats.Recorder`. `push_with_retry` sends the same
events, under the same ids, until the server answers 200: retrying is safe only
because the server stores an event once per (owner, id).
"""

from __future__ import annotations

import http.client
import json
import random
import select
import time
import urllib.parse
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from typing import Any

from .stats import Recorder

# The failures after which a request never got an HTTP answer.
TRANSPORT_ERRORS = (OSError, http.client.HTTPException)


class TransportError(Exception):
    """No HTTP answer came back: refused, reset, closed or timed out."""


@dataclass
class Response:
    status: int
    headers: dict[str, str]  # lower-case names
    body: bytes
    seconds: float

    def json(self) -> Any:
        return json.loads(self.body)


class HttpClient:
    """One browser: a keep-alive connection to `base_url` and its cookies."""

    def __init__(self, base_url: str, recorder: Recorder | None = None, timeout: float = 30.0):
        parts = urllib.parse.urlsplit(base_url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.recorder = recorder
        self.timeout = timeout
        self.cookies: dict[str, str] = {}
        self._connection: http.client.HTTPConnection | None = None

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def get(self, path: str, **options) -> Response:
        return self.request("GET", path, **options)

    def post(self, path: str, **options) -> Response:
        return self.request("POST", path, **options)

    def request(
        self,
        method: str,
        path: str,
        *,
        name: str | None = None,
        json_body: Any = None,
        body: bytes | None = None,
        form: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
        expect: tuple[int, ...] = (200,),
    ) -> Response:
        """Send one request and read the whole answer; raise `TransportError` if none came.

        `name` is the endpoint as the statistics show it (default: the path without
        its query); an answer whose status is not in `expect` counts as unexpected.
        """
        sent_headers = dict(headers or {})
        if json_body is not None:
            body = json.dumps(json_body, separators=(",", ":")).encode()
            sent_headers["Content-Type"] = "application/json"
        elif form is not None:
            body = urllib.parse.urlencode(form).encode()
            sent_headers["Content-Type"] = "application/x-www-form-urlencoded"
        if self.cookies:
            sent_headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        name = name or f"{method} {path.split('?')[0]}"
        started = time.perf_counter()
        try:
            response = self._exchange(method, path, body, sent_headers)
        except TransportError:
            if self.recorder is not None:
                self.recorder.record(name, None, time.perf_counter() - started)
            raise
        if self.recorder is not None:
            ok = response.status in expect or response.status < 400
            self.recorder.record(name, response.status, response.seconds, expected=ok)
            if response.status >= 500:
                self.recorder.sample(name, response.status, response.body)
        return response

    def _exchange(self, method, path, body, headers) -> Response:
        reused = self._connection is not None
        try:
            return self._exchange_once(method, path, body, headers)
        except TransportError:
            # The server may close an idle kept-alive connection just as a request is
            # sent on it; like browsers, send a safe request again on a fresh one.
            if not (reused and method in ("GET", "HEAD")):
                raise
            return self._exchange_once(method, path, body, headers)

    def _exchange_once(self, method, path, body, headers) -> Response:
        if self._connection is not None and self._closed_by_server():
            self.close()
        if self._connection is None:
            self._connection = http.client.HTTPConnection(
                self.host, self.port, timeout=self.timeout
            )
        started = time.perf_counter()
        try:
            self._connection.request(method, path, body=body, headers=headers)
            raw = self._connection.getresponse()
            data = raw.read()
        except TRANSPORT_ERRORS as error:
            self.close()
            raise TransportError(f"{type(error).__name__}: {error}") from error
        seconds = time.perf_counter() - started
        self._keep_cookies(raw.msg.get_all("Set-Cookie") or [])
        if raw.will_close:
            self.close()
        names = {k.lower(): v for k, v in raw.getheaders()}
        return Response(raw.status, names, data, seconds)

    def _closed_by_server(self) -> bool:
        """True when the server already closed this idle kept-alive connection."""
        sock = self._connection.sock
        if sock is None:
            return True
        try:
            readable, _, _ = select.select([sock], [], [], 0)
        except (OSError, ValueError):
            return True
        return bool(readable)  # an idle connection has nothing to read unless it was closed

    def _keep_cookies(self, headers: list[str]) -> None:
        for header in headers:
            jar = SimpleCookie()
            jar.load(header)
            for key, morsel in jar.items():
                if morsel["max-age"] == "0" or "1970" in morsel["expires"]:
                    self.cookies.pop(key, None)
                else:
                    self.cookies[key] = morsel.value


def csrf_token(client: HttpClient) -> str:
    """Fetch a fresh CSRF token for this client's session (CONTRACT: GET /api/v1/csrf)."""
    response = client.get("/api/v1/csrf")
    if response.status != 200:
        raise RuntimeError(f"GET /api/v1/csrf answered {response.status}")
    return response.json()["csrf_token"]


def sign_in(client: HttpClient, email: str, password: str) -> None:
    """Sign in through the real form (POST /login), with a token from the API."""
    token = csrf_token(client)
    form = {"email": email, "password": password, "csrf_token": token}
    response = client.post("/login", form=form, expect=(302,))
    if response.status != 302:
        raise RuntimeError(f"sign-in of {email} answered {response.status}")


@dataclass
class Failure:
    """One answer (or the lack of one) before a push finally succeeded."""

    status: int | None  # None: no HTTP answer
    retry_after: str | None = None
    body: bytes = b""
    content_type: str = ""
    error: str | None = None

    def envelope(self) -> dict | None:
        """The JSON error envelope, if the answer carried one."""
        if not self.content_type.startswith("application/json"):
            return None
        try:
            data = json.loads(self.body)
        except ValueError:
            return None
        error = data.get("error") if isinstance(data, dict) else None
        return error if isinstance(error, dict) else None


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with jitter; the server's Retry-After wins when it is longer."""

    first_delay: float = 0.1
    max_delay: float = 2.0
    deadline: float = 60.0

    def delay(self, tries: int, retry_after: str | None, rng: random.Random) -> float:
        backoff = min(self.max_delay, self.first_delay * 2 ** (tries - 1))
        backoff *= 0.5 + rng.random() / 2
        try:
            return max(backoff, float(retry_after)) if retry_after else backoff
        except ValueError:
            return backoff


@dataclass
class PushOutcome:
    response: Response
    tries: int
    failures: list[Failure] = field(default_factory=list)

    @property
    def results(self) -> list[dict]:
        return self.response.json()["results"]


class GaveUp(Exception):
    """The server did not take the push before the deadline."""

    def __init__(self, failures: list[Failure]):
        last = failures[-1] if failures else None
        super().__init__(f"gave up after {len(failures)} failures; last: {last}")
        self.failures = failures


def push_with_retry(
    client: HttpClient,
    device_id: str,
    events: list[dict],
    token: str,
    *,
    policy: RetryPolicy = RetryPolicy(),  # noqa: B008 (frozen)
    rng: random.Random | None = None,
    name: str = "POST /api/v1/sync/push",
) -> PushOutcome:
    """Push `events` until the server answers 200; the same ids every time.

    Retries after no answer, a 5xx (503 with Retry-After: after that long) or a 429.
    A 400 about the CSRF token fetches a fresh token first. Other 4xx raise at once.
    """
    rng = rng or random.Random()
    body = {"device_id": device_id, "events": events}
    failures: list[Failure] = []
    deadline = time.monotonic() + policy.deadline
    tries = 0
    while True:
        tries += 1
        try:
            response = client.post(
                "/api/v1/sync/push", name=name, json_body=body, headers={"X-CSRFToken": token}
            )
        except TransportError as error:
            failures.append(Failure(None, error=str(error)))
            retry_after = None
        else:
            if response.status == 200:
                return PushOutcome(response, tries, failures)
            failure = Failure(response.status, response.headers.get("retry-after"),
                              response.body, response.headers.get("content-type", ""))  # fmt: skip
            failures.append(failure)
            code = (failure.envelope() or {}).get("code")
            if response.status == 400 and code == "csrf":
                token = csrf_token(client)
            elif response.status < 500 and response.status != 429:
                raise GaveUp(failures)
            retry_after = failure.retry_after
        if client.recorder is not None:
            client.recorder.note("push retries")
        pause = policy.delay(tries, retry_after, rng)
        if time.monotonic() + pause > deadline:
            raise GaveUp(failures)
        time.sleep(pause)
