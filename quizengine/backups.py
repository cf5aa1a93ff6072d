"""Backup and restore of the SQLite database, for operators (PostgreSQL has pg_dump).

Both commands check before they write: a backup reads the live file read-only
(a mistyped QUIZENGINE_DATABASE_URL must not create an empty database and call
that a backup), and a restore refuses anything that is not a sound Quizengine
database at this release's schema, and keeps the live file aside first.
"""

from __future__ import annotations

import os
import sqlite3
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

import click
from alembic.script import ScriptDirectory
from flask import current_app
from flask.cli import with_appcontext

from .extensions import db

# Tables every Quizengine database has, whatever its revision.
REQUIRED_TABLES = ("alembic_version", "users")
UPGRADE = "flask --app quizengine db upgrade"


def sqlite_path() -> Path:
    """Return the app's SQLite file, or refuse: backups of PostgreSQL are pg_dump's job."""
    url = db.engine.url
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        raise click.ClickException(
            "backup and restore work on a SQLite file; for PostgreSQL use pg_dump and "
            "pg_restore (see README)"
        )
    return Path(url.database)


def open_read_only(path: Path) -> sqlite3.Connection:
    """Open an existing SQLite file without creating it or writing to it."""
    try:
        return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.OperationalError as error:
        raise click.ClickException(f"cannot open {path}: {error}") from None


def schema_revisions(connection: sqlite3.Connection, path: Path) -> set[str]:
    """Return the Alembic revisions of a sound Quizengine database, or say what it is not.

    An empty file is a valid, empty SQLite database, and passes
    `PRAGMA integrity_check`: only the tables tell a backup from nothing.
    """
    try:
        if connection.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise click.ClickException(f"{path} is damaged (PRAGMA integrity_check failed)")
        tables = {row[0] for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")}  # fmt: skip
        missing = [table for table in REQUIRED_TABLES if table not in tables]
        if missing:
            raise click.ClickException(
                f"{path} is not a Quizengine database (no {' or '.join(missing)} table)"
            )
        return {row[0] for row in connection.execute("SELECT version_num FROM alembic_version")}
    except sqlite3.DatabaseError as error:  # "file is not a database", and the like
        raise click.ClickException(f"{path} is not a SQLite database ({error})") from None


@click.command("backup")
@with_appcontext
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def backup_command(path: Path) -> None:
    """Copy the SQLite database to PATH while the app keeps running (online backup)."""
    source = sqlite_path()
    if path.exists():
        raise click.ClickException(f"{path} exists; choose a new file")
    if not path.parent.is_dir():
        raise click.ClickException(f"the directory {path.parent} does not exist; create it first")
    if not source.exists():
        raise click.ClickException(
            f"there is no database at {source}; check QUIZENGINE_DATABASE_URL"
        )
    live = open_read_only(source)
    try:
        schema_revisions(live, source)
        _copy(live, path)
    finally:
        live.close()
    click.echo(f"Backed up {source} to {path}.")


def _copy(live: sqlite3.Connection, path: Path) -> None:
    """Write the online backup to `path`, one self-contained file; remove it if that fails.

    The copy would keep the live file's WAL mode, and then even reading it leaves
    `-wal` and `-shm` files beside it: it is switched to a rollback journal.
    """
    try:
        # Owner-only from the first byte, like the database: it holds password hashes.
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        with closing(sqlite3.connect(path)) as copy:
            live.backup(copy)
            copy.execute("PRAGMA journal_mode = DELETE")
    except sqlite3.Error as error:
        path.unlink(missing_ok=True)
        raise click.ClickException(f"cannot write {path}: {error}") from None


@click.command("restore")
@with_appcontext
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--allow-older-schema",
    is_flag=True,
    help=f"Restore a backup made before the newest migration (then run `{UPGRADE}`).",
)
@click.confirmation_option(prompt="Replace the current database with this backup?")
def restore_command(path: Path, allow_older_schema: bool) -> None:
    """Replace the SQLite database with the backup at PATH (stop the servers first).

    The live file is copied aside first, next to it, and the copy's name printed.
    """
    target = sqlite_path()
    if path.resolve() == target.resolve():
        raise click.ClickException(f"{path} is the live database itself")
    saved = open_read_only(path)
    try:
        behind = _check_revision(schema_revisions(saved, path), path, allow_older_schema)
        kept = _keep_aside(target)
        if kept is not None:
            click.echo(f"The database as it was is kept at {kept}.")
        _overwrite(target, saved)
    finally:
        saved.close()
    db.engine.dispose()
    click.echo(f"Restored {target} from {path}.")
    if behind:
        click.echo(f"The backup is at an older schema: run `{UPGRADE}` before the servers.")


def _check_revision(revisions: set[str], path: Path, allow_older: bool) -> bool:
    """Return whether the backup is behind this release's head; refuse what cannot be used."""
    scripts = ScriptDirectory(current_app.extensions["migrate"].directory)
    heads = set(scripts.get_heads())
    if revisions == heads:
        return False
    known = {script.revision for script in scripts.walk_revisions()}
    if not revisions <= known:
        raise click.ClickException(
            f"{path} is at revision {sorted(revisions)}, which this release does not know "
            "(a newer release made it); restore it with that release"
        )
    if not allow_older:
        raise click.ClickException(
            f"{path} is at revision {sorted(revisions) or 'none'}, older than this release's "
            f"{sorted(heads)}; pass --allow-older-schema to restore it, then run `{UPGRADE}`"
        )
    return True


def _overwrite(target: Path, saved: sqlite3.Connection) -> None:
    """Copy the backup over the live database, page by page, in one transaction."""
    try:
        with closing(sqlite3.connect(target)) as live:
            saved.backup(live)
    except sqlite3.Error as error:
        raise click.ClickException(
            f"cannot write {target}: {error} (are the servers stopped?)"
        ) from None


def _keep_aside(target: Path) -> Path | None:
    """Copy the live database next to itself before it is overwritten; return the copy."""
    if not target.exists():
        return None
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    kept = target.with_name(f"{target.name}.before-restore-{stamp}")
    if kept.exists():
        raise click.ClickException(f"{kept} exists; wait a second and try again")
    live = open_read_only(target)
    try:
        _copy(live, kept)
    finally:
        live.close()
    return kept
