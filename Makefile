# Quizengine: `make run` serves the app, `make test` runs every test, `make bench` measures.
# Each target bootstraps .venv from the lock files in requirements/ (uv when it can, else pip).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
WORKERS ?= 2
# Tests run on every core (pytest-xdist); PYTEST_ARGS="-n 0" runs them in one process.
PYTEST_ARGS ?= -n auto

.PHONY: run test bench load lint lock system-deps clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed-run: requirements/run.lock pyproject.toml | $(BIN)/python
	scripts/install.sh requirements/run.lock
	touch $@

$(VENV)/.installed-test: requirements/test.lock pyproject.toml | $(BIN)/python
	scripts/install.sh requirements/test.lock
	touch $@ $(VENV)/.installed-run

run: $(VENV)/.installed-run
	$(BIN)/flask --app quizengine db upgrade
	$(BIN)/flask --app quizengine content check
# Links in mail point at this server unless QUIZENGINE_BASE_URL says otherwise.
	QUIZENGINE_BASE_URL="$${QUIZENGINE_BASE_URL:-http://$(HOST):$(PORT)}" \
		$(BIN)/gunicorn --bind $(HOST):$(PORT) --workers $(WORKERS) --access-logfile - wsgi:app

test: $(VENV)/.installed-test system-deps
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: $(VENV)/.installed-test
	$(BIN)/python -m benchmarks

# 200 simulated learners against gunicorn on SQLite, then PostgreSQL (a throwaway cluster;
# skipped loudly without the binaries); prints tables, writes load/results.json.
load: $(VENV)/.installed-test
	$(BIN)/python -m load

lint: $(VENV)/.installed-test
	$(BIN)/ruff check quizengine question_bank tests benchmarks migrations load devtools wsgi.py gunicorn.conf.py

system-deps:
	scripts/system-deps.sh

# Re-pin every dependency after changing pyproject.toml.
lock: | $(BIN)/python
	$(BIN)/python -m pip install -q uv
	$(BIN)/uv pip compile -q --python-version 3.11 pyproject.toml --extra postgres \
		-o requirements/run.lock
	$(BIN)/uv pip compile -q --python-version 3.11 pyproject.toml --extra test --extra postgres \
		-o requirements/test.lock

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
