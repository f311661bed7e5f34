"""BARON training steps: the tiny shapes-world configs and the full OV-COCO R50-FPN distillation
config, at 2 detection + 2 kd (or caption) images, random weights (CLIPs included).

Per config: median seconds per training step (forward + backward + SGD; wall time and this
process's CPU time, which other processes' load does not inflate), peak memory, and the text
transformer's share of the step. The text tower runs on every sampled RoI (classification)
and on every bag; the share is measured by recording the shape of every pseudo-text batch the
step feeds the tower, then replaying those batches alone (forward + backward to the words) and
dividing by the step time.

With an untrained RPN no proposal passes BARON's objectness threshold (0.85) and the bags would
only surround the GT boxes; the benchmark sets the threshold to 0 so that, as with a trained RPN,
the top-k proposals that survive the shape / area filter and NMS 0.1 all make bags. With random
weights that is far more bags than a trained RPN gives (the recipe's top 300 of 1,000 near-uniform
proposals: about 14 GiB and minutes per CPU step at 800 px); ``--quick`` runs the FPN config at
512 px with the bags drawn from the top 50 proposals, one timed step.
"""
import copy
import time

from .common import measure_steps, training_step

#: benchmark name -> (config, image height, OVD branch); one fresh process per name (run.py)
CONFIGS = {
    'baron-kd-tiny': ('configs/demo/baron_kd_tiny_ov_shapes.py', 128, 'kd'),
    'baron-caption-tiny': ('configs/demo/baron_caption_tiny_ov_shapes.py', 128, 'caption'),
    'baron-ens-lvis-tiny': ('configs/demo/baron_kd_ens_tiny_ov_lvis.py', 128, 'kd'),
    'baron-kd-fpn': ('configs/baron/baron_kd_faster_rcnn_r50_fpn_syncbn_90kx2.py', 800, 'kd'),
}


def build(config: str, device: str, topk=None):
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
    for method in head.get('ovd_cfg', {}).values():
        if 'teacher' in method:
            method.teacher.checkpoint = None
        method.setdefault('sampling', {})['objectness_thr'] = 0.0
        if topk is not None:
            method.sampling['topk'] = topk
        if method.get('boxes_cache') is not None:
            method.boxes_cache = None
    for key in ('backbone', 'neck'):
        if m.get(key, {}).get('norm_cfg', {}).get('type') == 'SyncBN':
            m[key].norm_cfg = dict(type='BN', requires_grad=True)
    if head.bbox_head.get('norm_cfg', {}) and head.bbox_head.norm_cfg.get('type') == 'SyncBN':
        head.bbox_head.norm_cfg = dict(type='BN', requires_grad=True)
    if isinstance(head.bbox_head.class_embeddings, str):   # a file we do not have: random rows
        rng = np.random.default_rng(0)                      # (ViT-B/32: 512 either read-out)
        head.bbox_head.class_embeddings = rng.standard_normal(
            (head.bbox_head.num_classes, 512)).astype(np.float32)
    loss_cls = head.bbox_head.get('loss_cls', {})
    if isinstance(loss_cls.get('class_weight'), str):     # an LVIS json we do not have: all base
        loss_cls.class_weight = [1.0] * head.bbox_head.num_classes
    if m.get('backbone', {}).get('init_cfg'):
        m.backbone.init_cfg = None
    if head.get('shared_head') and head.shared_head.get('init_cfg'):
        head.shared_head.init_cfg = None
    model = MODELS.build(m).to(device)
    model.init_weights()
    return model


