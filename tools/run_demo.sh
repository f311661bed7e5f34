#!/usr/bin/env bash
# The README's run command: sets up the environment if needed, then runs the CLIM demo on a
# generated world (tools/demo.py; extra arguments go to it, e.g. --work-dir, --quick, or
# --detection: then the detection demo on the CLIPs before and after CLIM).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
bash "$ROOT/tools/setup_env.sh"
cd "$ROOT"
exec "${OVDET_VENV:-$ROOT/.venv}/bin/python" tools/demo.py "$@"
