"""Sending account mail: one `send` call, a backend chosen by the `MAIL_URL` setting.

- `memory://` keeps messages in a list (tests read them with `outbox`);
- `log://` (the default) writes each message to the app log and appends it to
  `instance/outbox.log` (or the file in `log:///path/to/file`, created 0600:
  it holds live links), so a person running the app on a laptop can follow
  the links without a mail server;
- `smtp://user:password@host:587` sends with the standard library's smtplib,
  with STARTTLS when credentials are given (`?starttls=false` turns it off,
  `?starttls=true` forces it); `smtps://...:465` uses TLS from the start.
"""

from __future__ import annotations

import os
import re
import smtplib
import ssl
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol
from urllib.parse import parse_qs, unquote, urlsplit

from flask import Flask, current_app, render_template, request, url_for

EXTENSION = "quizengine.mail"
SMTP_TIMEOUT_SECONDS = 10


@dataclass(frozen=True)
class Message:
    """One plain-text mail."""

    to: str
    subject: str
    body: str
    sender: str

    def to_email(self) -> EmailMessage:
        message = EmailMessage()  # refuses newlines in headers: no header injection
        message["From"] = self.sender
        message["To"] = self.to
        message["Subject"] = self.subject
        message.set_content(self.body)
        return message


class MailError(Exception):
    """The mail server could not take the message (the person may try again later)."""


class Backend(Protocol):
    def send(self, message: Message) -> None: ...


@dataclass
class MemoryBackend:
    """Keep messages in a list, for tests."""

    messages: list[Message] = field(default_factory=list)

    def send(self, message: Message) -> None:
        self.messages.append(message)


@dataclass
class LogBackend:
    """Log each message and append it to a file: links reach the person running the app."""

    app: Flask
    path: Path

    def send(self, message: Message) -> None:
        text = (
            f"----- {datetime.now(UTC).isoformat(timespec='seconds')}\n"
            f"From: {message.sender}\nTo: {message.to}\nSubject: {message.subject}\n\n"
            f"{message.body.rstrip()}\n\n"
        )
        self.app.logger.info(
            "mail not sent (MAIL_URL is log://); appended to %s:\n%s", self.path, text
        )
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # Owner-only from the start: the file holds working reset and sign-up links.
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            with os.fdopen(fd, "a", encoding="utf-8") as handle:
                handle.write(text)  # one write per message: workers do not interleave
        except OSError:
            self.app.logger.exception("could not append the mail to %s", self.path)


@dataclass
class SmtpBackend:
    """Send through an SMTP server with the standard library."""

    host: str
    port: int
    username: str | None
    password: str | None
    implicit_tls: bool
    starttls: bool

    def send(self, message: Message) -> None:
        context = ssl.create_default_context()
        try:
            if self.implicit_tls:
                server = smtplib.SMTP_SSL(
                    self.host, self.port, timeout=SMTP_TIMEOUT_SECONDS, context=context
                )
            else:
                server = smtplib.SMTP(self.host, self.port, timeout=SMTP_TIMEOUT_SECONDS)
            with server:
                if self.starttls:
                    server.starttls(context=context)
                if self.username:
                    server.login(self.username, self.password or "")
                # The envelope names the address itself, never what a parser reads in To:.
                server.send_message(message.to_email(), to_addrs=[message.to])
        except (OSError, smtplib.SMTPException) as error:
            raise MailError(f"could not send mail through {self.host}:{self.port}") from error


def backend_from_url(url: str, app: Flask) -> Backend:
    """Build the backend `MAIL_URL` names; raise ValueError on an unknown scheme."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "memory":
        return MemoryBackend()
    if scheme == "log":
        path = Path(unquote(parts.path)) if parts.path else Path(app.instance_path) / "outbox.log"
        return LogBackend(app, path)
    if scheme in {"smtp", "smtps"}:
        if not parts.hostname:
            raise ValueError("MAIL_URL needs a host, such as smtp://user:pass@mail.example.org:587")
        query = {k: v[-1].lower() for k, v in parse_qs(parts.query).items()}
        username = unquote(parts.username) if parts.username else None
        wanted = query.get("starttls")
        starttls = scheme == "smtp" and (
            wanted in {"1", "true", "yes", "on"} or (wanted is None and username is not None)
        )
        return SmtpBackend(
            host=parts.hostname,
            port=parts.port or (465 if scheme == "smtps" else 25),
            username=username,
            password=unquote(parts.password) if parts.password else None,
            implicit_tls=scheme == "smtps",
            starttls=starttls,
        )
    # Only the scheme: the rest of the URL may hold a password.
    raise ValueError(
        "MAIL_URL must start with memory://, log://, smtp:// or smtps:// "
        f"(its scheme is {scheme + '://' if scheme else 'missing'})"
    )


def init_app(app: Flask) -> None:
    app.extensions[EXTENSION] = backend_from_url(app.config["MAIL_URL"], app)


def send(to: str, subject: str, body: str) -> None:
    """Send one plain-text mail from `MAIL_FROM`; raise `MailError` if the server refuses."""
    message = Message(to=to, subject=subject, body=body, sender=current_app.config["MAIL_FROM"])
    current_app.extensions[EXTENSION].send(message)


def send_template(to: str, subject: str, template: str, **context) -> None:
    """Render `templates/mail/<template>.txt` and send it."""
    send(to, subject, render_template(f"mail/{template}.txt", **context))


def outbox(app: Flask) -> list[Message]:
    """Return the messages a `memory://` backend has kept (for tests)."""
    backend = app.extensions[EXTENSION]
    if not isinstance(backend, MemoryBackend):
        raise TypeError("outbox() needs MAIL_URL = 'memory://'")
    return backend.messages


# localhost, 127.0.0.1 or [::1], with any port: a host no stranger's link can point at.
LOOPBACK_HOST = re.compile(r"^(?:localhost|127\.0\.0\.1|\[::1\])(?::\d{1,5})?$", re.IGNORECASE)


def external_url(endpoint: str, **values) -> str:
    """Return an absolute link for a mail; raise `MailError` if no trusted origin is known.

    Built on `BASE_URL` when set. Without it, only a loopback request host is
    used (a laptop): any other Host header may be forged to send someone a
    reset link to another site, so nothing is sent and the operator is told.
    """
    base = current_app.config.get("BASE_URL")
    if not base:
        if not LOOPBACK_HOST.match(request.host):
            current_app.logger.error(
                "refusing to mail a link built on the request's host %r: set "
                "QUIZENGINE_BASE_URL to the site's origin (such as https://quiz.example.org)",
                request.host,
            )
            raise MailError("QUIZENGINE_BASE_URL is not set and the request is not local")
        base = request.host_url
    return base.rstrip("/") + url_for(endpoint, **values)
