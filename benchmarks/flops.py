"""Analytic FLOP count of one CLIM training step, and the peak FLOP/s it is compared with.

One FLOP = one multiply or one add, so a (m x k) @ (k x n) matmul costs 2 m k n. Only matmuls
are counted (linear layers, attention products, the patch-embedding convolution, the output
projections); LayerNorm, softmax, GELU, residual adds, bicubic mosaic resize, RoIAlign, the loss
and the optimiser are left out (together well under 1 % for ViT-B/16).

Notation: C = width (768 for ViT-B/16), r = MLP ratio (4), T = tokens of one image,
L = 12 blocks, U = unlocked (trainable) blocks (6: blocks 6..11), D = embedding dim (512).
A 1024 x 1024 mosaic at patch 16 has T = 64^2 + 1 = 4,097 tokens; a single 224 image T = 197.

Forward, per image of T tokens:

* patch embedding conv: 2 (T-1) (3 p^2) C;
* normal block:  F_blk(T) = 2 T (3C^2 + C^2 + 2rC^2)  [qkv, out-proj, MLP]
                          + 4 T^2 C                   [q k^T and attn @ v, all heads; the full
                                                       T x T square, no sparsity];
* v2 last block (mosaics only, value path, no q/k, no softmax):
                 F_v2(T) = 2 T (C^2 + C^2 + 2rC^2)    [v slice, out-proj, MLP];
* head: mosaics 2 T C D (``ln_post`` + ``proj`` on every token); singles 2 C D (CLS only).

Backward runs only through the U unlocked blocks (and the head). For every linear layer, the
weight gradient costs as much as its forward and the input gradient as much again; the input
gradient of the first unlocked block's qkv projection is not needed (its input carries no grad),
so 2 T 3C^2 is subtracted once. Attention backward costs twice its forward (dS -> dQ, dK and
dO -> dV, dP: four T x T x C products; the recomputation a fused kernel does is not counted:
these are model FLOPs). The head is frozen, so it has input gradients only (2 T C D mosaics,
2 C D singles).

Text tower (frozen, under no_grad: forward only): N_cap captions of context 77, width 512,
12 blocks, r = 4, causal mask applied to the full square (counted as the full 4 T^2 C), plus
the text projection on the EOT token.

For ViT-B/16, 32 images (three 1024 mosaics + 3 singles at 224): 3.785 TFLOP forward and
3.543 TFLOP backward of the mosaics (attention's T^2 terms are 47 % of a normal mosaic block), 0.208
TFLOP for the singles, 0.191 TFLOP text: 7.726 TFLOP per step. At 45 % MFU of an H100 SXM in
bf16 (445 TFLOP/s) that is a 17.4 ms step, 1,844 images/s per GPU.

Peak FLOP/s: vendor dense (no sparsity) figures per dtype, :data:`GPU_PEAKS`; on a CPU, the
best fp32 matmul rate measured by :func:`measure_cpu_matmul_peak` on all threads (an
achievable peak, not the theoretical one).
"""
import math
import time
from typing import Dict, Optional

VIT_B16 = dict(width=768, layers=12, mlp_ratio=4, patch=16, embed_dim=512, image_size=224,
               text_width=512, text_layers=12, context_length=77)

# dense (non-sparse) tensor-core peaks in FLOP/s, from the vendors' data sheets
GPU_PEAKS = {
    'H100 SXM': {'bf16': 989.4e12, 'fp16': 989.4e12, 'tf32': 494.7e12, 'fp32': 66.9e12},
    'H100 NVL': {'bf16': 835.5e12, 'fp16': 835.5e12, 'tf32': 417.8e12, 'fp32': 60.0e12},
    'H100 PCIe': {'bf16': 756.5e12, 'fp16': 756.5e12, 'tf32': 378.0e12, 'fp32': 51.2e12},
    'H200': {'bf16': 989.4e12, 'fp16': 989.4e12, 'tf32': 494.7e12, 'fp32': 66.9e12},
    'A100': {'bf16': 312e12, 'fp16': 312e12, 'tf32': 156e12, 'fp32': 19.5e12},
}


def gpu_peak(name: str, dtype: str) -> Optional[float]:
    """Peak FLOP/s of a GPU (``torch.cuda.get_device_name``) in ``dtype`` (bf16/fp16/tf32/fp32);
    None for an unknown card. 'H100 80GB HBM3' is the SXM part."""
    n = name.upper()
    if 'H200' in n:
        key = 'H200'
    elif 'H100' in n:
        key = 'H100 PCIE' if 'PCIE' in n else ('H100 NVL' if 'NVL' in n else 'H100 SXM')
        key = {'H100 PCIE': 'H100 PCIe'}.get(key, key)
    elif 'A100' in n:
        key = 'A100'
    else:
        return None
    return GPU_PEAKS[key].get(dtype)


