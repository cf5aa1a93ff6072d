"""Configuration order, the default SQLite database, the generated secret key, and the
settings refused at start with one line naming their variable."""

from __future__ import annotations

import sqlite3
import stat

import click
import pytest
from click.testing import CliRunner
from flask.cli import FlaskGroup
from sqlalchemy import text

from quizengine import create_app
from quizengine.extensions import db

GOOD_KEY = "k" * 32


def test_defaults_put_everything_in_the_instance_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("QUIZENGINE_DATABASE_URL", raising=False)
    monkeypatch.delenv("QUIZENGINE_SECRET_KEY", raising=False)
    instance = tmp_path / "instance"
    monkeypatch.setenv("QUIZENGINE_INSTANCE_PATH", str(instance))
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{instance}/quizengine.sqlite3"
    # The folder of the database (password hashes, notes) is its owner's alone.
    assert stat.S_IMODE(instance.stat().st_mode) & 0o077 == 0
    key_file = instance / "secret_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert app.config["SECRET_KEY"] == key_file.read_text().strip()
    assert len(app.config["SECRET_KEY"]) >= 32
    assert create_app().config["SECRET_KEY"] == app.config["SECRET_KEY"]  # kept, not remade
    assert app.config["WTF_CSRF_ENABLED"] is True


def test_sqlite_runs_in_wal_mode_with_foreign_keys_and_a_busy_timeout(tmp_path, monkeypatch):
    monkeypatch.setenv("QUIZENGINE_INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("QUIZENGINE_DATABASE_URL", raising=False)
    app = create_app({"SQLITE_BUSY_TIMEOUT_MS": 4321})
    with app.app_context(), db.engine.connect() as connection:
        pragma = lambda name: connection.execute(text(f"PRAGMA {name}")).scalar()  # noqa: E731
        assert pragma("journal_mode") == "wal"
        assert pragma("foreign_keys") == 1
        assert pragma("busy_timeout") == 4321


def test_environment_overrides_defaults_and_mapping_overrides_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("QUIZENGINE_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("QUIZENGINE_DATABASE_URL", f"sqlite:///{tmp_path}/env.sqlite3")
    monkeypatch.setenv("QUIZENGINE_SECRET_KEY", "from-the-environment-and-long-enough")
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("env.sqlite3")
    assert app.config["SECRET_KEY"] == "from-the-environment-and-long-enough"
    assert not (tmp_path / "secret_key").exists()
    app = create_app({"SECRET_KEY": "from-the-mapping"})
    assert app.config["SECRET_KEY"] == "from-the-mapping"


def test_testing_turns_csrf_off_unless_asked(tmp_path):
    base = {"INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "x", "TESTING": True}
    assert create_app(base).config["WTF_CSRF_ENABLED"] is False
    assert create_app({**base, "WTF_CSRF_ENABLED": True}).config["WTF_CSRF_ENABLED"] is True


@pytest.fixture
def environment(tmp_path, monkeypatch):
    """A clean QUIZENGINE_* environment on a fresh instance folder; returns a setter."""
    for name in ("DATABASE_URL", "SECRET_KEY", "RATELIMIT_STORAGE_URI"):
        monkeypatch.delenv(f"QUIZENGINE_{name}", raising=False)
    monkeypatch.setenv("QUIZENGINE_INSTANCE_PATH", str(tmp_path))
    return lambda name, value: monkeypatch.setenv(f"QUIZENGINE_{name}", value)


def refusal() -> str:
    """Return the one-line error create_app gives under the QUIZENGINE_* variables set."""
    with pytest.raises(click.ClickException) as refused:
        create_app()
    return refused.value.format_message()


def test_a_short_secret_key_is_used_with_a_warning(environment, caplog):
    # CONTRACT.md takes any key: a short one is the operator's risk, said at start.
    environment("SECRET_KEY", "a")
    assert create_app().config["SECRET_KEY"] == "a"
    assert "QUIZENGINE_SECRET_KEY is short (1 characters)" in caplog.text
    caplog.clear()
    environment("SECRET_KEY", GOOD_KEY)
    assert create_app().config["SECRET_KEY"] == GOOD_KEY
    assert "QUIZENGINE_SECRET_KEY" not in caplog.text


def test_a_key_generated_for_postgresql_says_servers_must_share_one(environment, caplog):
    environment("DATABASE_URL", "postgresql+psycopg://quiz:hunter2@127.0.0.1:1/quiz")
    app = create_app()
    assert len(app.config["SECRET_KEY"]) >= 32  # generated once, as CONTRACT.md says
    assert "QUIZENGINE_SECRET_KEY is not set" in caplog.text and "set the same key" in caplog.text
    assert "hunter2" not in caplog.text


# Database URLs that cannot work here, and the scheme a refusal names.
BAD_DATABASE_URLS = [
    ("garbage", "is not a database URL"),
    ("mysql://quiz:hunter2@db.example.org/quiz", "names a 'mysql' database"),
    ("postgresql+asyncpg://quiz:hunter2@db.example.org/quiz", "'postgresql+asyncpg'"),
]


@pytest.mark.parametrize(("url", "says"), BAD_DATABASE_URLS)
def test_a_bad_database_url_is_refused_naming_the_variable(environment, url, says):
    environment("DATABASE_URL", url)
    environment("SECRET_KEY", GOOD_KEY)
    message = refusal()
    assert message.startswith("QUIZENGINE_DATABASE_URL ") and says in message
    assert "hunter2" not in message  # the password is never echoed


def test_a_heroku_style_postgres_url_uses_psycopg(environment):
    environment("DATABASE_URL", "postgres://quiz:pw@127.0.0.1:1/quiz")
    environment("SECRET_KEY", GOOD_KEY)
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://quiz:pw@127.0.0.1:1/quiz"
    with app.app_context():
        assert db.engine.dialect.driver == "psycopg"


@pytest.mark.parametrize("uri", ["garbage://:hunter2@cache", "redis://:hunter2@cache:port"])
def test_a_bad_rate_limit_storage_is_refused_naming_the_variable(environment, uri):
    environment("RATELIMIT_STORAGE_URI", uri)
    message = refusal()
    assert message.startswith("QUIZENGINE_RATELIMIT_STORAGE_URI cannot be used for rate limits")
    assert "hunter2" not in message


def test_the_flask_command_prints_the_refusal_without_a_traceback(environment):
    environment("DATABASE_URL", "garbage")
    result = CliRunner().invoke(FlaskGroup(create_app=create_app), ["routes"])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert "Error: QUIZENGINE_DATABASE_URL is not a database URL" in result.output
    assert "Traceback" not in result.output


def test_an_older_install_s_database_file_becomes_owner_only(tmp_path, monkeypatch):
    # Folders made before the instance folder was owner-only keep their mode; the file
    # with the password hashes is tightened when the app opens it.
    database = tmp_path / "old.sqlite3"
    sqlite3.connect(database).close()
    database.chmod(0o644)
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}", "TESTING": True,
                      "SECRET_KEY": "test"})  # fmt: skip
    with app.app_context():
        db.session.execute(text("SELECT 1"))
    assert stat.S_IMODE(database.stat().st_mode) == 0o600
