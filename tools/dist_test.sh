#!/usr/bin/env bash
# Usage: bash tools/dist_test.sh CONFIG CHECKPOINT GPUS [test.py args...]
# Multi-node: NNODES, NODE_RANK, MASTER_ADDR and PORT as for torchrun. Without CUDA the processes
# run on CPU with the gloo backend (GPUS is then the number of processes).
set -euo pipefail
CONFIG=$1
CHECKPOINT=$2
GPUS=$3
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/_python.sh"
PYTHONPATH="$HERE/..${PYTHONPATH:+:$PYTHONPATH}" exec "$PYTHON" -m torch.distributed.run \
    --nnodes="${NNODES:-1}" --node_rank="${NODE_RANK:-0}" --master_addr="${MASTER_ADDR:-127.0.0.1}" \
    --nproc_per_node="$GPUS" --master_port="${PORT:-29500}" \
    "$HERE/test.py" "$CONFIG" "$CHECKPOINT" --launcher pytorch "${@:4}"