def block_forward(tokens: int, width: int, mlp_ratio: int = 4) -> Dict[str, float]:
    """Forward FLOPs of one normal block: {'linear': 2T(4+2r)C^2, 'attention': 4T^2C}."""
    c = width
    return dict(linear=2.0 * tokens * (4 + 2 * mlp_ratio) * c * c,
                attention=4.0 * tokens * tokens * c)


def v2_block_forward(tokens: int, width: int, mlp_ratio: int = 4) -> float:
    """Forward FLOPs of the value-path (v2) last block: 2T(2 + 2r)C^2."""
    return 2.0 * tokens * (2 + 2 * mlp_ratio) * width * width


def tower_flops(tokens: int, count: int, v2_last: bool, cfg: dict = VIT_B16,
                unlocked: int = 6) -> Dict[str, float]:
    """Forward and backward FLOPs of ``count`` images of ``tokens`` tokens through the image
    tower (see the module docstring). Returns {'forward', 'backward'} in FLOP."""
    c, n_layers, r, p, d = (cfg['width'], cfg['layers'], cfg['mlp_ratio'], cfg['patch'],
                            cfg['embed_dim'])
    blk = block_forward(tokens, c, r)
    normal = blk['linear'] + blk['attention']
    patch = 2.0 * (tokens - 1) * 3 * p * p * c
    if v2_last:
        fwd_blocks = (n_layers - 1) * normal + v2_block_forward(tokens, c, r)
        head = 2.0 * tokens * c * d
        # unlocked: (unlocked - 1) normal blocks + the v2 block
        bwd_linear = 2 * ((unlocked - 1) * blk['linear'] + v2_block_forward(tokens, c, r))
        bwd_attn = 2 * (unlocked - 1) * blk['attention']
    else:
        fwd_blocks = n_layers * normal
        head = 2.0 * c * d
        bwd_linear = 2 * unlocked * blk['linear']
        bwd_attn = 2 * unlocked * blk['attention']
    if unlocked > 0:
        bwd_linear -= 2.0 * tokens * 3 * c * c  # first unlocked block: no qkv input gradient
    backward = bwd_linear + bwd_attn + head if unlocked > 0 else 0.0
    return dict(forward=count * (patch + fwd_blocks + head), backward=count * backward)


def text_flops(captions: int, cfg: dict = VIT_B16) -> float:
    """Forward FLOPs of the frozen text tower on ``captions`` captions (full context)."""
    t, c, n_layers = cfg['context_length'], cfg['text_width'], cfg['text_layers']
    blk = block_forward(t, c, 4)
    return captions * (n_layers * (blk['linear'] + blk['attention']) + 2.0 * c * cfg['embed_dim'])


def mosaic_split(images: int, grids=(2, 3, 4)):
    """(number of mosaics, number of singles) of GridMosaic for a batch of ``images``."""
    per_group = sum(g * g for g in grids)
    groups = images // per_group
    return groups * len(grids), images - groups * per_group


def clim_step_flops(images: int = 32, mosaic_size: int = 1024, cfg: dict = VIT_B16,
                    unlocked: int = 6, grids=(2, 3, 4)) -> Dict[str, float]:
    """FLOPs of one CLIM step (see the module docstring): a dict with the parts and 'total'."""
    mosaics, singles = mosaic_split(images, grids)
    t_mosaic = (mosaic_size // cfg['patch']) ** 2 + 1
    t_single = (cfg['image_size'] // cfg['patch']) ** 2 + 1
    m = tower_flops(t_mosaic, mosaics, True, cfg, unlocked)
    s = tower_flops(t_single, singles, False, cfg, unlocked)
    text = text_flops(images, cfg)
    parts = dict(mosaic_forward=m['forward'], mosaic_backward=m['backward'],
                 single_forward=s['forward'], single_backward=s['backward'], text_forward=text,
                 mosaic_tokens=t_mosaic, single_tokens=t_single, mosaics=mosaics, singles=singles)
    parts['total'] = (m['forward'] + m['backward'] + s['forward'] + s['backward'] + text)
    return parts


def measure_cpu_matmul_peak(n: int = 1024, seconds: float = 2.0) -> float:
    """Best fp32 FLOP/s of an n x n @ n x n matmul on the current torch threads (a measured,
    achievable CPU peak; under contention it is what the CPU gives at that time)."""
    import torch
    a, b = torch.randn(n, n), torch.randn(n, n)
    a @ b
    best, end = 0.0, time.perf_counter() + seconds
    while time.perf_counter() < end:
        t0 = time.perf_counter()
        a @ b
        best = max(best, 2.0 * n ** 3 / (time.perf_counter() - t0))
    return best


def workers_needed(images_per_s: float, per_core_rate: float) -> int:
    """Loader worker processes (one core each) to feed ``images_per_s``."""
    return int(math.ceil(images_per_s / per_core_rate))
