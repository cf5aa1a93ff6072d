"""Tokens in links and cookies.

Two kinds. A *signed* token carries its own data and issue time, signed with
the app's secret key (so any server sharing the key can check it, and the
database stores nothing); it is made single-use by binding it to a
fingerprint of something the use changes (the password hash, the email).
A *random* token is stored only as its SHA-256, so a copy of the database
holds no usable link.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from itsdangerous import BadData, URLSafeSerializer


@dataclass
class LinkError(Exception):
    """A link that is unknown, expired or already used; `message` says what to do next."""

    message: str

    def __str__(self) -> str:
        return self.message


# A clock a little ahead of ours still counts; anything later is forged or broken.
CLOCK_SKEW = timedelta(minutes=5)


def _serializer(purpose: str) -> URLSafeSerializer:
    # Like Flask's session: old keys in SECRET_KEY_FALLBACKS still verify, the newest signs.
    keys = [*(current_app.config.get("SECRET_KEY_FALLBACKS") or []), current_app.secret_key]
    return URLSafeSerializer(keys, salt=f"quizengine.{purpose}")


def sign(purpose: str, data: dict[str, Any], now: datetime) -> str:
    """Return a URL-safe token holding `data`, for `purpose` only, issued at `now`."""
    return _serializer(purpose).dumps({**data, "iat": int(now.timestamp())})


def unsign(purpose: str, token: str, *, max_age: timedelta, now: datetime) -> dict[str, Any] | None:
    """Return the data of a genuine token for `purpose` not older than `max_age`, else None."""
    try:
        data = _serializer(purpose).loads(token)
    except BadData:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("iat"), int):
        return None
    issued = data.pop("iat")
    age = now.timestamp() - issued
    if age > max_age.total_seconds() or age < -CLOCK_SKEW.total_seconds():
        return None
    return data


def random_token() -> str:
    """Return 256 random bits, URL-safe."""
    return secrets.token_urlsafe(32)


def digest(value: str) -> str:
    """Return the SHA-256 of `value` in hex: what is stored for a random token.

    >>> len(digest("x")), digest("x") == digest("x")
    (64, True)
    """
    return hashlib.sha256(value.encode()).hexdigest()


def fingerprint(value: str) -> str:
    """Return a short digest that changes when `value` does (bound into signed tokens)."""
    return digest(value)[:32]
