"""Command-line tools for operators: `flask --app quizengine users create EMAIL`."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from . import accounts
from .extensions import db
from .models import Role

users = AppGroup("users", help="Manage accounts.")


@users.command("create")
@click.argument("email")
@click.option(
    "--role", type=click.Choice([r.value for r in Role]), default=Role.LEARNER.value,
    show_default=True,
)
@click.option("--name", "display_name", default=None, help="Display name (default: from email).")
@click.password_option(help="Prompted for when not given.")
def create_user_command(email: str, role: str, display_name: str | None, password: str) -> None:
    """Create an account."""
    try:
        user = accounts.create_user(email, password, role, display_name=display_name)
    except accounts.AccountError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from None
    click.echo(f"Created {user.role} {user.email}.")


def register(app: Flask) -> None:
    app.cli.add_command(users)
