#!/usr/bin/env bash
# The README's test command: sets up the environment if needed, then runs the whole test suite.
# Extra arguments go to pytest (e.g. `bash tools/run_tests.sh tests/clip -x`).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
bash "$ROOT/tools/setup_env.sh"
cd "$ROOT"
# Two worker processes (pytest-xdist), one test file per worker at a time: most tests use one
# core, and files keep their module fixtures together. Files go out in the order tests/conftest.py
# sorts them (slow ones first), not xdist's default (files with the most tests first).
# OVDET_TEST_WORKERS=0 runs in one process.
exec "${OVDET_VENV:-$ROOT/.venv}/bin/python" -m pytest -n "${OVDET_TEST_WORKERS:-2}" --dist loadfile \
    --no-loadscope-reorder "${@:-tests}"
