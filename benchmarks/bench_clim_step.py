"""Time one full CLIM training step of ViT-B/16 (random init) and report its peak memory.

Step = preprocess 32 uint8 224x224 images -> one 2x2, one 3x3, one 4x4 mosaic at 1024 px + 3 singles,
v2 box features + CLS features, frozen text tower on 32 captions, contrastive loss, backward,
AdamW step (blocks 6..11 and logit_scale trainable).

    .venv/bin/python benchmarks/bench_clim_step.py [--steps 3] [--device cpu|cuda] [--amp]
"""
import argparse
import resource
import statistics
import time

import torch
from mmengine.optim import build_optim_wrapper
from mmengine.structures import BaseDataElement

import ovdet.clim  # noqa: F401
from mmdet.registry import MODELS


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--steps', type=int, default=3)
    parser.add_argument('--device', default='cuda' if torch.cuda.is_available() else 'cpu')
    parser.add_argument('--amp', action='store_true', help='fp16 autocast (CUDA)')
    parser.add_argument('--model', default='ViT-B-16')
    parser.add_argument('--mosaic-size', type=int, default=1024)
    args = parser.parse_args()

    torch.manual_seed(0)
    model = MODELS.build(dict(
        type='CLIMModel', clip=dict(model_name=args.model), unlocked_groups=6,
        data_preprocessor=dict(type='CLIMDataPreprocessor', batch_augments=[
            dict(type='GridMosaic', grids=(2, 3, 4), size=args.mosaic_size)]))).to(args.device)
    model.train()
    optim = dict(type='AmpOptimWrapper' if args.amp else 'OptimWrapper',
                 optimizer=dict(type='AdamW', lr=1e-5, betas=(0.9, 0.98), eps=1e-6,
                                weight_decay=0.1),
                 paramwise_cfg=dict(norm_decay_mult=0., bias_decay_mult=0., flat_decay_mult=0.,
                                    custom_keys={'logit_scale': dict(decay_mult=0.)}))
    wrapper = build_optim_wrapper(model, optim)
    size = model.encoder.image_size
    samples = []
    for i in range(32):
        s = BaseDataElement()
        s.tokens = model.encoder.tokenize([f'a photo of thing number {i}'])[0].cpu()
        samples.append(s)
    data = dict(inputs=[torch.randint(0, 256, (3, size, size), dtype=torch.uint8)
                        for _ in range(32)], data_samples=samples)

    times = []
    if args.device == 'cuda':
        torch.cuda.reset_peak_memory_stats()
    for step in range(args.steps):
        if args.device == 'cuda':
            torch.cuda.synchronize()
        t0 = time.perf_counter()
        log = model.train_step(data, wrapper)
        if args.device == 'cuda':
            torch.cuda.synchronize()
        times.append(time.perf_counter() - t0)
        print(f'step {step}: {times[-1]:.2f} s, loss {log["loss"].item():.4f}', flush=True)
    timed = times[1:] if len(times) > 1 else times  # the first step includes warm-up
    print(f'device {args.device} ({torch.get_num_threads()} threads), amp={args.amp}, '
          f'model {args.model}, mosaics at {args.mosaic_size}')
    print(f'median step time (excluding the first): {statistics.median(timed):.2f} s')
    if args.device == 'cuda':
        print(f'peak GPU memory: {torch.cuda.max_memory_allocated() / 2**30:.2f} GiB')
    print(f'peak host RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20:.2f} GiB')


if __name__ == '__main__':
    main()
