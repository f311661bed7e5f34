"""Detic training steps: the tiny shapes-world configs and the full OV-COCO R50-C4 config, at
2 detection + 2 caption + 2 mosaic images, random weights (text tower included).

Per config: median seconds per training step (forward + backward + SGD; wall time and this
process's CPU time, which other processes' load does not inflate), peak memory, and the share of
the step spent in the OVD branches (caption + mosaic: backbone, proposals, caption/tag losses).
The mosaic images are 4 x 4 grids (16 image boxes with captions, the costliest case); sizes follow
the recipe: detection 1333 x 800, caption 667 x 400, mosaic 800 x 800 (tiny: 128 / 96 / 128).
"""
import copy

from .common import measure_steps, summary, time_calls, training_step

#: benchmark name -> (config, (det h, w), (caption h, w), (mosaic h, w))
CONFIGS = {
    'detic-c4-tiny': ('configs/demo/detic_tiny_clim_ov_shapes.py', (128, 128), (96, 96), (128, 128)),
    'detic-centernet2-tiny': ('configs/demo/detic_tiny_centernet2_ov_lvis.py', (128, 128), (96, 96),
                              (128, 128)),
    'detic-c4-r50': ('configs/detic/detic_w_tags_clim_faster_rcnn_r50_caffe_c4_45k.py', (800, 1216),
                     (384, 672), (800, 800)),
}


def build(config: str, device: str):
    import numpy as np
    from mmdet.registry import MODELS
    from mmdet.utils import register_all_modules
    from mmengine.config import Config
    import ovdet.models  # noqa: F401
    register_all_modules()
    cfg = Config.fromfile(config)
    m = cfg.model
    head = m.roi_head
    head.text_encoder.clip.checkpoint = None
    heads = head.bbox_head if isinstance(head.bbox_head, list) else [head.bbox_head]
    rng = np.random.default_rng(0)
    for h in heads:
        if not isinstance(h.class_embeddings, (list, tuple)):  # a file we do not have, or names
            h.class_embeddings = rng.standard_normal((h.num_classes, 512 if 'r50' in config else 32)
                                                     ).astype(np.float32).tolist()
        if h.loss_cls.get('fed_class_freq') is not None:
            h.loss_cls.fed_class_freq = [1] * h.num_classes
    for key in ('backbone', ):
        m[key].init_cfg = None
    if head.get('shared_head'):
        head.shared_head.init_cfg = None
    model = MODELS.build(m).to(device)
    model.init_weights()
    return model


def batch(device: str, sizes, n: int = 2, with_mask: bool = False):
    """Inputs and samples of the three branches (the mosaic's 16 cells each an image box)."""
    import numpy as np
    import torch
    from mmdet.structures import DetDataSample
    from mmdet.structures.mask import BitmapMasks
    from mmengine.structures import InstanceData
    inputs, samples = {}, {}
    for b, (name, (h, w)) in enumerate(zip(('det', 'caption', 'mosaic'), sizes)):
        inputs[name] = torch.randn(n, 3, h, w, device=device)
        samples[name] = []
        for i in range(n):
            meta = dict(img_shape=(h, w), ori_shape=(h, w), pad_shape=(h, w), batch_input_shape=(h, w),
                        scale_factor=(1., 1.), flip=False, flip_direction=None, img_id=100 * b + i)
            gt = InstanceData()
            if name == 'det':
                gt.bboxes = torch.tensor([[0.1 * w, 0.1 * h, 0.45 * w, 0.6 * h],
                                          [0.5 * w, 0.3 * h, 0.9 * w, 0.9 * h]], device=device)
                gt.labels = torch.tensor([0, 1], device=device)
                if with_mask:
                    masks = np.zeros((2, h, w), dtype=np.uint8)
                    for k, (x0, y0, x1, y1) in enumerate(gt.bboxes.round().int().tolist()):
                        masks[k, y0:y1, x0:x1] = 1
                    gt.masks = BitmapMasks(masks, h, w)
            else:
                g = 4 if name == 'mosaic' else 1
                cells = [(r, c) for r in range(g) for c in range(g)]
                gt.bboxes = torch.tensor([[c * w / g, r * h / g, (c + 1) * w / g, (r + 1) * h / g]
                                          for r, c in cells], device=device)
                gt.labels = torch.zeros(len(cells), dtype=torch.long, device=device)
                ids = [1000 * b + 16 * i + k for k in range(len(cells))]
                meta.update(captions=[[f'a photo of thing {k} next to another thing']
                                      for k in ids], tags=[[k % 5] for k in ids], image_ids=ids,
                            mosaic_grid=(g, g), mosaic_cells=list(range(len(cells))))
            s = DetDataSample(metainfo=meta)
            s.gt_instances = gt
            samples[name].append(s)
    return inputs, samples


def run_one(name: str, device: str, quick: bool, log=print) -> dict:
    config, *sizes = CONFIGS[name]
    model = build(config, device)
    model.train()
    inputs, samples = batch(device, sizes, with_mask=model.roi_head.with_mask)
    step = training_step(model, lambda branches=('det', 'caption', 'mosaic'): (
        {b: inputs[b] for b in branches}, {b: copy.deepcopy(samples[b]) for b in branches}))
    steps = 1 if quick else 3
    res = measure_steps(step, steps, 6, device, log)
    det_only = summary(time_calls(lambda: step(('det', )), steps, 0, device, log), 2)
    res['det_only_step_s'] = det_only['median_step_s']
    res['ovd_share'] = round(1 - det_only['median_step_s'] / res['median_step_s'], 3)
    res['setting'] = dict(config=config, sizes=dict(zip(('det', 'caption', 'mosaic'), sizes)),
                          images='2 det + 2 caption + 2 mosaic (4x4)', steps=steps)
    return res


def run(name: str, device='cpu', quick=False, log=print) -> dict:
    res = run_one(name, device, quick, log)
    log(f'{name}: {res["median_step_s"]:.3f} s/step ({res["median_step_cpu_s"]:.3f} CPU s), '
        f'OVD branches {100 * res["ovd_share"]:.0f} % of the step')
    return res
