#!/usr/bin/env bash
# Runs the whole suite headless. TEST_DATABASE_URL (PostgreSQL) is optional: without it those tests skip.
set -uo pipefail
VENV="${1:-.venv}"; shift || true
cd "$(dirname "$0")/.."
export QT_QPA_PLATFORM=offscreen
export PYTHONDONTWRITEBYTECODE=1
"$VENV/bin/python" -m pytest -q "$@"
