"""One full CLIM training step of ViT-B/16 (random init: speed does not depend on the weights).

Step = ``CLIMModel.train_step``: normalise B uint8 224x224 images, GridMosaic (2, 3, 4) at
``mosaic_size`` (B = 32: one 2x2, one 3x3, one 4x4 mosaic + 3 singles), v2 box features of the
mosaics + CLS features of the singles, frozen text tower (no_grad) on B captions, contrastive
loss, backward through the 6 unlocked blocks, AdamW (betas 0.9/0.98, eps 1e-6, wd 0.1).

Variants: ``fast`` (the encoder's fast path, ``CLIPEncoder.fast = True``) and ``plain`` (the
reference path, as before the speed work). ``amp``: None (fp32), 'bf16' or 'fp16'
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
    model.encoder.fast = variant == 'fast'
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
        losses.append(float(out['loss']))
        return f'loss {losses[-1]:.6f}'

    reset_peak(device)
    times = time_calls(step, steps, warmup, device, log)
    res = summary(times, images)
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
        peak = measure_cpu_matmul_peak()
        res['peak_source'] = 'measured fp32 1024^3 matmul, best of 2 s, all torch threads'
    if peak:
        res['peak_tflops'] = round(peak / 1e12, 4)
        res['mfu'] = round(flops['total'] / res['median_step_s'] / peak, 4)
    res['losses'] = losses
    res['setting'] = dict(model='ViT-B-16', images=images, mosaic_size=mosaic_size,
                          variant=variant, amp=amp or 'fp32', compile=compile_blocks,
                          steps=steps, warmup=warmup)
    return res
