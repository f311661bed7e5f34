"""Speed of the ViT-B/16 OV-COCO F-VLM (random init) at 640x640: inference images/second and
training seconds/iteration. CPU by default; keeps runs short.

    python benchmarks/bench_fvlm.py [--device cpu] [--batch 1] [--iters 3] [--warmup 1]
"""
import argparse
import copy
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def build(device, num_classes=80, embed_dim=512):
    import numpy as np
    from mmdet.registry import MODELS
    from mmdet.utils import register_all_modules
    from mmengine.config import Config
    import ovdet.models  # noqa: F401
    register_all_modules()
    cfg = Config.fromfile('configs/clip_based/fvlm_vitb16_clim_ov_coco.py')
    m = cfg.model
    m.backbone.clip.checkpoint = None
    m.backbone.norm_cfg = dict(type='BN', requires_grad=True)
    m.neck.norm_cfg = dict(type='BN', requires_grad=True)
    m.roi_head.bbox_head.norm_cfg = dict(type='BN', requires_grad=True)
    rng = np.random.default_rng(0)
    m.roi_head.bbox_head.class_embeddings = rng.standard_normal((num_classes, embed_dim))
    model = MODELS.build(m).to(device)
    model.init_weights()
    return model


def batch(device, n, size=640):
    import torch
    from mmdet.structures import DetDataSample
    from mmengine.structures import InstanceData
    samples = []
    for _ in range(n):
        s = DetDataSample(metainfo=dict(img_shape=(size, size), ori_shape=(size, size),
                                        pad_shape=(size, size), batch_input_shape=(size, size),
                                        scale_factor=(1., 1.)))
        s.gt_instances = InstanceData(
            bboxes=torch.tensor([[40., 60., 300., 380.], [320., 100., 600., 500.]], device=device),
            labels=torch.tensor([0, 2], device=device))
        samples.append(s)
    return torch.randn(n, 3, size, size, device=device), samples


def timed(fn, iters, warmup, device):
    import torch
    for _ in range(warmup):
        fn()
    if device.startswith('cuda'):
        torch.cuda.synchronize()
    t0 = time.perf_counter()
    for _ in range(iters):
        fn()
    if device.startswith('cuda'):
        torch.cuda.synchronize()
    return (time.perf_counter() - t0) / iters


def main():
    import torch
    p = argparse.ArgumentParser()
    p.add_argument('--device', default='cpu')
    p.add_argument('--batch', type=int, default=1)
    p.add_argument('--iters', type=int, default=3)
    p.add_argument('--warmup', type=int, default=1)
    args = p.parse_args()
    model = build(args.device)
    x, samples = batch(args.device, args.batch)
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    frozen = sum(p.numel() for p in model.parameters() if not p.requires_grad)
    print(f'params: trainable {trainable / 1e6:.1f}M, frozen CLIP {frozen / 1e6:.1f}M; '
          f'device {args.device}, threads {torch.get_num_threads()}, batch {args.batch}, 640x640')

    model.eval()

    def infer():
        with torch.no_grad():
            model(x, copy.deepcopy(samples), mode='predict')
    t_inf = timed(infer, args.iters, args.warmup, args.device)
    print(f'inference: {t_inf:.3f} s/batch, {args.batch / t_inf:.2f} images/s')

    model.train()
    opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-4)

    def step():
        losses = model(x, copy.deepcopy(samples), mode='loss')
        loss = sum(v.sum() if isinstance(v, torch.Tensor) else sum(v) for k, v in losses.items()
                   if 'loss' in k)
        opt.zero_grad()
        loss.backward()
        opt.step()
    t_train = timed(step, args.iters, args.warmup, args.device)
    print(f'training: {t_train:.3f} s/iteration ({args.batch} image(s) per iteration)')


if __name__ == '__main__':
    main()
