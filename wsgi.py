"""The WSGI entry point for gunicorn: `gunicorn wsgi:app`."""

from quizengine import create_app

app = create_app()
