#!/usr/bin/env bash
# One idempotent set-up step: a virtual environment (.venv) with the pinned stack, full mmcv with
# compiled ops, and ovdet installed editable. A second run with nothing changed returns in seconds.
#
# Environment:
#   OVDET_VENV        where the venv lives (default: <repo>/.venv)
#   OVDET_PYTHON      the interpreter that creates it (default: python3.11, else python3)
#   OVDET_WHEELHOUSE  a folder with a prebuilt mmcv-2.1.0 wheel (checked before ../shared/wheelhouse)
#   OVDET_CACHE       where a source-built mmcv wheel is cached (default: ~/.cache/ovdet)
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
VENV=${OVDET_VENV:-$ROOT/.venv}
CACHE=${OVDET_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ovdet}
REQ=$ROOT/requirements
STAMP=$VENV/.ovdet-setup-stamp

say() { echo "[setup] $*"; }
fail() {  # fail STEP FIX
    echo "[setup] FAILED at step '$1'." >&2
    echo "[setup] fix: $2" >&2
    exit 1
}

want_stamp() {
    cat "$REQ"/*.txt "$ROOT/setup.py" "$ROOT/tools/setup_env.sh" | sha256sum | cut -d' ' -f1
}

verify_stack() {
    "$VENV/bin/python" - <<'PY'
import torch
import mmcv.ops
boxes = torch.tensor([[0., 0., 10., 10.], [1., 1., 10., 10.], [20., 20., 30., 30.]])
keep = mmcv.ops.nms(boxes, torch.tensor([0.9, 0.8, 0.7]), 0.5)[1]
assert keep.tolist() == [0, 2], keep
import mmdet.models, open_clip, pycocotools, lvis, ovdet  # noqa: F401
PY
}

# Fast path: nothing changed since the last successful run.
if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$(want_stamp)" ] && verify_stack >/dev/null 2>&1; then
    say "environment ready: $VENV"
    exit 0
fi

# 1. python
if [ -z "${OVDET_PYTHON:-}" ]; then
    if command -v python3.11 >/dev/null 2>&1; then OVDET_PYTHON=python3.11; else OVDET_PYTHON=python3; fi
fi
command -v "$OVDET_PYTHON" >/dev/null 2>&1 || fail python "install Python 3.11 (with venv) or set OVDET_PYTHON"
"$OVDET_PYTHON" -c 'import sys, venv; assert sys.version_info >= (3, 9)' 2>/dev/null \
    || fail python "$OVDET_PYTHON must be Python >= 3.9 with the venv module (Debian: apt-get install python3-venv)"

# 2. venv
if [ ! -x "$VENV/bin/python" ]; then
    say "creating the virtual environment $VENV"
    "$OVDET_PYTHON" -m venv "$VENV" || fail venv "check that $OVDET_PYTHON -m venv works and $VENV is writable"
fi
PIP=("$VENV/bin/python" -m pip --disable-pip-version-check)
PY_TAG=$("$VENV/bin/python" -c 'import sys; print(f"cp{sys.version_info[0]}{sys.version_info[1]}")')

# 3. torch first, alone
say "installing torch (requirements/torch.txt)"
"${PIP[@]}" install -q -r "$REQ/torch.txt" \
    || fail torch "pip could not install requirements/torch.txt; check your network or pip index, or install those torch/torchvision versions by hand into $VENV"
TORCH_VERSION=$("$VENV/bin/python" -c 'import torch; print(torch.__version__.split("+")[0])')
"${PIP[@]}" install -q 'setuptools<81' wheel || fail build-tools "pip install 'setuptools<81' wheel"

# 4. mmcv (full, compiled ops): wheelhouse, else cached source build, else source build
mmcv_works() { "$VENV/bin/python" -c 'import mmcv, mmcv.ops; assert mmcv.__version__ == "2.1.0"' >/dev/null 2>&1; }
install_from() {  # install_from DIR: true if DIR has an mmcv 2.1.0 wheel that installs and loads here
    local dir=$1
    ls "$dir"/mmcv-2.1.0-*.whl >/dev/null 2>&1 || return 1
    "${PIP[@]}" install -q --only-binary mmcv --find-links "$dir" mmcv==2.1.0 >/dev/null 2>&1 || return 1
    mmcv_works || { "${PIP[@]}" uninstall -q -y mmcv >/dev/null 2>&1; return 1; }
}
if mmcv_works; then
    say "mmcv 2.1.0 with ops already installed"
else
    BUILT_DIR="$CACHE/wheels/mmcv-2.1.0-torch$TORCH_VERSION-$PY_TAG"
    found=""
    for dir in ${OVDET_WHEELHOUSE:-} "$ROOT/../shared/wheelhouse" "$BUILT_DIR"; do
        [ -d "$dir" ] || continue
        if install_from "$dir"; then found=$dir; break; fi
    done
    if [ -n "$found" ]; then
        say "mmcv 2.1.0 installed from the wheel in $found"
    else
        say "no usable mmcv wheel: building mmcv 2.1.0 from source (about 25 minutes on 2 cores, once per machine)"
        SRC=$(mktemp -d)
        "${PIP[@]}" download -q --no-deps --no-build-isolation --no-binary :all: -d "$SRC" mmcv==2.1.0 \
            || fail mmcv-download "pip could not fetch the mmcv==2.1.0 sdist; put a prebuilt wheel in a folder and set OVDET_WHEELHOUSE to it"
        tar -xzf "$SRC"/mmcv-2.1.0.tar.gz -C "$SRC" || fail mmcv-unpack "the downloaded mmcv sdist is damaged; delete $SRC and rerun"
        # torch >= 2.5 headers need C++20; mmcv 2.1.0's setup.py asks for C++14/17.
        sed -i 's/-std=c++14/-std=c++20/g; s/-std=c++17/-std=c++20/g' "$SRC/mmcv-2.1.0/setup.py"
        mkdir -p "$BUILT_DIR"
        (cd "$SRC/mmcv-2.1.0" && MMCV_WITH_OPS=1 MAX_JOBS=${MAX_JOBS:-$(nproc)} \
            "${PIP[@]}" wheel -q --no-build-isolation --no-deps -w "$BUILT_DIR" .) \
            || fail mmcv-build "the mmcv source build failed; it needs gcc/g++ >= 10 and the Python headers (Debian: apt-get install build-essential python3-dev). Its log is above."
        rm -rf "$SRC"
        install_from "$BUILT_DIR" || fail mmcv-install "the wheel built in $BUILT_DIR does not load; delete that folder and rerun"
        say "mmcv 2.1.0 built and cached in $BUILT_DIR"
    fi
fi

# 5. the rest of the stack, the tests' tools, and ovdet itself
say "installing mmengine, mmdet, open_clip_torch, pycocotools, lvis (requirements/runtime.txt)"
"${PIP[@]}" install -q -r "$REQ/runtime.txt" -r "$REQ/tests.txt" -c "$REQ/torch.txt" \
    || fail packages "pip could not install requirements/runtime.txt; check your network or pip index"
"${PIP[@]}" install -q --no-deps --no-build-isolation -e "$ROOT" || fail ovdet "pip install -e . failed; is the checkout complete?"

# mmcv-lite (pure Python, no ops) is kept beside, for the test that runs the CLIM path without ops
LITE_DIR="$CACHE/wheels/mmcv-lite-2.1.0"
if ! ls "$LITE_DIR"/mmcv_lite-2.1.0-*.whl >/dev/null 2>&1; then
    "${PIP[@]}" download -q --no-deps -d "$LITE_DIR" mmcv-lite==2.1.0 \
        || fail mmcv-lite "pip could not download mmcv-lite==2.1.0 into $LITE_DIR; check your network or pip index"
fi

# 6. verify that compiled ops really load
verify_stack || fail verify "mmcv.ops.nms or an import failed (see above); delete $VENV and rerun"
want_stamp > "$STAMP"
say "environment ready: $VENV"
