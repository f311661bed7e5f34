"""One full CLIM training step of ViT-B/16 (random init: speed does not depend on the weights).

Step = ``CLIMModel.train_step``: normalise B uint8 224x224 images, GridMosaic (2, 3, 4) at
``mosaic_size`` (B = 32: one 2x2, one 3x3, one 4x4 mosaic + 3 singles), v2 box features of the
mosaics + CLS features of the singles, frozen text tower (no_grad) on B captions, contrastive
loss, backward through the 6 unlocked blocks, AdamW (betas 0.9/0.98, eps 1e-6, wd 0.1).

Variants: ``fast`` (the encoder's fast path, ``CLIPEncoder.fast = True``), ``plain`` (the
reference path, as before the speed work) and ``ab`` (both in one process, alternating step by
step, for a before/after under the same, fluctuating, load). ``amp``: None (fp32), 'bf16' or 'fp16'
(``AmpOptimWrapper`` with that dtype, fp16 with a loss scaler; on CPU, where mmengine's AMP
wrapper refuses to run, ``torch.autocast('cpu')`` around the step). On CUDA the fast variant uses
fused AdamW and TF32 matmuls for any fp32 part.
"""
from typing import Optional

from .common import peak_memory, reset_peak, summary, time_calls
from .flops import VIT_B16, clim_step_flops, gpu_peak, measure_cpu_matmul_peak


def build(device: str, variant: str, amp: Optional[str], images: int, mosaic_size: int,
          model_name: str = 'ViT-B-16', compile_blocks: bool = False):
    import torch
    from mmengine.optim import build_optim_wrapper
    from mmengine.structures import BaseDataElement

    import ovdet.clim  # noqa: F401
    from mmdet.registry import MODELS

    torch.manual_seed(0)
    model = MODELS.build(dict(
        type='CLIMModel', clip=dict(model_name=model_name), unlocked_groups=6,
        data_preprocessor=dict(type='CLIMDataPreprocessor', batch_augments=[
            dict(type='GridMosaic', grids=(2, 3, 4), size=mosaic_size)]))).to(device)
    model.train()
    model.encoder.fast = variant != 'plain'
    if compile_blocks:
        from ovdet.clip import vit
        vit.enable_compile(True)
    optimizer = dict(type='AdamW', lr=1e-5, betas=(0.9, 0.98), eps=1e-6, weight_decay=0.1)
    if device.startswith('cuda') and variant == 'fast':
        optimizer['fused'] = True
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True
    cuda_amp = bool(amp) and device.startswith('cuda')
    optim = dict(type='AmpOptimWrapper' if cuda_amp else 'OptimWrapper', optimizer=optimizer,
                 paramwise_cfg=dict(norm_decay_mult=0., bias_decay_mult=0., flat_decay_mult=0.,
                                    custom_keys={'logit_scale': dict(decay_mult=0.)}))
    if cuda_amp:
        optim['dtype'] = {'bf16': 'bfloat16', 'fp16': 'float16'}[amp]
    wrapper = build_optim_wrapper(model, optim)
    size = model.encoder.image_size
    gen = torch.Generator().manual_seed(0)
    samples = []
    for i in range(images):
        s = BaseDataElement()
        s.tokens = model.encoder.tokenize([f'a photo of thing number {i}'])[0].cpu()
        samples.append(s)
    data = dict(inputs=[torch.randint(0, 256, (3, size, size), dtype=torch.uint8, generator=gen)
                        for _ in range(images)], data_samples=samples)
    return model, wrapper, data


def _alternate(model, step, rounds, warmup, device, images, log) -> dict:
    """A/B in one process: each round runs one plain and one fast step (order P F, F P, P F,
    ...), so both variants see the same load; returns the fast medians plus ``ab`` details."""
    import statistics
    model.encoder.fast = True
    time_calls(step, 0, warmup, device, log)
    times = {'plain': [], 'fast': []}
    for r in range(rounds):
        for v in (('plain', 'fast') if r % 2 == 0 else ('fast', 'plain')):
            model.encoder.fast = v == 'fast'
            times[v] += time_calls(step, 1, 0, device, lambda m: log(f'{v} {m}'))
    model.encoder.fast = True
    res = summary(times['fast'], images)
    med = {v: statistics.median(t) for v, t in times.items()}
    res['ab'] = dict(plain_step_times_s=[round(t, 4) for t in times['plain']],
                     fast_step_times_s=[round(t, 4) for t in times['fast']],
                     plain_median_s=round(med['plain'], 4), fast_median_s=round(med['fast'], 4),
                     speedup=round(med['plain'] / med['fast'], 4),
                     paired_ratios=[round(p / f, 4) for p, f in zip(times['plain'],
                                                                    times['fast'])])
    return res


def run(device: str = 'cpu', variant: str = 'fast', amp: Optional[str] = None, images: int = 32,
        mosaic_size: int = 1024, steps: int = 3, warmup: int = 1, compile_blocks: bool = False,
        log=print) -> dict:
    import torch
    model, wrapper, data = build(device, variant, amp, images, mosaic_size,
                                 compile_blocks=compile_blocks)
    losses = []

    def step():
        if amp and not device.startswith('cuda'):  # mmengine's AmpOptimWrapper is CUDA-only
            dtype = torch.bfloat16 if amp == 'bf16' else torch.float16
            with torch.autocast('cpu', dtype=dtype):
                out = model.train_step(data, wrapper)
        else:
            out = model.train_step(data, wrapper)
        losses.append(float(out['loss'].detach()))
        return f'loss {losses[-1]:.6f}'

    cpu_peak_before = None if device.startswith('cuda') else measure_cpu_matmul_peak()
    reset_peak(device)
    if variant == 'ab':
        res = _alternate(model, step, steps, warmup, device, images, log)
    else:
        res = summary(time_calls(step, steps, warmup, device, log), images)
    res.update(peak_memory(device))
    flops = clim_step_flops(images, mosaic_size, VIT_B16)
    res['flops_per_step'] = flops['total']
    res['flops_parts'] = {k: v for k, v in flops.items() if k != 'total'}
    res['tflops_per_s'] = round(flops['total'] / res['median_step_s'] / 1e12, 4)
    if device.startswith('cuda'):
        dtype = amp or ('tf32' if torch.backends.cuda.matmul.allow_tf32 else 'fp32')
        peak = gpu_peak(torch.cuda.get_device_name(), dtype)
        res['peak_source'] = f'data-sheet dense {dtype} peak'
    else:
        peak = max(cpu_peak_before, measure_cpu_matmul_peak())
        res['peak_source'] = ('measured fp32 1024^3 matmul, best of 2 s before and 2 s after '
                              'the steps, all torch threads (shared machine: a lower bound of '
                              'the true peak, so CPU MFU reads high)')
    if peak:
        res['peak_tflops'] = round(peak / 1e12, 4)
        res['mfu'] = round(flops['total'] / res['median_step_s'] / peak, 4)
    res['losses'] = losses
    res['setting'] = dict(model='ViT-B-16', images=images, mosaic_size=mosaic_size,
                          variant=variant, amp=amp or 'fp32', compile=compile_blocks,
                          steps=steps, warmup=warmup)
    return res
