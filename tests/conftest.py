"""Shared fixtures: an app on a fresh database, its clients, and an auth helper.

Every test that uses the `app` fixture runs twice: on a SQLite file and on a
database of a throwaway PostgreSQL cluster (devtools.postgres). A test that is
about SQLite itself is marked `sqlite_only` and runs once. Without PostgreSQL's
binaries the PostgreSQL runs are skipped loudly, except under CI=true, where
they fail.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from devtools.postgres import Cluster
from quizengine.extensions import db
from tests.helpers import AuthActions, make_app, started_postgres

DATABASES = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
TEMPLATE_DATABASE = "qe_template"


def pytest_collection_modifyitems(config, items) -> None:
    """Run `sqlite_only` tests on SQLite alone."""
    kept, dropped = [], []
    for item in items:
        param = getattr(item, "callspec", None) and item.callspec.params.get("database")
        if param == "postgres" and item.get_closest_marker("sqlite_only"):
            dropped.append(item)
        else:
            kept.append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[Cluster]:
    """Start a cluster for this test process; remove it when the session ends."""
    yield from started_postgres("POSTGRESQL TESTS")


@pytest.fixture(scope="session")
def postgres_template(postgres_cluster: Cluster, tmp_path_factory) -> str:
    """A database holding the schema, copied (fast) for each test that needs one."""
    url = postgres_cluster.create_database(TEMPLATE_DATABASE)
    app = make_app(tmp_path_factory.mktemp("template"), SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        db.engine.dispose()
    return TEMPLATE_DATABASE


@pytest.fixture
def postgres_url(postgres_cluster: Cluster) -> str:
    """An empty database of its own for one test."""
    return postgres_cluster.create_database()


@pytest.fixture(params=DATABASES)
def database(request) -> str:
    """The kind of database this run of the test uses."""
    return request.param


@pytest.fixture
def database_url(database: str, request, tmp_path: Path) -> str:
    """A fresh database with the schema in place, of the kind `database` names."""
    if database == "sqlite":
        return f"sqlite:///{tmp_path / 'test.sqlite3'}"
    cluster = request.getfixturevalue("postgres_cluster")
    return cluster.create_database(template=request.getfixturevalue("postgres_template"))


@pytest.fixture
def app(tmp_path: Path, database_url: str) -> Iterator[Flask]:
    app = make_app(tmp_path, SQLALCHEMY_DATABASE_URI=database_url)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask):
    return app.test_cli_runner()


@pytest.fixture
def db_session(app: Flask):
    with app.app_context():
        yield db.session


@pytest.fixture
def rng(request) -> random.Random:
    """A generator seeded from the test's name: reproducible, different per test."""
    return random.Random(request.node.nodeid)


@pytest.fixture
def auth(client: FlaskClient) -> AuthActions:
    return AuthActions(client)
