#!/usr/bin/env bash
# Install the pinned dependencies from a lock file, then the project itself (editable).
# uv takes seconds; plain pip is the fallback when uv cannot be had.
set -euo pipefail
cd "$(dirname "$0")/.."
lock=${1:?usage: scripts/install.sh LOCKFILE}
venv=.venv

if "$venv/bin/python" -m pip install -q --disable-pip-version-check uv >/dev/null 2>&1 \
    && "$venv/bin/uv" --version >/dev/null 2>&1; then
  "$venv/bin/uv" pip install -q --python "$venv/bin/python" -r "$lock"
  "$venv/bin/uv" pip install -q --python "$venv/bin/python" --no-deps -e .
else
  echo "install.sh: uv unavailable, installing with pip (slower)" >&2
  "$venv/bin/python" -m pip install -q --disable-pip-version-check -r "$lock"
  "$venv/bin/python" -m pip install -q --disable-pip-version-check --no-deps -e .
fi
