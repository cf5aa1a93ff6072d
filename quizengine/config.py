"""Configuration: defaults, then `QUIZENGINE_*` environment variables, then the mapping given.

The instance folder holds what a single machine keeps between runs: the SQLite
database and a secret key generated once with owner-only permissions. `check`
refuses a setting that cannot work with one line naming its variable, before a
server starts on it, and warns about one that works but is unsafe.
"""

from __future__ import annotations

import logging
import os
import secrets
from collections.abc import Mapping, MutableMapping
from pathlib import Path
from typing import Any

import click
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

log = logging.getLogger("quizengine")
SECRET_KEY_FILE = "secret_key"
# A signing key shorter than this can be guessed offline from one session cookie.
MIN_SECRET_KEY_LENGTH = 32
NEW_KEY_HINT = "python3 -c 'import secrets; print(secrets.token_hex(32))' makes one"
DATABASE_EXAMPLES = "sqlite:///PATH or postgresql+psycopg://USER:PASSWORD@HOST/DBNAME"
# The drivers installed here: the standard library's sqlite3 and psycopg 3 (the postgres extra).
DRIVERS = {"sqlite": "sqlite", "sqlite+pysqlite": "sqlite+pysqlite",
           "postgresql+psycopg": "postgresql+psycopg",
           # Heroku-style and driverless URLs mean the same server through psycopg 3.
           "postgres": "postgresql+psycopg", "postgresql": "postgresql+psycopg"}  # fmt: skip

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


class ConfigurationError(click.ClickException, ValueError):
    """A setting that cannot work, said in one line naming the variable.

    A ClickException, so `flask --app quizengine ...` prints it without a
    traceback; gunicorn's log ends with the same line.
    """


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
        # Said here, not left to Flask-Limiter: its one object keeps the last app's switch.
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_STORAGE_URI": "memory://",
        "RATELIMIT_HEADERS_ENABLED": True,
        # Redis down: count in this process's memory (Flask-Limiter logs a warning and
        # tries the storage again later) instead of answering 500 to every sign-in;
        # any other storage error is logged, not raised. /healthz says "degraded".
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "RATELIMIT_SWALLOW_ERRORS": True,
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
                raise ConfigurationError(f"QUIZENGINE_{name} must be a whole number, not {value!r}")
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
        instance_path.mkdir(mode=0o700, parents=True, exist_ok=True)
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


def setting_name(key: str, given: Mapping[str, Any]) -> str:
    """Name a setting as whoever gave it did: the create_app key, else the variable."""
    if key in given:
        return key
    names = [name for name, config_key in ENVIRONMENT_KEYS.items() if config_key == key]
    return f"QUIZENGINE_{names[0]}" if names else key


def database_url(value: str | URL, name: str) -> str | URL:
    """Return the database URL to use, or say why `value` cannot be one.

    `postgres://` and `postgresql://` become `postgresql+psycopg://`, the driver
    installed here. The URL is never echoed: it may hold a password.
    """
    try:
        url = make_url(value)
    except ArgumentError:
        raise ConfigurationError(f"{name} is not a database URL; use {DATABASE_EXAMPLES}") from None
    driver = DRIVERS.get(url.drivername)
    if driver is None:
        raise ConfigurationError(
            f"{name} names a {url.drivername!r} database; Quizengine runs on SQLite and "
            f"PostgreSQL: use {DATABASE_EXAMPLES}"
        )
    if driver == url.drivername:
        return value
    return url.set(drivername=driver).render_as_string(hide_password=False)


def is_sqlite(value: str | URL) -> bool:
    """Say whether a (checked) database URL is SQLite."""
    return make_url(value).get_backend_name() == "sqlite"


def check(config: MutableMapping[str, Any], given: Mapping[str, Any]) -> None:
    """Refuse settings that cannot work before anything uses them, naming the variable.

    `given` is the mapping passed to create_app: a key in it is named as such. A
    secret key from QUIZENGINE_SECRET_KEY must be long enough; a key given to
    create_app is the caller's (tests, benchmarks and the load harness use short ones).
    """
    key = "SQLALCHEMY_DATABASE_URI"
    config[key] = database_url(config[key], setting_name(key, given))
    secret = config.get("SECRET_KEY")
    if secret and "SECRET_KEY" not in given and len(secret) < MIN_SECRET_KEY_LENGTH:
        # A warning, not a refusal: CONTRACT.md takes any key, and a laptop may use a short one.
        log.warning(
            "QUIZENGINE_SECRET_KEY is short (%d characters): anyone holding one session cookie "
            "can try keys offline; use at least %d random ones (%s)",
            len(secret), MIN_SECRET_KEY_LENGTH, NEW_KEY_HINT,
        )  # fmt: skip


def secret_key(config: Mapping[str, Any], instance_path: Path) -> str:
    """Return the key to sign with when none was given: generated once into the instance
    folder (CONTRACT.md).

    On PostgreSQL the app usually runs on several servers, and a key generated on each
    would make every server reject the others' sessions: that is said at start.
    """
    if not is_sqlite(config["SQLALCHEMY_DATABASE_URI"]) and not config.get("TESTING"):
        log.warning(
            "QUIZENGINE_SECRET_KEY is not set: using a key generated in %s. With several "
            "servers on one PostgreSQL, set the same key on each (%s), or each server will "
            "refuse the others' sessions", instance_path, NEW_KEY_HINT,
        )  # fmt: skip
    return load_or_create_secret_key(instance_path)


def ratelimit_storage_error(error: Exception, uri: str, name: str) -> ConfigurationError:
    """Turn Flask-Limiter's refusal of a storage URI into one line naming the variable."""
    reason = str(error).replace(str(uri), "<the URI>")  # the URI may hold a password
    return ConfigurationError(
        f"{name} cannot be used for rate limits ({reason}); use memory:// (one process) "
        "or redis://HOST:6379 (several servers)"
    )
