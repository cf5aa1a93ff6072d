"""Shared fixtures: an app on a fresh SQLite file, its clients, and an auth helper."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from quizengine.extensions import db
from tests.helpers import AuthActions, make_app


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Flask]:
    app = make_app(tmp_path)
    yield app
    with app.app_context():
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
