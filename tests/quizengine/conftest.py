"""Fixtures for the practice-loop tests: a learner, as a user id or a signed-in client."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from quizengine import accounts
from quizengine.extensions import db
from quizengine.models import User
from tests.helpers import PASSWORD


@pytest.fixture
def cheap_passwords(monkeypatch) -> None:
    """Hash passwords with tiny Argon2 costs: these tests are about practice, not accounts."""
    monkeypatch.setattr(
        accounts, "password_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    )


@pytest.fixture
def learner_id(db_session, cheap_passwords) -> int:
    """A learner created directly, for tests that call services with a fixed `now`."""
    return accounts.create_user("ada@example.org", PASSWORD).id


@pytest.fixture
def learner(app, auth, cheap_passwords) -> int:
    """Sign up through the real form; the `client` fixture is now signed in. Returns the id."""
    assert auth.signup().status_code == 302
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.email == "ada@example.org"))
