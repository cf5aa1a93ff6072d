"""Errors: pages in the layout for people, one JSON envelope under /api/."""

from __future__ import annotations

import pytest
from flask_login import login_required

from tests.helpers import make_app


@pytest.fixture
def app(tmp_path):
    app = make_app(tmp_path)

    @app.get("/boom")
    def boom():
        raise RuntimeError("a bug")

    @app.get("/api/v1/boom")
    def api_boom():
        raise RuntimeError("a bug")

    @app.get("/api/v1/private")
    @login_required
    def api_private():
        return {"ok": True}

    return app


@pytest.mark.parametrize(
    "path, status, text",
    [
        ("/no-such-page", 404, "Page not found"),
        ("/boom", 500, "Your saved work is safe"),
    ],
)
def test_html_errors_render_in_the_layout(client, path, status, text):
    response = client.get(path)
    assert response.status_code == status
    body = response.get_data(as_text=True)
    assert text in body
    assert 'class="site-nav"' in body and "Traceback" not in body


@pytest.mark.parametrize(
    "path, status, code",
    [
        ("/api/v1/no-such-thing", 404, "not_found"),
        ("/api/v1/boom", 500, "internal_server_error"),
        ("/api/v1/private", 401, "unauthorized"),
    ],
)
def test_api_errors_are_json(client, path, status, code):
    response = client.get(path)
    assert response.status_code == status
    assert response.is_json
    assert response.get_json()["error"]["code"] == code
    assert response.get_json()["error"]["message"]


def test_api_never_redirects_to_sign_in(client):
    response = client.get("/api/v1/private")
    assert response.status_code == 401
    assert "Location" not in response.headers


def test_pages_that_need_sign_in_redirect(client):
    response = client.get("/account/password")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_csrf_endpoint_gives_a_token(client):
    response = client.get("/api/v1/csrf")
    assert response.status_code == 200
    assert response.get_json()["csrf_token"]
    assert response.headers["Cache-Control"] == "no-store"
