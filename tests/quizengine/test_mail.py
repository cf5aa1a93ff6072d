"""Mail backends chosen by MAIL_URL, and links that cannot be pointed at another host."""

from __future__ import annotations

import logging
import os
import smtplib
import stat
import subprocess
from pathlib import Path

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


@pytest.mark.parametrize("url", ["ftp://me:s3cret@x", "smtp://", "nonsense", "http://u:s3cret@h"])
def test_a_bad_mail_url_is_refused_at_start_without_its_password(tmp_path, url):
    with pytest.raises(ValueError, match="MAIL_URL") as raised:
        make_app(tmp_path, MAIL_URL=url)
    assert "s3cret" not in str(raised.value)


def test_the_log_backend_writes_the_outbox_file(tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="quizengine")
    app = make_app(tmp_path, MAIL_URL="log://")
    with app.test_request_context():
        mail.send("ada@example.org", "Hello", "Follow http://localhost/x\n")
    path = tmp_path / "instance" / "outbox.log"
    outbox = path.read_text()
    assert "To: ada@example.org" in outbox and "http://localhost/x" in outbox
    assert stat.S_IMODE(path.stat().st_mode) == 0o600  # it holds working links
    logged = [r for r in caplog.records if "http://localhost/x" in r.getMessage()]
    assert [r.levelno for r in logged] == [logging.INFO]
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

    def send_message(self, message, to_addrs=None):
        if self.fail:
            raise smtplib.SMTPRecipientsRefused({})
        self.calls.append(("send", to_addrs, message["From"], message["Subject"]))


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
        ("send", ["ada@example.org"], "Quiz <quiz@example.org>", "Hello"),
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


def test_the_envelope_names_the_address_itself(tmp_path, monkeypatch):
    """What a parser reads in To: may differ from the address ("=?utf-8?q?x?=@a.org")."""
    monkeypatch.setattr(smtplib, "SMTP", FakeSMTP)
    FakeSMTP.calls = []
    app = make_app(tmp_path, MAIL_URL="smtp://mail.example.org")
    with app.test_request_context():
        mail.send("=?utf-8?q?x?=@a.org", "Hello", "body")
    assert FakeSMTP.calls[-1][1] == ["=?utf-8?q?x?=@a.org"]


LOOPBACK = ["localhost", "localhost:5000", "127.0.0.1:8000", "[::1]:5000", "LOCALHOST"]
FOREIGN = ["evil.test", "evil.test:80", "127.0.0.1.evil.test", "localhost.evil.test"]


@pytest.fixture
def ada_app(tmp_path, cheap_passwords):
    app = make_app(tmp_path)  # BASE_URL unset, as by default
    with app.app_context():
        from quizengine.accounts import create_user

        create_user("ada@example.org", PASSWORD)
    return app


@pytest.mark.parametrize("host", LOOPBACK)
def test_without_base_url_a_loopback_host_builds_the_links(ada_app, host):
    response = ada_app.test_client().post("/reset", data={"email": "ada@example.org"},
                                          headers={"Host": host})  # fmt: skip
    assert response.status_code == 302
    assert f"http://{host.lower()}/reset/" in mail.outbox(ada_app)[-1].body


@pytest.mark.parametrize("host", FOREIGN)
def test_without_base_url_another_host_gets_no_mail(ada_app, host, caplog):
    response = ada_app.test_client().post("/reset", data={"email": "ada@example.org"},
                                          headers={"Host": host})  # fmt: skip
    assert response.status_code == 503
    assert "could not send the email just now" in response.get_data(as_text=True)
    assert mail.outbox(ada_app) == []
    assert "set QUIZENGINE_BASE_URL" in caplog.text


def test_make_run_passes_a_base_url_unless_one_is_set():
    root = Path(__file__).resolve().parents[2]
    env = {k: v for k, v in os.environ.items() if not k.startswith("QUIZENGINE_")}
    plan = subprocess.run(["make", "-n", "run", "HOST=127.0.0.1", "PORT=5123"], cwd=root,
                          env=env, capture_output=True, text=True, check=True).stdout  # fmt: skip
    assert 'QUIZENGINE_BASE_URL="${QUIZENGINE_BASE_URL:-http://127.0.0.1:5123}"' in plan