def batch(device: str, size: int, branch: str, n: int = 2, with_mask: bool = False):
    """{'det': (n, 3, H, W), branch: ...} inputs and data samples (H = size, W = 4/3 size)."""
    import numpy as np
    import torch
    from mmdet.structures import DetDataSample
    from mmdet.structures.mask import BitmapMasks
    from mmengine.structures import InstanceData
    h, w = size, size * 4 // 3 // 32 * 32
    inputs, samples = {}, {}
    for b, name in enumerate(('det', branch)):
        inputs[name] = torch.randn(n, 3, h, w, device=device)
        samples[name] = []
        for i in range(n):
            meta = dict(img_shape=(h, w), ori_shape=(h, w), pad_shape=(h, w),
                        batch_input_shape=(h, w), scale_factor=(1., 1.), flip=False,
                        flip_direction=None, img_id=100 * b + i)
            if name == 'caption':
                meta['captions'] = [[f'a picture of thing {i}', 'some shapes on a background']]
            s = DetDataSample(metainfo=meta)
            gt = InstanceData()
            if name == 'caption':
                gt.bboxes = torch.tensor([[0., 0., w, h]], device=device)
                gt.labels = torch.zeros(1, dtype=torch.long, device=device)
            else:
                gt.bboxes = torch.tensor([[0.1 * w, 0.1 * h, 0.45 * w, 0.6 * h],
                                          [0.5 * w, 0.3 * h, 0.9 * w, 0.9 * h]], device=device)
                gt.labels = torch.tensor([0, 1], device=device)
            if with_mask and name == 'det':
                masks = np.zeros((len(gt.bboxes), h, w), dtype=np.uint8)
                for k, (x0, y0, x1, y1) in enumerate(gt.bboxes.round().int().tolist()):
                    masks[k, y0:y1, x0:x1] = 1
                gt.masks = BitmapMasks(masks, h, w)
            s.gt_instances = gt
            samples[name].append(s)
    return inputs, samples


class TextTowerRecorder:
    """Wraps ``ovdet.clip.pseudo_text.encode_pseudo_text`` to record the batches it reads."""

    def __init__(self):
        self.calls = []

    def __enter__(self):
        from ovdet.clip import pseudo_text
        self.module = pseudo_text
        self.original = pseudo_text.encode_pseudo_text

        def recorded(encoder, x, eot_index, **kw):
            self.calls.append((encoder, tuple(x.shape), kw))
            return self.original(encoder, x, eot_index, **kw)
        pseudo_text.encode_pseudo_text = recorded
        # the modules imported the function by name
        import ovdet.models.baron.words as words
        self._words = words
        words.encode_pseudo_text = recorded
        return self

    def __exit__(self, *exc):
        self.module.encode_pseudo_text = self.original
        self._words.encode_pseudo_text = self.original


def replay(calls, device):
    """Forward + backward of the recorded text-tower batches alone (random words)."""
    import torch
    from ovdet.clip.pseudo_text import encode_pseudo_text
    total = 0.0
    for encoder, shape, kw in calls:
        x = torch.randn(shape, device=device, requires_grad=True)
        eot = torch.full((shape[0],), shape[1] - 1, dtype=torch.long, device=device)
        t0 = time.perf_counter()
        out = encode_pseudo_text(encoder, x, eot, **kw)
        out = out if torch.is_tensor(out) else out[0] + 0 * out[1].sum()
        out.sum().backward()
        if device.startswith('cuda'):
            torch.cuda.synchronize()
        total += time.perf_counter() - t0
    return total


def run_one(name: str, device: str, quick: bool, log=print) -> dict:
    config, size, branch = CONFIGS[name]
    topk = None
    if quick and name == 'baron-kd-fpn':
        size, topk = 512, 50
    model = build(config, device, topk)
    model.train()
    inputs, samples = batch(device, size, branch, with_mask=model.roi_head.with_mask)
    recorder = TextTowerRecorder()
    step = training_step(model, lambda: (dict(inputs), copy.deepcopy(samples)))
    steps = 1 if (quick and name == 'baron-kd-fpn') else 3
    res = measure_steps(step, steps, 2 * len(inputs), device, log)
    with recorder:
        step()
    text_s = replay(recorder.calls, device)
    seqs = sum(shape[0] for _, shape, _ in recorder.calls)
    tokens = sum(shape[0] * shape[1] for _, shape, _ in recorder.calls)
    res['text_tower'] = dict(seconds=text_s, share=text_s / res['median_step_s'],
                             calls=len(recorder.calls), sequences=seqs, tokens=tokens)
    res['setting'] = dict(config=config, image_size=[size, size * 4 // 3 // 32 * 32],
                          images='2 det + 2 ' + branch, steps=steps, objectness_thr=0.0,
                          bag_topk=topk or 'config')
    return res


def run(name: str, device='cpu', quick=False, log=print) -> dict:
    res = run_one(name, device, quick, log)
    log(f'{name}: {res["median_step_s"]:.3f} s/step, text tower '
        f'{100 * res["text_tower"]["share"]:.0f} % of the step')
    return res
