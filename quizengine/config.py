"""Configuration: defaults, then `QUIZENGINE_*` environment variables, then the mapping given.

The instance folder holds what a single machine keeps between runs: the SQLite
database and a secret key generated once with owner-only permissions.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

SECRET_KEY_FILE = "secret_key"

# Environment variable (without the QUIZENGINE_ prefix) -> Flask config key.
ENVIRONMENT_KEYS = {
    "DATABASE_URL": "SQLALCHEMY_DATABASE_URI",
    "SECRET_KEY": "SECRET_KEY",
    "RATELIMIT_STORAGE_URI": "RATELIMIT_STORAGE_URI",
    "SESSION_COOKIE_SECURE": "SESSION_COOKIE_SECURE",
    "PROXY_FIX": "PROXY_FIX",
    "BASE_URL": "BASE_URL",
    "MAIL_URL": "MAIL_URL",
    "MAIL_FROM": "MAIL_FROM",
    # Grading in worker processes (quizengine/grading.py reads and checks these).
    "GRADING_ISOLATION": "GRADING_ISOLATION",
    "GRADING_TIME_LIMIT": "GRADING_TIME_LIMIT",
    "GRADING_PUSH_TIME_LIMIT": "GRADING_PUSH_TIME_LIMIT",
    "GRADING_WORKERS": "GRADING_WORKERS",
}
BOOLEAN_KEYS = {"SESSION_COOKIE_SECURE"}
INTEGER_KEYS = {"PROXY_FIX"}


def defaults(instance_path: Path) -> dict[str, Any]:
    """Return the settings used when nothing else is said."""
    return {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{instance_path / 'quizengine.sqlite3'}",
        # A connection the database dropped (a restart) is noticed and replaced, not used.
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": False,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_DURATION": 60 * 60 * 24 * 30,
        # REMEMBER_COOKIE_SECURE follows SESSION_COOKIE_SECURE unless set (create_app).
        # How many reverse proxies to trust for X-Forwarded-For/-Proto (0: none).
        "PROXY_FIX": 0,
        # Origin for links in emails (https://quiz.example.org). None: the request's host,
        # but only a loopback one (localhost, 127.0.0.1, [::1]); others get no mail.
        "BASE_URL": None,
        "MAIL_URL": "log://",
        "MAIL_FROM": "Quizengine <quizengine@localhost>",
        # Password changes and email changes need a sign-in with the password this recent.
        "FRESH_LOGIN_SECONDS": 15 * 60,
        "SIGNUP_LINK_SECONDS": 24 * 60 * 60,
        "RESET_LINK_SECONDS": 60 * 60,
        "EMAIL_CHANGE_LINK_SECONDS": 24 * 60 * 60,
        "DEVICE_COOKIE_NAME": "quizengine_device",
        "DEVICE_COOKIE_SECONDS": 180 * 24 * 60 * 60,
        "WTF_CSRF_TIME_LIMIT": None,  # tokens live as long as the session
        "RATELIMIT_STORAGE_URI": "memory://",
        "RATELIMIT_HEADERS_ENABLED": True,
        "PREVIEW_RATE_LIMIT": "120 per minute",  # per account (per IP when signed out)
        "LOGIN_RATE_LIMIT": "10 per minute",  # every POST to a sign-in form, per IP
        # Sign-in attempts, counted before the password is checked (a success stays
        # counted): per (address, IP); per address from browsers it does not know;
        # per known-device cookie (which is exempt from the first two).
        "SIGNIN_FAILURES_PER_ADDRESS_AND_IP": "5 per 15 minutes",
        "SIGNIN_FAILURES_PER_ADDRESS": "20 per hour",
        "SIGNIN_FAILURES_PER_DEVICE": "10 per 15 minutes",
        # Account mails (sign-up, reset, email-change link); more are dropped silently.
        # Per (address, requesting IP), so a stranger cannot spend the owner's allowance,
        # and a generous ceiling per address against mail-bombing from many IPs.
        # Security notices (password or email changed) are never dropped.
        "MAILS_PER_ADDRESS_AND_IP": "3 per hour",
        "MAILS_PER_ADDRESS": "20 per hour",
        # The owner's known browsers count apart: per browser, and all of them together.
        "MAILS_PER_DEVICE": "3 per hour",
        "MAILS_PER_ADDRESS_FROM_KNOWN_DEVICES": "10 per hour",
        # Passwords tried on one sign-up link before the pending sign-up is void.
        "SIGNUP_CONFIRM_ATTEMPTS": "5 per day",
        "SQLITE_BUSY_TIMEOUT_MS": 5000,
        "MAX_CONTENT_LENGTH": 1024 * 1024,
    }


def from_environment(environ: Mapping[str, str]) -> dict[str, Any]:
    """Read the `QUIZENGINE_*` variables that are set."""
    found: dict[str, Any] = {}
    for name, key in ENVIRONMENT_KEYS.items():
        value = environ.get(f"QUIZENGINE_{name}")
        if value is None or value == "":
            continue
        if key in BOOLEAN_KEYS:
            found[key] = value.strip().lower() in {"1", "true", "yes", "on"}
        elif key in INTEGER_KEYS:
            if not value.strip().isdigit():
                raise ValueError(f"QUIZENGINE_{name} must be a whole number, not {value!r}")
            found[key] = int(value)
        else:
            found[key] = value
    return found


def load_or_create_secret_key(instance_path: Path) -> str:
    """Return the instance's secret key, creating it once (0600) if absent.

    Several gunicorn workers may start at once: the key is written to a private
    temporary file and hard-linked into place, so exactly one key ever wins and
    nobody reads a half-written file.
    """
    path = instance_path / SECRET_KEY_FILE
    if not path.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        tmp = instance_path / f".{SECRET_KEY_FILE}.{os.getpid()}.{secrets.token_hex(4)}"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    return path.read_text().strip()
