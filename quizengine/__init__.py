"""Quizengine: an adaptive practice engine for the mathematics of optimization landscapes."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask
from limits.errors import ConfigurationError as LimitsConfigurationError
from sqlalchemy import event
from sqlalchemy.engine import Engine

from . import config as configuration
from . import routing, write_gate
from .extensions import csrf, db, limiter, login_manager, migrate
from .grading import GradingSettings

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the application: defaults, then `QUIZENGINE_*` variables, then `config`."""
    config = dict(config or {})
    instance_path = config.pop("INSTANCE_PATH", None) or os.environ.get(
        "QUIZENGINE_INSTANCE_PATH", str(ROOT / "instance")
    )
    app = Flask(
        __name__,
        instance_path=str(Path(instance_path).resolve()),
        template_folder=str(ROOT / "templates"),
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    app.config.from_mapping(configuration.defaults(Path(app.instance_path)))
    app.config.from_mapping(configuration.from_environment(os.environ))
    app.config.from_mapping(config)
    configuration.check(app.config, config)
    # CONTRACT: TESTING turns CSRF off for the test client unless a test turns it back on.
    app.config.setdefault("WTF_CSRF_ENABLED", not app.config["TESTING"])
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = configuration.secret_key(app.config, Path(app.instance_path))
    if configuration.is_sqlite(app.config["SQLALCHEMY_DATABASE_URI"]):
        # Owner-only: the database beside it holds password hashes and learners' notes.
        Path(app.instance_path).mkdir(mode=0o700, parents=True, exist_ok=True)
    # A bad GRADING_* value stops the start with its name, not every answer later.
    GradingSettings.from_config(app.config)

    _bind_extensions(app, given=config)
    routing.install(app)
    _register_blueprints(app)
    return app


def _bind_extensions(app: Flask, *, given: Mapping[str, Any]) -> None:
    from . import auth_session, mail

    auth_session.configure_app(app)
    mail.init_app(app)
    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    _bind_limiter(app, given=given)
    login_manager.init_app(app)
    auth_session.configure(login_manager)
    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "sqlite":
            _configure_sqlite(engine, app.config["SQLITE_BUSY_TIMEOUT_MS"])
            write_gate.install(engine, app.config["SQLITE_BUSY_TIMEOUT_MS"])


def _bind_limiter(app: Flask, *, given: Mapping[str, Any]) -> None:
    """Bind Flask-Limiter; a storage URI it cannot use stops the start with the variable's name."""
    try:
        limiter.init_app(app)
    except (LimitsConfigurationError, ValueError) as error:
        name = configuration.setting_name("RATELIMIT_STORAGE_URI", given)
        uri = app.config.get("RATELIMIT_STORAGE_URI", "")
        raise configuration.ratelimit_storage_error(error, uri, name) from None


def _register_blueprints(app: Flask) -> None:
    from . import (
        account_pages,
        api,
        assets,
        auth,
        cli,
        errors,
        export,
        home,
        learner_classes,
        lessons,
        localtime,
        mathtext,
        offline,
        operations,
        practice,
        progress,
        teach,
    )

    blueprints = (home.bp, auth.bp, api.bp, practice.bp, lessons.bp, progress.bp, offline.bp,
                  teach.bp, learner_classes.bp, operations.bp, export.bp,
                  account_pages.bp)  # fmt: skip
    for blueprint in blueprints:
        app.register_blueprint(blueprint)
    errors.register(app)
    assets.register(app)
    mathtext.register(app)
    localtime.register(app)
    cli.register(app)
    operations.register(app)


def _configure_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
    """Turn on WAL, foreign keys and a busy timeout on every new SQLite connection."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, connection_record) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        if not _is_memory_database(engine):
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
            _owner_only(Path(engine.url.database))
        cursor.close()


def _owner_only(database: Path) -> None:
    """Keep the database file (password hashes, notes) its owner's alone, wherever it is and
    however old the install: SQLite gives its -wal and -shm files the same mode."""
    try:
        found = database.stat()
        if found.st_uid == os.getuid() and found.st_mode & 0o077:
            database.chmod(0o600)
    except OSError:  # not ours to change, or gone: leave it to the operator
        pass


def _is_memory_database(engine: Engine) -> bool:
    database = engine.url.database
    return not database or database == ":memory:" or "mode=memory" in str(engine.url)
