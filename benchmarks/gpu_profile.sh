#!/usr/bin/env bash
# One-shot GPU profile (H100 / H200): every measurement of the benchmark harness in < 8 minutes
# (the per-part limits add up to 445 s, plus about 15 s of wheel installation).
#
# Run once on a lent GPU machine from the repository root, with the device-py312 wheels copied
# into the ignored folder .whl/ of the checkout and carried there:
#
#     bash benchmarks/gpu_profile.sh            # results land in $OUT (or ./gpu_profile_out)
#
# then, back on the development machine:
#
#     python benchmarks/run.py --import-results <folder with the JSON files>
#
# Parts, in order of importance, each in its own process with its own timeout, so one failure or
# hang loses only that part (its JSON then records the error):
#   1. CLIM step, ViT-B/16, 32 images/GPU (three 1024 mosaics + 3 singles), fast path, bf16
#   2. the same in fp16 (GradScaler), as the reference recipe trains
#   3. the same in bf16 on the plain reference path (before/after on the GPU)
#   4. caption data pipeline (per-core rate, CUDA batched JPEG decode) -> loader workers per GPU
#   5. region-classification evaluation (ViT-B/16 at 1024, rois + maskpool)
#   6. CLIM step bf16 with torch.compile on the blocks (opt-in; its gain is unknown until measured)
# The F-VLM detector needs mmcv's compiled ops, which the mmcv-lite stack there lacks: not run.
#
# For a CPU dry run of the whole script: DEVICE=cpu QUICK=1 bash benchmarks/gpu_profile.sh
set -u
cd "$(dirname "$0")/.."
OUT=${OUT:-$PWD/gpu_profile_out}
mkdir -p "$OUT"
PY=${PYTHON:-python3}
DEVICE=${DEVICE:-cuda}
LOG="$OUT/gpu_profile.log"
T0=$(date +%s)

if ls .whl/*.whl >/dev/null 2>&1; then
  $PY -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .whl/*.whl \
    >>"$LOG" 2>&1 || echo "wheel install failed (continuing)" | tee -a "$LOG"
  export PYTHONPATH=/tmp/site:$PWD${PYTHONPATH:+:$PYTHONPATH}
else
  export PYTHONPATH=$PWD${PYTHONPATH:+:$PYTHONPATH}
fi
export PYTHONUNBUFFERED=1

{ nvidia-smi 2>&1 || true; $PY -c "import torch, sys; print(sys.version); print('torch', torch.__version__, 'cuda', torch.version.cuda, torch.cuda.is_available() and torch.cuda.get_device_name())" 2>&1; } > "$OUT/environment.txt"

if [ -n "${QUICK:-}" ]; then
  # CPU dry run: tiny settings, same code paths
  CLIM="--images 32 --mosaic-size 128 --steps 1 --warmup 0"
  Q="--quick"
  SCALE=2
else
  CLIM="--images 32 --mosaic-size 1024 --steps 10 --warmup 3"
  Q=""
  SCALE=1
fi

part() {  # part NAME TIMEOUT_S ARGS...
  local name=$1 limit=$(( $2 * SCALE )); shift 2
  local start=$(date +%s)
  echo "== $name (limit ${limit}s, elapsed $(( start - T0 ))s)" | tee -a "$LOG"
  timeout --kill-after=10 "$limit" $PY benchmarks/run.py --device "$DEVICE" --out "$OUT" \
    --no-report --timeout "$(( limit - 5 ))" "$@" >>"$LOG" 2>&1
  local rc=$?
  echo "   $name: exit $rc after $(( $(date +%s) - start ))s" | tee -a "$LOG"
  tail -n 2 "$LOG" | grep -E '"median_step_s"|error' || true
}

part clim-bf16         80 --which clim $CLIM --amp bf16
part clim-fp16         70 --which clim $CLIM --amp fp16
part clim-bf16-plain   70 --which clim $CLIM --amp bf16 --variant plain
part data              45 --which data $Q
part region            60 --which region --quick
part clim-bf16-compile 120 --which clim $CLIM --amp bf16 --compile

echo "total $(( $(date +%s) - T0 ))s; results:" | tee -a "$LOG"
ls -1 "$OUT" | tee -a "$LOG"
