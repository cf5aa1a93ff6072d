"""Mail backends chosen by MAIL_URL, and links that cannot be pointed at another host."""

from __future__ import annotations

import smtplib

import pytest

from quizengine import mail
from tests.helpers import PASSWORD, make_app

URLS = [
    ("memory://", mail.MemoryBackend, {}),
    ("smtp://mail.example.org", mail.SmtpBackend,
     {"host": "mail.example.org", "port": 25, "username": None, "starttls": False}),
    ("smtp://me%40x.org:p%3Ass@mail.example.org:587", mail.SmtpBackend,
     {"port": 587, "username": "me@x.org", "password": "p:ss", "starttls": True}),
    ("smtp://me:pw@mail.example.org:587?starttls=false", mail.SmtpBackend, {"starttls": False}),
    ("smtp://relay:25?starttls=true", mail.SmtpBackend, {"starttls": True, "username": None}),
    ("smtps://me:pw@mail.example.org", mail.SmtpBackend,
     {"port": 465, "implicit_tls": True, "starttls": False}),
]  # fmt: skip


@pytest.mark.parametrize("url, kind, fields", URLS)
def test_mail_url_chooses_the_backend(tmp_path, url, kind, fields):
    backend = mail.backend_from_url(url, make_app(tmp_path))
    assert isinstance(backend, kind)
    for name, value in fields.items():
        assert getattr(backend, name) == value, name


@pytest.mark.parametrize("url", ["ftp://x", "smtp://", "nonsense"])
def test_a_bad_mail_url_is_refused_at_start(tmp_path, url):
    with pytest.raises(ValueError, match="MAIL_URL"):
        make_app(tmp_path, MAIL_URL=url)


def test_the_log_backend_writes_the_outbox_file(tmp_path, caplog):
    app = make_app(tmp_path, MAIL_URL="log://")
    with app.test_request_context():
        mail.send("ada@example.org", "Hello", "Follow http://localhost/x\n")
    outbox = (tmp_path / "instance" / "outbox.log").read_text()
    assert "To: ada@example.org" in outbox and "http://localhost/x" in outbox
    assert "http://localhost/x" in caplog.text
    elsewhere = tmp_path / "mail" / "box.log"
    app = make_app(tmp_path, MAIL_URL=f"log://{elsewhere}")
    with app.test_request_context():
        mail.send("ada@example.org", "Again", "body")
    assert "Subject: Again" in elsewhere.read_text()
    with pytest.raises(TypeError):
        mail.outbox(app)


class FakeSMTP:
    """Stands in for smtplib.SMTP and records what the backend asked of it."""

    calls: list = []
    fail = False

    def __init__(self, host, port, timeout):
        self.calls.append(("connect", host, port))

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def starttls(self, context):
        self.calls.append(("starttls",))

    def login(self, user, password):
        self.calls.append(("login", user, password))

    def send_message(self, message):
        if self.fail:
            raise smtplib.SMTPRecipientsRefused({})
        self.calls.append(("send", message["To"], message["From"], message["Subject"]))


def test_the_smtp_backend_uses_starttls_and_logs_in(tmp_path, monkeypatch):
    monkeypatch.setattr(smtplib, "SMTP", FakeSMTP)
    FakeSMTP.calls = []
    app = make_app(tmp_path, MAIL_URL="smtp://me:pw@mail.example.org:587",
                   MAIL_FROM="Quiz <quiz@example.org>")  # fmt: skip
    with app.test_request_context():
        mail.send("ada@example.org", "Hello", "body")
    assert FakeSMTP.calls == [
        ("connect", "mail.example.org", 587),
        ("starttls",),
        ("login", "me", "pw"),
        ("send", "ada@example.org", "Quiz <quiz@example.org>", "Hello"),
    ]
    monkeypatch.setattr(FakeSMTP, "fail", True)
    with app.test_request_context(), pytest.raises(mail.MailError):
        mail.send("ada@example.org", "Hello", "body")


def test_a_header_cannot_be_injected(tmp_path):
    message = mail.Message(to="a@example.org\nBcc: x@evil.example", subject="s", body="b",
                           sender="q@example.org")  # fmt: skip
    with pytest.raises(ValueError):
        message.to_email()


def test_links_use_base_url_not_the_host_header(tmp_path, cheap_passwords):
    app = make_app(tmp_path, BASE_URL="https://quiz.example.org")
    with app.app_context():
        from quizengine.accounts import create_user

        create_user("ada@example.org", PASSWORD)
    client = app.test_client()
    client.post("/reset", data={"email": "ada@example.org"}, headers={"Host": "evil.example"})
    body = mail.outbox(app)[-1].body
    assert "https://quiz.example.org/reset/" in body and "evil.example" not in body
