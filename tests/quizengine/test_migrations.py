"""Alembic migrations build exactly the models' schema, and undo cleanly."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from quizengine import create_app
from quizengine.extensions import db


def migrated_app(tmp_path):
    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "x",
            "INSTANCE_PATH": str(tmp_path),
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'migrated.sqlite3'}",
        }
    )


def schema_drift(app) -> list:
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, db.metadata)


def test_upgrade_to_head_matches_the_models(tmp_path):
    app = migrated_app(tmp_path)
    with app.app_context():
        upgrade()
    assert schema_drift(app) == []


def test_downgrade_to_base_and_upgrade_again(tmp_path):
    app = migrated_app(tmp_path)
    with app.app_context():
        upgrade()
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) == {"alembic_version"}
        upgrade()
        assert {"users", "events"} <= set(inspect(db.engine).get_table_names())
    assert schema_drift(app) == []
