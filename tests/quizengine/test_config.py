"""Configuration order, the default SQLite database, and the generated secret key."""

from __future__ import annotations

import stat

from sqlalchemy import text

from quizengine import create_app
from quizengine.extensions import db


def test_defaults_put_everything_in_the_instance_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("QUIZENGINE_DATABASE_URL", raising=False)
    monkeypatch.delenv("QUIZENGINE_SECRET_KEY", raising=False)
    monkeypatch.setenv("QUIZENGINE_INSTANCE_PATH", str(tmp_path))
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path}/quizengine.sqlite3"
    key_file = tmp_path / "secret_key"
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
    monkeypatch.setenv("QUIZENGINE_SECRET_KEY", "from-the-environment")
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("env.sqlite3")
    assert app.config["SECRET_KEY"] == "from-the-environment"
    assert not (tmp_path / "secret_key").exists()
    app = create_app({"SECRET_KEY": "from-the-mapping"})
    assert app.config["SECRET_KEY"] == "from-the-mapping"


def test_testing_turns_csrf_off_unless_asked(tmp_path):
    base = {"INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "x", "TESTING": True}
    assert create_app(base).config["WTF_CSRF_ENABLED"] is False
    assert create_app({**base, "WTF_CSRF_ENABLED": True}).config["WTF_CSRF_ENABLED"] is True
