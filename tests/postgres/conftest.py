"""The PostgreSQL-only tests use the cluster fixtures of tests/conftest.py."""
