# Sourced by the launch scripts: the interpreter is $PYTHON if set, else the project's venv when it
# exists, else `python` on PATH.
if [ -z "${PYTHON:-}" ]; then
    if [ -x "$HERE/../.venv/bin/python" ]; then PYTHON="$HERE/../.venv/bin/python"; else PYTHON=python; fi
fi
