"""Command-line tools for operators: `flask --app quizengine users create EMAIL`."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from question_bank.lessons import load_lessons
from question_bank.registry import catalog, generate

from . import accounts
from .extensions import db
from .models import Role

users = AppGroup("users", help="Manage accounts.")


@users.command("create")
@click.argument("email")
@click.option(
    "--role",
    type=click.Choice([r.value for r in Role]),
    default=Role.LEARNER.value,
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


bank = AppGroup("bank", help="Browse and try the question bank.")


@bank.command("list")
def bank_list() -> None:
    """List every problem template."""
    for template in catalog():
        levels = ",".join(str(level) for level in template.levels)
        click.echo(f"{template.id:<30} part {template.part}  levels {levels:<7} "
                   f"{template.answer_kind:<7} {template.title}")  # fmt: skip


@bank.command("show")
@click.argument("template_id")
@click.option("--seed", type=int, default=1, show_default=True)
@click.option("--level", type=int, default=1, show_default=True)
def bank_show(template_id: str, seed: int, level: int) -> None:
    """Show a problem: prompt, solution and explanation."""
    problem = _problem(template_id, seed, level)
    click.echo(f"# {template_id}  seed {seed}  level {level}  ({problem.answer_kind})\n")
    click.echo(problem.prompt + "\n")
    click.echo(f"Solution: {problem.solution}\n")
    click.echo(problem.explanation)


@bank.command("check")
@click.argument("template_id")
@click.argument("answer")
@click.option("--seed", type=int, default=1, show_default=True)
@click.option("--level", type=int, default=1, show_default=True)
def bank_check(template_id: str, answer: str, seed: int, level: int) -> None:
    """Grade an answer to a problem, as the practice page would."""
    verdict = _problem(template_id, seed, level).check(answer)
    click.echo(f"{verdict.status} (score {verdict.score:g})")
    click.echo(verdict.feedback)
    if verdict.preview:
        click.echo(f"read as: {verdict.preview}")
    if verdict.tags:
        click.echo("tags: " + ", ".join(verdict.tags))


def _problem(template_id: str, seed: int, level: int):
    try:
        return generate(template_id, seed, level)
    except (KeyError, ValueError) as error:
        raise click.ClickException(str(error).strip("'\"")) from None


content = AppGroup("content", help="The lessons and problem families the app serves.")


@content.command("check")
def content_check() -> None:
    """Load every lesson and family and resolve every Skill Check question; fail loudly."""
    lessons = load_lessons()
    templates = catalog()
    known = {t.id for t in templates}
    for lesson in lessons:
        missing = [skill for skill in lesson.skills if skill not in known]
        if missing:
            raise click.ClickException(f"{lesson.id}: skills without a family: {missing}")
        for question in lesson.skill_check:
            question.to_public_dict()
            question.answer  # noqa: B018  (resolves generated questions)
    for template in templates:
        for level in template.levels:
            generate(template.id, 0, level)
    click.echo(f"{len(lessons)} lesson parts, {len(templates)} problem families: ready.")


def register(app: Flask) -> None:
    for group in (users, bank, content):
        app.cli.add_command(group)
