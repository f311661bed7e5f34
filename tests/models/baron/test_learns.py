"""Regression guard: the tiny BARON detector learns the base classes of the shapes world.

The shipped ``configs/demo/baron_kd_tiny_ov_shapes.py`` (the whole BARON detector: pseudo-word
classifier read by a frozen tiny CLIP text tower, DetachRPNHead, bag and single-region
distillation on the kd batch with its queues; AdamW 2e-3, batches of 2 detection + 2 kd scenes)
trains for ITERS iterations on 16 generated 128 px scenes, in this process, and is scored on those
same scenes (does it learn at all?) before and after. The random tiny CLIP's text embeddings of
the shape names are nearly collinear (cosine 0.87-0.99), so the class embeddings are given
explicitly (see ``separated_class_embeddings``); text tower and teacher are one saved random tiny
CLIP.

Measured (150 iterations, 1 thread, training seeds 0 / 1 / 2 on the same scenes, the resumable
loop's per-iteration seeds): base AP50 untrained 0.000 / 0.003 / 0.001, trained 0.123 / 0.056 /
0.183 (0.141 / 0.140 / 0.102 before the per-iteration seeds). The test runs seed 0; THRESHOLD is
40 % of its trained value and more than 15 times the highest untrained one (seed 1 shows how far a
150-iteration run of this tiny detector can fall). The test costs about 75 CPU seconds
(0.4 s per iteration plus start-up and two evaluations).
"""
import os

import numpy as np
import pytest
import torch

pytestmark = [pytest.mark.integration, pytest.mark.slow]  # a minute or more of training

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
CONFIG = os.path.join(ROOT, 'configs/demo/baron_kd_tiny_ov_shapes.py')
ITERS = 150
SEED = 0           # training seed (the scenes and the CLIP are fixed)
THRESHOLD = 0.05   # base AP50 on the training scenes; an untrained detector scores about 0.00


def separated_class_embeddings(encoder, num_classes=6):
    """(C, 64) unit rows t_c = normalize(m + q_c): m the mean direction of the tower's EOT states
    of the class names (every pseudo text's EOT state shares it: cosine ~0.44 for random words),
    q_c orthonormal and orthogonal to m, so classes are 60 degrees apart and no class gets the
    shared component's bias (with plain orthonormal rows the untrained novel row wins every RoI)."""
    from ovdet.clip.pseudo_text import pseudo_word_class_embeddings
    names = ['circle', 'square', 'triangle', 'star', 'cross', 'ring'][:num_classes]
    m = pseudo_word_class_embeddings(dict(class_names=names), encoder, projected=False)
    m = m.mean(0).numpy()
    m /= np.linalg.norm(m)
    q = np.random.default_rng(0).standard_normal((m.shape[0], num_classes))
    q = np.linalg.qr(q - np.outer(m, m @ q))[0].T
    emb = m[None] + q
    return (emb / np.linalg.norm(emb, axis=1, keepdims=True)).astype(np.float32)


def test_tiny_baron_learns_base_classes(tmp_path, one_torch_thread):
    from mmengine.config import Config
    from mmengine.runner import Runner
    from ovdet.clip import build_clip
    from ovdet.shapes import ShapesWorld, write_scene_datasets
    data = str(tmp_path / 'data') + '/'
    write_scene_datasets(data, num_images=16, image_size=128, seed=0,
                         world=ShapesWorld(class_mode='shape'), split='train2017',
                         formats=('instances', 'ov_split'), novel_shapes=('star', ))
    torch.manual_seed(0)
    encoder = build_clip('ovdet-ViT-tiny')
    clip = str(tmp_path / 'tiny_clip.pt')
    torch.save(encoder.export_state_dict(), clip)
    classes = str(tmp_path / 'classes.npy')
    np.save(classes, separated_class_embeddings(encoder))

    cfg = Config.fromfile(CONFIG)
    for source in cfg.train_dataloader.dataset.datasets:
        source.data_root = data
    # score the base classes on the training scenes
    cfg.val_dataloader.dataset.update(data_root=data, data_prefix=dict(img='train2017/'),
                                      ann_file='annotations/instances_train2017.json')
    cfg.val_evaluator.ann_file = f'{data}annotations/instances_train2017.json'
    head = cfg.model.roi_head
    head.text_encoder.clip.checkpoint = clip
    head.ovd_cfg.baron_kd.teacher.checkpoint = clip
    head.bbox_head.class_embeddings = classes
    cfg.train_cfg.update(max_iters=ITERS, val_interval=ITERS)
    cfg.default_hooks.checkpoint = dict(type='CheckpointHook', interval=10 ** 6)
    cfg.visualizer = dict(type='DetLocalVisualizer', vis_backends=[])
    cfg.randomness = dict(seed=SEED)
    cfg.work_dir = str(tmp_path / 'work')
    runner = Runner.from_cfg(cfg)
    untrained = runner.val_loop.run()['ov_coco/base_ap50']
    runner.train()
    trained = runner.val_loop.run()['ov_coco/base_ap50']
    print(f'base AP50 on the training scenes: untrained {untrained:.3f}, after {ITERS} '
          f'iterations {trained:.3f}')
    assert untrained < 0.02, untrained
    assert trained >= THRESHOLD and trained >= untrained + THRESHOLD, (untrained, trained)
