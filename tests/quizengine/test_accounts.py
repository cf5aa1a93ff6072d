"""The account service, without requests: creation rules, hashing, the CLI."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher

from quizengine import accounts
from quizengine.accounts import AccountError, authenticate, change_password, create_user
from tests.helpers import PASSWORD

BAD_INPUT = [
    ({"email": "nope"}, "email"),
    ({"email": "a b@example.org"}, "email"),
    ({"email": "x" * 250 + "@example.org"}, "email"),
    ({"password": "short"}, "password"),
    ({"password": "p" * 2000}, "password"),
    ({"role": "admin"}, "role"),
    ({"display_name": "n" * 81}, "display_name"),
    ({"email": "(x1)vic@example.org"}, "email"),
    ({"email": '"vic"@example.org'}, "email"),
    ({"email": "vic@example_org.com"}, "email"),
    ({"display_name": "Ada\nURGENT: click https://evil.test"}, "display_name"),
    ({"display_name": "Ada\rBcc"}, "display_name"),
    ({"display_name": "Ada\x00"}, "display_name"),
]


@pytest.mark.parametrize("change, field", BAD_INPUT)
def test_create_user_names_the_bad_field(db_session, change, field):
    arguments = {"email": "ada@example.org", "password": PASSWORD, "role": "learner"}
    change = dict(change)  # the parameter is shared by every run of this test
    display_name = change.pop("display_name", None)
    arguments.update(change)
    with pytest.raises(AccountError) as raised:
        create_user(**arguments, display_name=display_name)
    assert raised.value.field == field


def test_create_user_follows_the_contract(db_session):
    user = create_user("Grace@Example.org", PASSWORD, role="teacher")
    assert (user.email, user.role, user.display_name) == ("grace@example.org", "teacher", "grace")
    assert user.created_at.tzinfo is not None
    assert user.get_id() == user.session_token != str(user.id)


@pytest.mark.parametrize("email", ["a.b+tag@ex-ample.co.uk", "ada@sub.example.org", "o'neil@x.ie"])
def test_ordinary_addresses_are_accepted(email):
    assert accounts.validate_email(email) == email


def test_authenticate_checks_the_password(db_session):
    create_user("ada@example.org", PASSWORD)
    assert authenticate(db_session, "ADA@example.org", PASSWORD) is not None
    assert authenticate(db_session, "ada@example.org", PASSWORD + "!") is None
    assert authenticate(db_session, "who@example.org", PASSWORD) is None


def test_sign_in_rehashes_when_the_parameters_change(db_session):
    user = create_user("ada@example.org", PASSWORD)
    weak = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1)
    user.password_hash = weak.hash(PASSWORD)
    db_session.commit()
    assert accounts.password_hasher.check_needs_rehash(user.password_hash)

    assert authenticate(db_session, "ada@example.org", PASSWORD) is user
    assert not accounts.password_hasher.check_needs_rehash(user.password_hash)
    assert authenticate(db_session, "ada@example.org", PASSWORD) is user


def test_change_password_rotates_the_session_token(db_session):
    user = create_user("ada@example.org", PASSWORD)
    before = user.session_token
    with pytest.raises(AccountError):
        change_password(db_session, user, "wrong password", "another long one")
    assert user.session_token == before
    change_password(db_session, user, PASSWORD, "another long one")
    assert user.session_token != before
    assert authenticate(db_session, "ada@example.org", "another long one") is user


def test_cli_creates_a_teacher_after_prompting_for_the_password(app, runner):
    result = runner.invoke(
        args=["users", "create", "T@School.org", "--role", "teacher"],
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output
    assert "Created teacher t@school.org" in result.output
    again = runner.invoke(
        args=["users", "create", "t@school.org"], input=f"{PASSWORD}\n{PASSWORD}\n"
    )
    assert again.exit_code == 1
    assert "already exists" in again.output


def test_cli_refuses_a_short_password(app, runner):
    result = runner.invoke(args=["users", "create", "a@school.org"], input="short\nshort\n")
    assert result.exit_code == 1
    assert "at least 10 characters" in result.output
